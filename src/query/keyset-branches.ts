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
  /** The part reads only rows whose sort value is NULL. */
  nulls?: true;
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
 * With `until`, each part also stops at that cursor (inclusive), and a part wholly beyond it goes.
 */
export function pageBranches(page: PageShape, sort: SortTarget | undefined, after: PageCursor | null, until?: PageCursor): Branch[] {
  const branches = branchesAfter(page, sort, after);
  if (!until) return branches;
  return branches.flatMap((branch) => {
    const end = endCondition(page, sort, until, branch);
    if (end === 'none') return [];
    if (end === undefined) return [branch];
    const { condition } = branch;
    return [{ ...branch, condition: (params: SqlParams) => (condition ? `${condition(params)} AND ${end(params)}` : end(params)) }];
  });
}

function branchesAfter(page: PageShape, sort: SortTarget | undefined, after: PageCursor | null): Branch[] {
  const keyAfter = (params: SqlParams): string => keyCondition(page, after!, params);
  if (!sort) return [{ ...(after ? { condition: keyAfter } : {}), order: 'key' }];
  const isNull = (params: SqlParams): string => `${sort.operand(params)} IS NULL`;
  const nulls: Branch[] = sort.nullable ? [{ condition: isNull, order: 'key', nulls: true }] : [];
  if (!after) {
    const values: Branch = sort.nullable ? { condition: (params) => `${sort.operand(params)} IS NOT NULL`, order: 'sort' } : { order: 'sort' };
    return [values, ...nulls];
  }
  if (after.value === null || after.value === undefined)
    return [{ condition: (params) => `${isNull(params)} AND ${keyAfter(params)}`, order: 'key', nulls: true }];
  const beyond = page.sort?.order === 'desc' ? '<' : '>';
  return [
    { condition: (params) => `${sort.operand(params)} = ${sort.param(params, after.value)} AND ${keyAfter(params)}`, order: 'key' },
    { condition: (params) => `${sort.operand(params)} ${beyond} ${sort.param(params, after.value)}`, order: 'sort' },
    ...nulls,
  ];
}

/**
 * What keeps a part at or before `until` in page order: a range end on the sort value (so an index
 * stops there) with the ties settled by key; 'none' for a part that lies wholly beyond it (the
 * NULLs, when `until` has a value: NULLs come last); undefined for one wholly before it (the
 * values, when `until` is among the NULLs).
 */
function endCondition(page: PageShape, sort: SortTarget | undefined, until: PageCursor, branch: Branch): ((params: SqlParams) => string) | 'none' | undefined {
  const keyAtMost = (params: SqlParams): string => keyCondition(page, until, params, '<=');
  if (!sort) return keyAtMost;
  if (until.value === null || until.value === undefined) return branch.nulls ? keyAtMost : undefined;
  if (branch.nulls) return 'none';
  const [within, before] = page.sort?.order === 'desc' ? ['>=', '>'] : ['<=', '<'];
  return (params) => {
    const operand = sort.operand(params);
    const bound = sort.param(params, until.value);
    const tie = `${sort.operand(params)} ${before} ${sort.param(params, until.value)}`;
    return `${operand} ${within} ${bound} AND (${tie} OR ${keyAtMost(params)})`;
  };
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
