import type { Condition } from './conditions.js';
import type { FieldTarget } from './resolve-field.js';
import { quoteIdentifier } from './resolve-field.js';
import type { JsonPath, JsonValue, SqlDialect, SqlParams } from './sql-dialect.js';

/** Renders one leaf predicate. Conjunctions come out parenthesized so the result nests anywhere. */
export function renderCondition(target: FieldTarget, condition: Condition, dialect: SqlDialect, params: SqlParams): string {
  const column = quoteIdentifier(target.column.name);
  if (target.kind === 'json') return renderJson(column, target.path, condition, dialect, params);
  switch (condition.kind) {
    case 'exists':
      return `${column} IS NOT NULL`;
    case 'like':
      return dialect.like(column, params.add(condition.pattern));
    case 'compare': {
      const { type, ignoreCase } = condition;
      if (type === 'timestamp') {
        const parts = condition.comparisons.map(({ operator, value }) => dialect.compareTimestamp(column, operator, String(value), params));
        return parts.length === 1 ? parts.join('') : `(${parts.join(' AND ')})`;
      }
      const caseFold = (operand: string): string => (ignoreCase ? dialect.foldCase(operand) : operand);
      const parts = condition.comparisons.map(({ operator, value }) => {
        const folded = caseFold(dialect.columnOperand(column, type));
        // A uuid, enum or inet (PostgreSQL) has no collation to override: it compares in its own order.
        const operand = type === 'text' && target.column.collatable !== false ? dialect.byteOrder(folded, operator) : folded;
        return `${operand} ${operator} ${caseFold(dialect.paramOperand(params.add(dialect.bind(type, value)), type))}`;
      });
      return parts.length === 1 ? parts.join('') : `(${parts.join(' AND ')})`;
    }
  }
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
  if (condition.kind === 'like') {
    const guard = value.typeGuard('text');
    return `(${guard} AND ${dialect.like(value.textOperand(), params.add(condition.pattern))})`;
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
    const operand = value.valueOperand();
    parts.push(`${operand} ${operator} ${dialect.json.paramOperand(params.add(dialect.bind(type, bound)), type)}`);
  }
  return `(${parts.join(' AND ')})`;
}
