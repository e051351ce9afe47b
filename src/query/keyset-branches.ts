import type { PageCursor, ReadSort } from '../connections/types.js';
import { quoteIdentifier } from './resolve-field.js';
import type { KeysetCursor } from './keyset.js';
import type { SortTarget } from './sort-target.js';
import type { SqlParams } from './sql-dialect.js';

/**
 * One part of a page: rows matching the query and `condition`, ordered by the key alone or by
 * the sort value then the key, limited to the page size. `condition` allocates its parameters when
 * called, so call it where it appears in the SQL.
 */
export interface Branch {
  condition?: (params: SqlParams) => string;
  order: 'key' | 'sort';
}

interface PageShape {
  key: readonly string[];
  sort?: ReadSort;
}

/**
 * The parts of the page after `after`, in page order. Each is a plain range an index on
 * (sort column, key) serves — `s = v AND k > kc`, `s > v` (or `<` descending), `s IS NULL` — where
 * one condition with ORs and NULLS LAST would make the database sort every remaining row for each
 * page. NULL sort values come after every value, ties by key:
 * - no sort: keys after the cursor's;
 * - first page: the non-NULL values, then the NULLs;
 * - a cursor with a value: the rest of its ties, the values beyond it, then every NULL;
 * - a cursor among the NULLs: the NULLs with a greater key.
 *
 * With `until`, the page ends at that cursor, inclusive: see `boundedBranches`.
 */
export function pageBranches(page: PageShape, sort: SortTarget | undefined, after: PageCursor | null, until?: PageCursor): Branch[] {
  return until ? boundedBranches(page, sort, after, until) : branchesAfter(page, sort, after);
}

function branchesAfter(page: PageShape, sort: SortTarget | undefined, after: PageCursor | null): Branch[] {
  const keyAfter = (params: SqlParams): string => keyCondition(page, after!, params);
  if (!sort) return [{ ...(after ? { condition: keyAfter } : {}), order: 'key' }];
  const isNull = (params: SqlParams): string => `${sort.operand(params)} IS NULL`;
  const nulls: Branch[] = sort.nullable ? [{ condition: isNull, order: 'key' }] : [];
  if (!after) {
    const values: Branch = sort.nullable ? { condition: (params) => `${sort.operand(params)} IS NOT NULL`, order: 'sort' } : { order: 'sort' };
    return [values, ...nulls];
  }
  if (isNullValue(after.value)) return [{ condition: (params) => `${isNull(params)} AND ${keyAfter(params)}`, order: 'key' }];
  const beyond = page.sort?.order === 'desc' ? '<' : '>';
  return [
    { condition: (params) => `${sort.operand(params)} = ${valueOf(sort, params, after)} AND ${keyAfter(params)}`, order: 'key' },
    { condition: (params) => `${sort.operand(params)} ${beyond} ${valueOf(sort, params, after)}`, order: 'sort' },
    ...nulls,
  ];
}

/**
 * The parts of the page after `after` up to `until`, each a range with both ends an index can
 * stop at (no part reads on past `until` to filter: a tie group of thousands would be read
 * again for every page in it):
 * - `after` and `until` share their value: the ties between the two keys;
 * - otherwise the rest of `after`'s ties, the values strictly between, then `until`'s ties up to
 *   its key. Should the two values differ as given but compare equal in the store (a NOCASE
 *   column), the first part keeps to `until`'s key and the last part is empty, so no row is read twice;
 * - `until` among the NULLs: every value after `after`, then the NULLs up to its key;
 * - `until` with a value: no NULLs (they come last).
 */
function boundedBranches(page: PageShape, sort: SortTarget | undefined, after: PageCursor | null, until: PageCursor): Branch[] {
  const keyAfter = (params: SqlParams): string => keyCondition(page, after!, params);
  const keyUntil = (params: SqlParams): string => keyCondition(page, until, params, '<=');
  if (!sort) return [{ condition: after ? (params) => `${keyAfter(params)} AND ${keyUntil(params)}` : keyUntil, order: 'key' }];
  const s = (params: SqlParams): string => sort.operand(params);
  const v = (params: SqlParams, cursor: KeysetCursor): string => valueOf(sort, params, cursor);
  const afterAmongNulls = after !== null && isNullValue(after.value);
  if (isNullValue(until.value)) {
    const nulls = (params: SqlParams): string => `${s(params)} IS NULL${afterAmongNulls ? ` AND ${keyAfter(params)}` : ''} AND ${keyUntil(params)}`;
    // The unbounded page's parts for values (its ties and beyond, or the first page's values), without its NULLs part.
    const values = afterAmongNulls ? [] : branchesAfter(page, sort, after).slice(0, after ? 2 : 1);
    return [...values, { condition: nulls, order: 'key' }];
  }
  // A cursor among the NULLs comes after every value: a page from there to a value is empty.
  if (afterAmongNulls) return [];
  const [beyond, before] = page.sort?.order === 'desc' ? ['<', '>'] : ['>', '<'];
  const untilTies = (extra: (params: SqlParams) => string): Branch => ({
    condition: (params) => `${s(params)} = ${v(params, until)}${extra(params)} AND ${keyUntil(params)}`,
    order: 'key',
  });
  if (!after) return [{ condition: (params) => `${s(params)} ${before} ${v(params, until)}`, order: 'sort' }, untilTies(() => '')];
  if (sameValue(after, until))
    return [{ condition: (params) => `${s(params)} = ${v(params, after)} AND ${keyAfter(params)} AND ${keyUntil(params)}`, order: 'key' }];
  return [
    {
      condition: (params) => `${s(params)} = ${v(params, after)} AND ${keyAfter(params)} AND (${s(params)} <> ${v(params, until)} OR ${keyUntil(params)})`,
      order: 'key',
    },
    { condition: (params) => `${s(params)} ${beyond} ${v(params, after)} AND ${s(params)} ${before} ${v(params, until)}`, order: 'sort' },
    untilTies((params) => ` AND ${s(params)} <> ${v(params, after)}`),
  ];
}

/** The cursor's sort value as an operand, exactly as stored when the cursor has its digits. */
function valueOf(sort: SortTarget, params: SqlParams, cursor: KeysetCursor): string {
  return sort.param(params, cursor.value, cursor.exact);
}

/** Two rounded numbers may be the same double and not the same stored value. */
function sameValue(a: KeysetCursor, b: KeysetCursor): boolean {
  return a.value === b.value && a.exact === b.exact;
}

function isNullValue(value: unknown): boolean {
  return value === null || value === undefined;
}

/** `"k" > ?` (or `<=`), or a row-value comparison for a composite key (both dialects compare row values lexicographically). */
function keyCondition(page: PageShape, cursor: PageCursor, params: SqlParams, op: '>' | '<=' = '>'): string {
  if (cursor.key.length !== page.key.length) {
    throw new Error(`a page cursor has ${cursor.key.length} key value(s), the table's key has ${page.key.length} (${page.key.join(', ')})`);
  }
  const names = page.key.map(quoteIdentifier);
  const values = cursor.key.map((value) => params.add(value));
  if (names.length === 1) return `${names[0]} ${op} ${values[0]}`;
  return `(${names.join(', ')}) ${op} (${values.join(', ')})`;
}
