import { expressionRefs } from '../spec/expression-refs.js';
import { clip } from './clip.js';
import type { Reject, RejectError } from './reject.js';

/** A JSONata expression that only names a field (`Email`, `` `E-mail` ``, `profile.phone`): its source path. */
const FIELD_PATH = /^\s*((?:`[^`]+`|[A-Za-z_$][\w$]*)(?:\.(?:`[^`]+`|[A-Za-z_$][\w$]*))*)\s*$/;

/**
 * The value an error is about, read from the reject's record — the source record as the report
 * stores it, secrets already masked — so it shows exactly what the report shows. The error's path
 * names a target column (`email`, `custom_password_hash.hash.encoding`, `mfa_factors[2]`): for an
 * identity mapping that is the record's own field; for a column mapped from a plain field path
 * (`email: Email`), that field; for a column computed from one field (`$lowercase(Email)`), that
 * field as the source holds it. Undefined when the value cannot be told (a column computed from
 * several fields or none, a whole-record error, a PARSE_ERROR whose record is raw text).
 */
export function offendingValue(reject: Pick<Reject, 'record'>, error: Pick<RejectError, 'path'>, columns: Record<string, string> | null): unknown {
  const record = reject.record;
  if (!error.path || typeof record !== 'object' || record === null) return undefined;
  // With a mapping, the record is the source and the path a target column's: a source field of the
  // column's name is not the value the column got (`phone_number: mobile` next to a `phone_number` field).
  const own = (): unknown => lookup(record, pathSegments(error.path));
  if (!columns) return own();
  for (const [column, expression] of Object.entries(columns)) {
    const inColumn = columnRest(error.path, column);
    if (inColumn === undefined) continue;
    const source = FIELD_PATH.exec(expression)?.[1];
    if (source !== undefined) return lookup(record, [...fieldSegments(source), ...inColumn]);
    // A column computed from one field (`$lowercase($trim(Email))`): that field is what to fix.
    const only = inColumn.length === 0 ? soleField(expression) : undefined;
    return only === undefined ? undefined : lookup(record, only);
  }
  return own();
}

/** The one field path an expression reads from the record, if it reads exactly one. */
function soleField(expression: string): string[] | undefined {
  const paths = new Set(expressionRefs(expression).fields.map((f) => JSON.stringify(f.path)));
  return paths.size === 1 ? (JSON.parse([...paths][0]!) as string[]) : undefined;
}

/** The value as one short line: strings as they are, the rest as JSON, cut at `max` characters. */
export function formatValue(value: unknown, max = Infinity): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? clip(text, Math.max(0, max - 1)) : text;
}

/** `a.b[2].c` → ['a', 'b', 2, 'c']. */
function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [path];
    if (m[1]) out.push(m[1]);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

function fieldSegments(source: string): string[] {
  return [...source.matchAll(/`([^`]+)`|([^.`]+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The rest of `path` below `column` (`[]` for the column itself), or undefined when the path is not in it. */
function columnRest(path: string, column: string): (string | number)[] | undefined {
  if (path === column) return [];
  if (path.startsWith(`${column}.`) || path.startsWith(`${column}[`)) return pathSegments(path).slice(pathSegments(column).length);
  return undefined;
}

function lookup(record: object, segments: (string | number)[]): unknown {
  let at: unknown = record;
  for (const segment of segments) {
    if (typeof at !== 'object' || at === null || !Object.prototype.hasOwnProperty.call(at, segment)) return undefined;
    at = (at as Record<string | number, unknown>)[segment];
  }
  return at;
}
