import { isPlainObject, jsonEqual } from './json-values.js';

/** One changed value of a row: a column, or a path inside a JSON column (`user_metadata.plan`). */
export interface ValueDiff {
  path: string;
  /** Absent: the value was not there (NULL column, missing JSON key). */
  old?: unknown;
  new?: unknown;
}

/**
 * What changed between two images of a stored row, column by column in the order of `after`, then
 * columns only `before` had; objects (JSON columns) are compared key by key down to the values
 * that differ, so a metadata merge shows as the keys it touched, not as two whole documents.
 */
export function diffRow(before: Record<string, unknown>, after: Record<string, unknown>): ValueDiff[] {
  const diffs: ValueDiff[] = [];
  diffValues(before, after, '', diffs);
  return diffs;
}

function diffValues(before: unknown, after: unknown, path: string, diffs: ValueDiff[]): void {
  if (jsonEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    for (const key of keys) diffValues(before[key], after[key], path === '' ? key : `${path}.${key}`, diffs);
    return;
  }
  diffs.push({ path, ...(before === undefined ? {} : { old: before }), ...(after === undefined ? {} : { new: after }) });
}

/** `path: old → new`, values as JSON, an absent one as ∅. */
export function formatDiff(diff: ValueDiff): string {
  const show = (v: unknown): string => (v === undefined ? '∅' : JSON.stringify(v));
  return `${diff.path}: ${show(diff.old)} → ${show(diff.new)}`;
}

/** A row's key as `email="ann@x.io"` (several columns space-separated): how reports name a row. */
export function formatKey(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}
