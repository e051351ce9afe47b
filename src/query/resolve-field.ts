import type { ColumnInfo } from '../connections/types.js';
import type { FieldRef } from './ast.js';
import { QueryError } from './query-error.js';

/** What a field name refers to: a real column, or a path of keys inside a JSON column. */
export type FieldTarget = { kind: 'column'; column: ColumnInfo } | { kind: 'json'; column: ColumnInfo; path: string[] };

/**
 * JSON path keys are passed to the database as parameters, never spliced into SQL; they are still
 * restricted so that the SQLite path text (`$."a"."b"`) needs no escaping and typos stand out.
 */
const PATH_KEY = /^[\p{L}\p{N}_-]+$/u;

/**
 * Resolves a field against the table's real columns. Only names resolved here ever reach the SQL
 * text, and then double-quoted; anything else is a QueryError at the field's offset.
 */
export function resolveField(field: FieldRef, columns: readonly ColumnInfo[]): FieldTarget {
  const exact = columns.find((column) => column.name === field.name);
  if (exact) return { kind: 'column', column: exact };
  const [head = '', ...path] = field.name.split('.');
  const column = columns.find((c) => c.name === head);
  if (!column || path.length === 0) {
    throw new QueryError(`unknown field "${field.name}"; ${describeFields(columns)}`, field.offset, field.name);
  }
  if (column.type !== 'json') {
    const message = `"${head}" is a ${column.type} column: only JSON columns have paths; ${describeFields(columns)}`;
    throw new QueryError(message, field.offset, field.name);
  }
  // `user_metadata.a\.b` meant the key "a.b", and silently matched {"a": {"b": …}} instead.
  if (field.escapedDot !== undefined) {
    const message = `${field.name}: an escaped dot (\\.) would be part of a JSON key, which no path reaches: each dot steps into an object, and keys are letters, digits, _ and -`;
    throw new QueryError(message, field.escapedDot, field.name);
  }
  let keyOffset = field.offset + head.length + 1;
  for (const key of path) {
    if (!PATH_KEY.test(key)) {
      const message = `invalid key "${key}" in the JSON path ${field.name}: keys are letters, digits, _ and -`;
      throw new QueryError(message, keyOffset, field.name);
    }
    keyOffset += key.length + 1;
  }
  return { kind: 'json', column, path };
}

function describeFields(columns: readonly ColumnInfo[]): string {
  const names = columns.map((column) => column.name);
  const json = columns.filter((column) => column.type === 'json').map((column) => `${column.name}.<key>`);
  const known = `known fields: ${names.join(', ')}`;
  return json.length > 0 ? `${known} (JSON paths: ${json.join(', ')})` : known;
}

/** An identifier for SQL text: double-quoted, embedded quotes doubled (same rule in SQLite and PostgreSQL). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
