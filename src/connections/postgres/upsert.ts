import { keyArrays, run, textArray, type ApplyContext, type Outcome } from './context.js';
import { valueAt, type PreparedRow } from './rows.js';
import { decodeJsonColumn, encodePg, isInvalid, type PgText } from './values.js';
import { isUpsertable } from '../users-table.js';
import { jsonEqual } from '../../plan/json-values.js';
import { isMergedColumn, mergeJson, passwordHashClash, storeRejects, verificationReset } from '../write-rules.js';
import { InexactJson, mergeRejects } from '../inexact-json.js';
import type { RejectError } from '../../validation/reject.js';
import { lookupTypes } from './decode.js';

/** A matched row to update: its ctid (locked) and the new value of each column that changes. */
export interface Update {
  row: PreparedRow;
  tid: string;
  changes: Map<number, PgText>;
}

/**
 * Upsert mode: looks every key up at once (locking the matches), then per row: no match → insert;
 * more than one → CONFLICT (ambiguous key); one → the columns whose value changes, or `unchanged`.
 * Only mapped, upsertable columns count (DESIGN.md "Upsert"); updated_at moves only with a change.
 */
export async function planUpsert(
  ctx: ApplyContext,
  rows: readonly PreparedRow[],
  outcomes: Map<PreparedRow, Outcome>,
): Promise<{ inserts: PreparedRow[]; updates: Update[] }> {
  const inserts: PreparedRow[] = [];
  const updates: Update[] = [];
  if (rows.length === 0) return { inserts, updates };
  const updatable = [...new Set(rows.flatMap((r) => r.present.filter((p) => isUpsertable(ctx.shape.columns[p]!.name, ctx.input.key))))].sort((a, b) => a - b);
  const json = updatable.filter((p) => ctx.shape.columns[p]!.type === 'json');
  const compare = updatable.filter((p) => ctx.shape.columns[p]!.type !== 'json');
  const values = [textArray(rows.map((_, i) => String(i))), ...keyArrays(ctx, rows), ...compare.map((c) => textArray(rows.map((r) => valueAt(r, c) ?? null)))];
  // The stored password_hash, where a row may give custom_password_hash (passwordHashClash).
  const passwordHash = ctx.shape.columns.findIndex((c) => c.name === 'password_hash');
  const custom = ctx.shape.columns.findIndex((c) => c.name === 'custom_password_hash');
  // (the import format's rules are the built-in users table's: a custom table's columns are its own)
  const read = ctx.shape.usersTable && passwordHash >= 0 && updatable.includes(custom) ? [passwordHash] : [];
  const result = await run(ctx, ctx.sql.find(ctx.key, json, compare, read), values, true, lookupTypes);
  const matches = new Map<number, unknown[][]>();
  for (const match of result.rows) {
    const found = matches.get(match[0] as number);
    if (found === undefined) matches.set(match[0] as number, [match]);
    else found.push(match);
  }
  rows.forEach((row, i) => {
    const found = matches.get(i) ?? [];
    const match = found[0];
    if (found.length > 1) outcomes.set(row, [storeRejects.ambiguousKey(ctx.input.key)]);
    else if (match === undefined) inserts.push(row);
    else {
      const unmergeable = inexactMerges(ctx, row, match, json);
      const changes = unmergeable.length > 0 ? undefined : diffRow(ctx, row, match, json, compare);
      const clash = changes && read.length > 0 ? passwordHashClash(ctx.shape.columns, [...changes.keys()], match[2 + json.length + compare.length]) : undefined;
      if (clash !== undefined) outcomes.set(row, [clash]);
      else if (changes === undefined) outcomes.set(row, unmergeable);
      else if (changes.size === 0) outcomes.set(row, 'unchanged');
      else updates.push({ row, tid: match[1] as string, changes });
    }
  });
  return { inserts, updates };
}

/**
 * The changing columns of one matched row. `match` is a lookup row: `[i, ctid, ...json values,
 * ...same-as-stored flags]`. JSON merges (`*_metadata` with metadata: merge) or replaces, then
 * compares structurally; scalars were compared by the server in their own types.
 */
function diffRow(ctx: ApplyContext, row: PreparedRow, match: unknown[], json: readonly number[], compare: readonly number[]): Map<number, PgText> {
  const changes = new Map<number, PgText>();
  const updatable = row.present.filter((p) => isUpsertable(ctx.shape.columns[p]!.name, ctx.input.key));
  for (const position of updatable) {
    const i = row.present.indexOf(position);
    const column = ctx.shape.columns[position]!;
    if (column.type !== 'json') {
      if (match[2 + json.length + compare.indexOf(position)] !== true) changes.set(position, row.values[i] ?? null);
      continue;
    }
    const read = match[2 + json.indexOf(position)];
    // A stored document only a replace can change (see inexactMerges): it differs from any new one.
    if (read instanceof InexactJson) {
      changes.set(position, row.values[i] ?? null);
      continue;
    }
    const stored = decodeJsonColumn(read);
    const logical = row.logical[i];
    const next = ctx.input.metadata === 'merge' && isMergedColumn(column) ? mergeJson(stored, logical) : logical;
    if (jsonEqual(stored, next)) continue;
    changes.set(position, next === logical ? (row.values[i] ?? null) : encodeMerged(ctx, position, next));
  }
  const reset = ctx.shape.usersTable ? verificationReset(ctx.shape.columns, [...changes.keys()], updatable) : undefined;
  if (reset !== undefined) changes.set(reset, 'false');
  const updatedAt = ctx.generated.updatedAt;
  if (changes.size > 0 && updatedAt !== undefined && !updatable.includes(updatedAt)) changes.set(updatedAt, ctx.input.now);
  return changes;
}

/** A merge into a stored document holding a number a double would round is a reject (inexact-json.ts `mergeRejects`). */
function inexactMerges(ctx: ApplyContext, row: PreparedRow, match: unknown[], json: readonly number[]): RejectError[] {
  if (ctx.input.metadata !== 'merge') return [];
  const errors: RejectError[] = [];
  for (const position of json) {
    const column = ctx.shape.columns[position]!;
    const read = match[2 + json.indexOf(position)];
    if (read instanceof InexactJson && isMergedColumn(column) && row.present.includes(position))
      for (const e of mergeRejects(read, column.name)) errors.push(e);
  }
  return errors;
}

function encodeMerged(ctx: ApplyContext, position: number, value: unknown): PgText {
  const column = ctx.shape.columns[position]!;
  const encoded = encodePg(column.name, column.type, ctx.shape.baseTypes[position] ?? '', value);
  // Both sides of the merge were JSON already, so the merge is too.
  if (isInvalid(encoded)) throw new Error(`merged ${column.name} is not JSON: ${encoded.invalid.message}`);
  return encoded;
}
