import type { ColumnInfo } from '../connections/types.js';
import type { Comparison, Condition } from './conditions.js';
import type { FieldTarget } from './resolve-field.js';
import { quoteIdentifier, unorderedOf } from './resolve-field.js';
import type { JsonPath, JsonValue, SqlDialect, SqlParams } from './sql-dialect.js';

/** Renders one leaf predicate. Conjunctions come out parenthesized so the result nests anywhere. */
export function renderCondition(target: FieldTarget, condition: Condition, dialect: SqlDialect, params: SqlParams): string {
  const column = quoteIdentifier(target.column.name);
  if (target.kind === 'json') return renderJson(target.arrayDocument ? dialect.array.document(column) : column, target.path, condition, dialect, params);
  if (target.kind === 'array') return renderArray(column, target.column, condition, dialect, params);
  return renderScalar(column, target.column, condition, dialect, params);
}

/** `condition` on one value of a column: the column's own, or an element of its array (`operand`). */
function renderScalar(operand: string, column: ColumnInfo, condition: Condition, dialect: SqlDialect, params: SqlParams): string {
  switch (condition.kind) {
    case 'exists':
      return `${operand} IS NOT NULL`;
    case 'like':
      return renderLike(operand, condition.patterns, dialect, params);
    case 'equalsAny':
      throw new Error('a list of values is grouped on JSON values only');
    case 'compare': {
      const { type, ignoreCase } = condition;
      if (type === 'timestamp') {
        const parts = condition.comparisons.map(({ operator, value }) => dialect.compareTimestamp(operand, operator, String(value), params));
        return parts.length === 1 ? parts.join('') : `(${parts.join(' AND ')})`;
      }
      const caseFold = (text: string): string => (ignoreCase ? dialect.foldCase(text) : text);
      // No `=` of its own (a range on one is refused: conditions.ts): the value's text, as the server writes it.
      const unordered = unorderedOf(column);
      if (unordered) {
        const parts = condition.comparisons.map(({ value }) => dialect.textEquals(operand, params.add(dialect.bind(type, value)), unordered.compareAs));
        return parts.length === 1 ? parts.join('') : `(${parts.join(' AND ')})`;
      }
      const parts = condition.comparisons.map(({ operator, value }) => {
        const folded = caseFold(dialect.columnOperand(operand, type));
        // A uuid, enum or inet (PostgreSQL) has no collation to override: it compares in its own order.
        const ordered = type === 'text' && column.collatable !== false ? dialect.byteOrder(folded, operator) : folded;
        return `${ordered} ${operator} ${caseFold(dialect.paramOperand(params.add(dialect.bind(type, value)), type))}`;
      });
      return parts.length === 1 ? parts.join('') : `(${parts.join(' AND ')})`;
    }
  }
}

/**
 * A PostgreSQL array column: one element holds the condition, as one element of a JSON array does.
 * A single comparison is `value op ANY(column)` (no subquery to plan, and `=` can use a GIN index);
 * a range's two bounds must hold for the same element, and a wildcard has no ANY form: a subquery.
 */
function renderArray(column: string, info: ColumnInfo, condition: Condition, dialect: SqlDialect, params: SqlParams): string {
  const { array } = dialect;
  if (condition.kind === 'exists') return array.exists(column);
  if (condition.kind === 'compare' && condition.comparisons.length === 1 && array.compareAny && !unorderedOf(info)) {
    const [{ operator, value }] = condition.comparisons as [Comparison];
    const { type } = condition;
    const param = dialect.paramOperand(params.add(dialect.bind(type, value)), type);
    // The parameter takes the byte order: the elements' own collation would otherwise decide.
    const operand = type === 'text' && operator !== '=' && info.collatable !== false ? dialect.byteOrder(param, operator) : param;
    return array.compareAny(column, operand, operator);
  }
  return array.someElement(column, (element) => renderScalar(element, info, condition, dialect, params));
}

/**
 * A JSON value is compared only when it has the JSON type the query value implies, so `5` never
 * matches the string "5" or `true`, and SQLite's cross-type ordering never leaks into a range.
 * An array holds its elements' values, as in Elasticsearch: `app_metadata.roles:admin` matches
 * `["admin", "dev"]`, a range matches when one element lies within both bounds, `_exists_` when
 * one element is not null (`[]` and `[null]` hold no value). The path placeholder repeats for
 * every use: plain `?` placeholders cannot be reused.
 */
function renderJson(column: string, keys: string[], condition: Condition, dialect: SqlDialect, params: SqlParams): string {
  const { json } = dialect;
  const pathValue = json.pathParam(keys);
  const path: JsonPath = { keys, param: () => params.add(pathValue) };
  if (condition.kind === 'equalsAny') {
    if (!json.equalsAny) throw new Error('JSON values grouped for a dialect without a list form');
    return json.equalsAny(column, path, condition.values, params);
  }
  const holds = (value: JsonValue): string => jsonPredicate(value, condition, dialect, params);
  const scalar = holds(json.at(column, path));
  if (condition.kind === 'exists' && json.elementExists) return `(${scalar} OR ${json.elementExists(column, path)})`;
  if (condition.kind === 'compare' && json.elementCompare) {
    const { type } = condition;
    const comparisons = condition.comparisons.map(({ operator, value }) => ({
      operator,
      value: () => json.paramOperand(params.add(dialect.bind(type, value)), type),
    }));
    return `(${scalar} OR ${json.elementCompare(column, path, type, comparisons)})`;
  }
  return `(${scalar} OR ${json.someElement(column, path, holds)})`;
}

/** `condition` on one JSON value (the value at a path, or an array's element), its placeholders allocated left to right. */
function jsonPredicate(value: JsonValue, condition: Condition, dialect: SqlDialect, params: SqlParams): string {
  if (condition.kind === 'exists') return value.exists();
  if (condition.kind === 'equalsAny') throw new Error('a list of values is rendered whole (renderJson)');
  if (condition.kind === 'like') {
    const guard = value.typeGuard('text');
    return `(${guard} AND ${renderLike(value.textOperand(), condition.patterns, dialect, params)})`;
  }
  const { type } = condition;
  const parts = [value.typeGuard(type)];
  for (const { operator, value: bound } of condition.comparisons) {
    // A string range compares SQL text in byte order: PostgreSQL orders jsonb strings by the database's collation.
    if (type === 'text' && operator !== '=') {
      const operand = dialect.byteOrder(value.textOperand(), operator);
      parts.push(`${operand} ${operator} ${dialect.paramOperand(params.add(bound), 'text')}`);
      continue;
    }
    if (type === 'number' && dialect.json.compareNumber) {
      parts.push(dialect.json.compareNumber(value, operator, bound as number, params));
      continue;
    }
    const operand = value.valueOperand();
    parts.push(`${operand} ${operator} ${dialect.json.paramOperand(params.add(dialect.bind(type, bound)), type)}`);
  }
  return `(${parts.join(' AND ')})`;
}

/** `operand` matches one of `patterns`: one LIKE, or the dialect's list form for several. */
function renderLike(operand: string, patterns: readonly string[], dialect: SqlDialect, params: SqlParams): string {
  const [first] = patterns;
  if (patterns.length === 1 && first !== undefined) return dialect.like(operand, params.add(first));
  if (!dialect.likeAny) throw new Error('LIKE patterns grouped for a dialect without a list form');
  return dialect.likeAny.match(operand, params.add(dialect.likeAny.bind(patterns)));
}
