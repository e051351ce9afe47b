import type { ColumnInfo } from '../connections/types.js';
import type { ExistsNode, MatchNode, QueryNode, RangeNode } from './ast.js';
import { matchCondition, rangeCondition } from './conditions.js';
import type { Condition } from './conditions.js';
import { parseQuery } from './parse-query.js';
import { postgresDialect } from './postgres-dialect.js';
import { QueryError } from './query-error.js';
import { renderCondition } from './render-condition.js';
import { resolveTreeDates, type DateAnchors } from './resolve-dates.js';
import { resolveField } from './resolve-field.js';
import type { FieldTarget } from './resolve-field.js';
import type { DialectName, SqlDialect } from './sql-dialect.js';
import { SqlParams } from './sql-dialect.js';
import { sqliteDialect } from './sqlite-dialect.js';

export { QueryError } from './query-error.js';
export type { DialectName } from './sql-dialect.js';

/** A boolean SQL expression for a WHERE clause and the values for its placeholders, in order. */
export interface CompiledQuery {
  sql: string;
  params: unknown[];
}

/** The WHERE expression of a query that matches every row. */
export const MATCH_ALL_SQL = '1=1';

const DIALECTS = { sqlite: sqliteDialect, postgres: postgresDialect } satisfies Record<DialectName, SqlDialect>;

/**
 * Translates a Lucene query into a parameterized WHERE expression (`1=1` for `*`, `*:*` or an empty
 * query). Column names reach the SQL only after matching one of `columns`, double-quoted; values
 * and JSON paths are always parameters (`?` for SQLite, `$1…$n` for PostgreSQL). Every AND/OR comes
 * out parenthesized, so the expression can be ANDed with a cursor condition as is.
 *
 * Semantics, where Lucene leaves a choice or differs from a filter over SQL rows:
 * - Terms without an operator are ANDed (Lucene's default is OR); NOT binds tighter than AND, AND
 *   tighter than OR. `+x` is `x`, `-x` is `NOT x`, also before a group: `-(a:1 OR b:2)`.
 * - `NOT x` matches every row `x` does not, including rows where the field is NULL or missing.
 * - A term needs a field: a bare `john` is an error, never a search over guessed columns.
 * - `field:value` and `field:"phrase"` are exact, case-sensitive equality; the email column
 *   compares case-insensitively, as do wildcard terms (`*`, `?`): for the letters A–Z only, on
 *   both dialects alike (SqlDialect `like`). `field:*` and `_exists_:field` mean "is not NULL".
 * - Booleans are `true`/`false`; numbers compare numerically; timestamps take a date or an ISO
 *   date-time (UTC when no zone is given), compared to the microsecond on both dialects
 *   (sqlite-instants.ts), and a date means the whole UTC day, in matches and in range bounds. Range bounds may be date math (`now-1d/d`, `{last_success}`), resolved against
 *   `anchors` (date-math.ts); without anchors a date-math bound is an error: plans carry the
 *   query with its dates already resolved (resolve-dates.ts). Text compares in byte
 *   order on both dialects, whatever the column's or database's collation (SqlDialect `byteOrder`).
 * - JSON paths compare typed JSON values: unquoted true/false and numbers match JSON booleans and
 *   numbers, anything else (and every quoted value) matches JSON strings; a range is numeric when
 *   its bounds are unquoted numbers, and compares strings otherwise. `_exists_:col.path` means present and not JSON null.
 *   An array holds its elements (render-condition.ts): `app_metadata.roles:admin` matches `["admin"]`, as
 *   Elasticsearch's query_string does; a whole JSON column (`roles:admin`) is matched as its document.
 * - A PostgreSQL array column (`text[]`, `int4[]`…) holds its elements, every dimension: a term, phrase,
 *   wildcard or range matches when one element does, compared as a value of the element's type;
 *   `_exists_` when one element is not NULL (`{}` and `{NULL}` hold no value). A `json[]` or
 *   `jsonb[]` is the JSON array of its elements.
 *
 * Throws QueryError (with the offending offset) on syntax errors, unknown fields and bad values.
 */
export function compileQuery(query: string, columns: ColumnInfo[], dialect: DialectName, anchors?: DateAnchors): CompiledQuery {
  const parsed = parseQuery(query);
  const tree = anchors ? resolveTreeDates(parsed, anchors) : parsed;
  const sqlDialect = DIALECTS[dialect];
  const params = new SqlParams(sqlDialect);
  const sql = compileNode(tree, columns, sqlDialect, params);
  return { sql, params: params.values };
}

/** Any instant does to check date math at validate: the job's own are known only when it is planned. */
const VALIDATE_ANCHORS: DateAnchors = { now: '2000-01-01T00:00:00.000Z', lastSuccess: '2000-01-01T00:00:00.000Z' };

/** Validation-time check: the error `compileQuery` would throw, or undefined when the query is valid. */
export function checkQuery(query: string, columns: ColumnInfo[]): QueryError | undefined {
  try {
    compileQuery(query, columns, 'sqlite', VALIDATE_ANCHORS);
    return undefined;
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
}

function compileNode(node: QueryNode, columns: ColumnInfo[], dialect: SqlDialect, params: SqlParams): string {
  switch (node.kind) {
    case 'all':
      return MATCH_ALL_SQL;
    case 'and':
      return joinBalanced(
        node.children.map((child) => compileNode(child, columns, dialect, params)),
        ' AND ',
      );
    case 'or': {
      const groups = listGroups(node.children, columns, dialect);
      const parts = node.children.flatMap((child, i) => {
        const group = groups.get(i);
        if (group === null) return [];
        if (group) return [renderCondition(group.target, group.condition, dialect, params)];
        return [compileNode(child, columns, dialect, params)];
      });
      return joinBalanced(parts, ' OR ');
    }
    case 'not':
      // A predicate on a NULL is NULL, and NOT NULL is NULL: without COALESCE, `-nickname:bob`
      // would drop the users who have no nickname, though they are not bob.
      return `NOT COALESCE(${compileNode(node.child, columns, dialect, params)}, FALSE)`;
    default: {
      const target = wholeDocument(node, resolveField(node.field, columns));
      return renderCondition(target, leafCondition(node, target), dialect, params);
    }
  }
}

/** Terms of one OR on one value, matched as one list (see `listGroups`). */
interface ListGroup {
  target: FieldTarget;
  condition: Condition;
}

/** A lone UTF-16 surrogate: JSON.stringify writes it as an escape jsonb refuses. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The terms among an OR's operands that are matched as one list, by the position of the first
 * (the others' positions map to null): the wildcard terms on one JSON value or array column's
 * elements (one `LIKE ANY`, SqlDialect `likeAny`) and the plain values on one JSON value (one
 * `= ANY`, JsonDialect `equalsAny`). Each term on its own read the value (and its array's
 * elements) again: on PostgreSQL, a thousand wildcard terms (`user_metadata.s:(a* OR b* …)`) ran
 * past the statement timeout on 20,000 users, and a thousand values took a minute. None when an
 * operand does not compile: the operands are then compiled one by one, and the first error is
 * reported where it is written.
 */
function listGroups(children: readonly QueryNode[], columns: ColumnInfo[], dialect: SqlDialect): Map<number, ListGroup | null> {
  const byValue = new Map<
    string,
    { target: FieldTarget; patterns: string[]; values: Extract<Condition, { kind: 'equalsAny' }>['values']; members: number[] }
  >();
  for (const [i, child] of children.entries()) {
    if (child.kind !== 'match') continue;
    let target: FieldTarget;
    let condition: Condition;
    try {
      target = wholeDocument(child, resolveField(child.field, columns));
      condition = matchCondition(child, target);
    } catch (err) {
      if (err instanceof QueryError) return new Map();
      throw err;
    }
    const [comparison] = condition.kind === 'compare' ? condition.comparisons : [];
    const like = condition.kind === 'like' && dialect.likeAny !== undefined && (target.kind === 'json' || target.kind === 'array');
    const equal =
      condition.kind === 'compare' &&
      condition.comparisons.length === 1 &&
      comparison?.operator === '=' &&
      target.kind === 'json' &&
      dialect.json.equalsAny !== undefined &&
      !(typeof comparison.value === 'string' && LONE_SURROGATE.test(comparison.value));
    if (!like && !equal) continue;
    const path = target.kind === 'json' ? [target.path, target.arrayDocument ?? false] : [];
    const key = JSON.stringify([like ? 'like' : 'equal', target.kind, target.column.name, path]);
    const group = byValue.get(key) ?? { target, patterns: [], values: [], members: [] };
    byValue.set(key, group);
    if (condition.kind === 'like') group.patterns.push(...condition.patterns);
    if (condition.kind === 'compare' && comparison) group.values.push({ type: condition.type, value: comparison.value });
    group.members.push(i);
  }
  const groups = new Map<number, ListGroup | null>();
  for (const { target, patterns, values, members } of byValue.values()) {
    if (members.length < 2) continue;
    const condition: Condition = patterns.length > 0 ? { kind: 'like', patterns } : { kind: 'equalsAny', values };
    members.forEach((member, n) => groups.set(member, n === 0 ? { target, condition } : null));
  }
  return groups;
}

/** Lists this long stay flat, as written: `(a OR b OR c)`. */
const FLAT_LIST = 3;

/**
 * SQLite parses `a OR b OR c …` one level deeper per operand and refuses an expression deeper than
 * 1,000, so a long list is cut in halves, each parenthesized: `((a OR b) OR (c OR d))` nests as deep
 * as the logarithm of its length. The operands keep their order (the placeholders are numbered).
 */
function joinBalanced(parts: string[], operator: string): string {
  if (parts.length <= FLAT_LIST) return `(${parts.join(operator)})`;
  const half = Math.ceil(parts.length / 2);
  return `(${joinBalanced(parts.slice(0, half), operator)}${operator}${joinBalanced(parts.slice(half), operator)})`;
}

/**
 * A JSON column matched as a whole (`roles:admin`, `roles:[a TO c]`) is its document's value: an
 * array of values (`["admin"]`) matches as an array at a path does. `_exists_:roles` stays "the
 * column is not NULL", which needs no JSON read.
 */
function wholeDocument(node: MatchNode | RangeNode | ExistsNode, target: FieldTarget): FieldTarget {
  // A PostgreSQL json[] or jsonb[] is the JSON array of its elements, `_exists_` included: `{}` and `{null}` hold no value.
  if (target.kind === 'array' && target.element === 'json') return { kind: 'json', column: target.column, path: [], arrayDocument: true };
  if (target.kind !== 'column' || target.column.type !== 'json' || node.kind === 'exists') return target;
  return { kind: 'json', column: target.column, path: [] };
}

function leafCondition(node: MatchNode | RangeNode | ExistsNode, target: FieldTarget): Condition {
  if (node.kind === 'match') return matchCondition(node, target);
  if (node.kind === 'range') return rangeCondition(node, target);
  return { kind: 'exists' };
}
