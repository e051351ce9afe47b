import type { ColumnInfo, ColumnType } from '../connections/types.js';
import type { FieldRef } from './ast.js';
import { QueryError } from './query-error.js';

/**
 * A column as a store reads it, with what only PostgreSQL has: an array type (`text[]`, `int4[]`,
 * `jsonb[]`…), whose element's logical type is `arrayOf`. Such a column is `text` to the writer (a
 * list is written as an array literal), but a query compares its elements: `roles:admin` was
 * compared with the whole array and failed the job ("malformed array literal").
 */
export interface QueryColumn extends ColumnInfo {
  arrayOf?: ColumnType;
  /**
   * A PostgreSQL column whose values (an array's elements) have no equality or order of their own
   * (no default btree operator class: point, line, box, circle, polygon, path, xml, a composite
   * type…): `pt:x` failed the job at planning ("operator does not exist: point = unknown"), and a
   * box's `=` compares areas. A term or phrase compares the text the server gives for the value
   * with that of the query's value cast to `compareAs` (its SQL type); a range is refused.
   * `declared` is the column's type as SQL (`point[]`), for messages.
   */
  unordered?: { compareAs: string; declared: string };
}

/** How a PostgreSQL column without equality or order is compared (QueryColumn `unordered`), or undefined. */
export function unorderedOf(column: ColumnInfo): QueryColumn['unordered'] {
  return (column as QueryColumn).unordered;
}

/** The element type of a PostgreSQL array column, or undefined for any other column. */
export function arrayElementOf(column: ColumnInfo): ColumnType | undefined {
  return (column as QueryColumn).arrayOf;
}

/**
 * What a field name refers to: a real column, a path of keys inside a JSON column, or a PostgreSQL
 * array column, whose elements are compared as values of `element` (one of them holding is enough).
 */
export type FieldTarget =
  | { kind: 'column'; column: ColumnInfo }
  | { kind: 'json'; column: ColumnInfo; path: string[]; arrayDocument?: true }
  | { kind: 'array'; column: ColumnInfo; element: ColumnType };

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
  if (exact) {
    const element = arrayElementOf(exact);
    return element === undefined ? { kind: 'column', column: exact } : { kind: 'array', column: exact, element };
  }
  const [head = '', ...path] = field.name.split('.');
  const column = columns.find((c) => c.name === head);
  if (!column || path.length === 0) {
    throw new QueryError(`unknown field "${field.name}"; ${describeFields(columns)}`, field.offset, field.name);
  }
  if (column.type !== 'json') {
    const kind = arrayElementOf(column) === undefined ? column.type : 'array';
    const message = `"${head}" is a${kind === 'integer' || kind === 'array' ? 'n' : ''} ${kind} column: only JSON columns have paths; ${describeFields(columns)}`;
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
