import type { PageCursor, ReadSort } from '../connections/types.js';
import { quoteIdentifier } from './resolve-field.js';
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
 */
export function pageBranches(page: PageShape, sort: SortTarget | undefined, after: PageCursor | null): Branch[] {
  const keyAfter = (params: SqlParams): string => keyCondition(page, after!, params);
  if (!sort) return [{ ...(after ? { condition: keyAfter } : {}), order: 'key' }];
  const isNull = (params: SqlParams): string => `${sort.operand(params)} IS NULL`;
  const nulls: Branch[] = sort.nullable ? [{ condition: isNull, order: 'key' }] : [];
  if (!after) {
    const values: Branch = sort.nullable ? { condition: (params) => `${sort.operand(params)} IS NOT NULL`, order: 'sort' } : { order: 'sort' };
    return [values, ...nulls];
  }
  if (after.value === null || after.value === undefined) return [{ condition: (params) => `${isNull(params)} AND ${keyAfter(params)}`, order: 'key' }];
  const beyond = page.sort?.order === 'desc' ? '<' : '>';
  return [
    { condition: (params) => `${sort.operand(params)} = ${sort.param(params, after.value)} AND ${keyAfter(params)}`, order: 'key' },
    { condition: (params) => `${sort.operand(params)} ${beyond} ${sort.param(params, after.value)}`, order: 'sort' },
    ...nulls,
  ];
}

/** `"k" > ?`, or a row-value comparison for a composite key (both dialects compare row values lexicographically). */
function keyCondition(page: PageShape, after: PageCursor, params: SqlParams): string {
  if (after.key.length !== page.key.length) {
    throw new Error(`a page cursor has ${after.key.length} key value(s), the table's key has ${page.key.length} (${page.key.join(', ')})`);
  }
  const names = page.key.map(quoteIdentifier);
  const values = after.key.map((value) => params.add(value));
  if (names.length === 1) return `${names[0]} > ${values[0]}`;
  return `(${names.join(', ')}) > (${values.join(', ')})`;
}
