import type { ValueType } from './conditions.js';
import type { SqlDialect } from './sql-dialect.js';

const CASTS: Record<ValueType, string> = { text: 'text', number: 'numeric', boolean: 'boolean', timestamp: 'timestamptz' };
const JSON_TYPES: Record<ValueType, string> = { text: 'string', number: 'number', boolean: 'boolean', timestamp: 'string' };

/** `::jsonb` makes the same SQL work for json, jsonb and text columns holding JSON. */
function jsonValue(column: string, path: string): string {
  return `${column}::jsonb #> ${path}::text[]`;
}

/** A–Z lower-cased, every other letter kept: what SQLite's lower() does, whatever the database's locale. */
function foldAscii(operand: string): string {
  return `translate(${operand}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
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
  // LIKE on both sides folded as SQLite folds (see SqlDialect `like`): ILIKE folds every letter by the locale
  like: (operand, placeholder) => `${foldAscii(operand)} LIKE ${foldAscii(placeholder)} ESCAPE '\\'`,
  foldCase: foldAscii,
  json: {
    pathParam: (path) => [...path],
    exists: (column, path) => `(${column}::jsonb #>> ${path}::text[]) IS NOT NULL`,
    typeGuard: (column, path, type) => `jsonb_typeof(${jsonValue(column, path)}) = '${JSON_TYPES[type]}'`,
    valueOperand: (column, path) => `(${jsonValue(column, path)})`,
    paramOperand: (placeholder, type) => `to_jsonb(${placeholder}::${CASTS[type]})`,
    textOperand: (column, path) => `(${column}::jsonb #>> ${path}::text[])`,
  },
};
