import type { ValueType } from './conditions.js';
import type { SqlDialect } from './sql-dialect.js';

const CASTS: Record<ValueType, string> = { text: 'text', number: 'numeric', boolean: 'boolean', timestamp: 'timestamptz' };
const JSON_TYPES: Record<ValueType, string> = { text: 'string', number: 'number', boolean: 'boolean', timestamp: 'string' };

/** `::jsonb` makes the same SQL work for json, jsonb and text columns holding JSON. */
function jsonValue(column: string, path: string): string {
  return `${column}::jsonb #> ${path}::text[]`;
}

/**
 * PostgreSQL: parameters carry explicit casts so their type never depends on inference; JSON
 * values are compared as jsonb (numbers numerically, strings by the database collation).
 */
export const postgresDialect: SqlDialect = {
  placeholder: (position) => `$${position}`,
  bind: (_type, value) => value,
  columnOperand: (column) => column,
  // Text and boolean parameters take the column's type; numbers and timestamps are cast explicitly.
  paramOperand: (placeholder, type) => (type === 'number' || type === 'timestamp' ? `${placeholder}::${CASTS[type]}` : placeholder),
  like: (operand, placeholder) => `${operand} ILIKE ${placeholder} ESCAPE '\\'`,
  json: {
    pathParam: (path) => [...path],
    exists: (column, path) => `(${column}::jsonb #>> ${path}::text[]) IS NOT NULL`,
    typeGuard: (column, path, type) => `jsonb_typeof(${jsonValue(column, path)}) = '${JSON_TYPES[type]}'`,
    valueOperand: (column, path) => `(${jsonValue(column, path)})`,
    paramOperand: (placeholder, type) => `to_jsonb(${placeholder}::${CASTS[type]})`,
    textOperand: (column, path) => `(${column}::jsonb #>> ${path}::text[])`,
  },
};
