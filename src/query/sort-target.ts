import type { ColumnInfo, ReadSort } from '../connections/types.js';
import { QueryError } from './query-error.js';
import { quoteIdentifier, resolveField, unorderedOf } from './resolve-field.js';
import { postgresDialect } from './postgres-dialect.js';
import type { DialectName, SqlDialect, SqlParams } from './sql-dialect.js';
import { sqliteDialect } from './sqlite-dialect.js';

/**
 * What an export sorts by, as SQL: the sort value of a row, and how a cursor's sort value is bound
 * to be compared with it. JSON paths go through `resolveField`, the same rules and path parameters
 * as query fields, so the sort never splices user text into SQL either.
 */
export interface SortTarget {
  /** The row's sort value; allocates its parameters (a JSON path) on each call, so call it where it appears. */
  operand(params: SqlParams): string;
  /**
   * SQL for the exact digits of a row's sort value where the planning scan's reading of it can be
   * rounded, else NULL: an integer beyond ±2^53 on SQLite (read as a double) and a JSON number on
   * PostgreSQL (parsed as a double). Allocates its parameters as `operand` does.
   */
  exactText(params: SqlParams): string;
  /** A cursor's sort value as an operand comparable with `operand`; `exact`, when the cursor has them, its digits (see `exactText`). */
  param(params: SqlParams, value: unknown, exact?: string): string;
  /** Whether the sort value can be NULL: then NULLs sort last and the cursor condition handles them. */
  nullable: boolean;
}

const DIALECTS = { sqlite: sqliteDialect, postgres: postgresDialect } satisfies Record<DialectName, SqlDialect>;

/** The sort value of a JSON path: JSON null is "no value" (NULL, sorted last), as `_exists_` treats it. */
const JSON_SORT: Record<
  DialectName,
  {
    value: (operand: string) => string;
    exact: (value: () => string) => string;
    param: (placeholder: string) => string;
    bind: (value: unknown, exact?: string) => unknown;
  }
> = {
  sqlite: { value: (operand) => operand, exact: sqliteExactInteger, param: (placeholder) => placeholder, bind: bindSqlite },
  // jsonb orders values of one type naturally and types among each other in a fixed order; the cursor comes back as jsonb.
  postgres: {
    value: (operand) => `NULLIF(${operand}, 'null'::jsonb)`,
    // jsonb numbers are exact decimals: 9007199254740993 or 0.10000000000000000001 come back as another double,
    // also inside an array or object (`[7, 0.10000000000000000001]`), whose cursor then matched no row.
    exact: (value) => `CASE WHEN jsonb_typeof(${value()}) IN ('number', 'array', 'object') THEN (${value()})::text END`,
    param: (placeholder) => `${placeholder}::jsonb`,
    bind: (value, exact) => exact ?? JSON.stringify(value),
  },
};

/** SQLite gives an INTEGER to JavaScript as a double: beyond ±2^53 another number. Its text is exact (the cursor decides whether it is needed). */
function sqliteExactInteger(value: () => string): string {
  return `CASE typeof(${value()}) WHEN 'integer' THEN CAST(${value()} AS TEXT) END`;
}

/** An integer read back exactly is bound as one (better-sqlite3 binds a bigint as an INTEGER): its double would compare unequal to every stored copy. */
function bindSqlite(value: unknown, exact?: string): unknown {
  return exact !== undefined && /^-?\d+$/.test(exact) ? BigInt(exact) : value;
}

/** Resolves `sort.by` against the table's columns; throws QueryError (offset within `by`) when it names nothing sortable. */
export function sortTarget(sort: ReadSort, columns: readonly ColumnInfo[], name: DialectName): SortTarget {
  const dialect = DIALECTS[name];
  const target = resolveField({ name: sort.by, offset: 0 }, columns);
  const column = quoteIdentifier(target.column.name);
  if (target.kind === 'json') {
    const json = JSON_SORT[name];
    const path = dialect.json.pathParam(target.path);
    const operand = (params: SqlParams): string => json.value(dialect.json.at(column, { keys: target.path, param: () => params.add(path) }).valueOperand());
    return {
      operand,
      exactText: (params) => json.exact(() => operand(params)),
      param: (params, value, exact) => json.param(params.add(json.bind(value, exact))),
      nullable: true,
    };
  }
  const { type, nullable } = target.column;
  // An array orders element by element, and its elements came back rounded (timestamps to the
  // millisecond): cursors that matched no row repeated or skipped rows at page boundaries.
  if (target.kind === 'array') {
    throw new QueryError(`"${sort.by}" is an array column: an export sorts by one value a row, sort by another column`, 0, sort.by);
  }
  if (type === 'json') {
    throw new QueryError(`"${sort.by}" is a JSON column: sort by a key inside it (${sort.by}.key)`, 0, sort.by);
  }
  const unordered = unorderedOf(target.column);
  if (unordered) {
    throw new QueryError(
      `"${sort.by}" cannot order an export: its type, ${unordered.declared}, has no order in PostgreSQL; sort by another column`,
      0,
      sort.by,
    );
  }
  // Plain placeholders: PostgreSQL infers their type from the column, and a cast would keep it off an index.
  // SQLite timestamps are compared normalised (text written with zone offsets would misorder), which can be NULL.
  const timestamp = type === 'timestamp';
  // A PostgreSQL bigint or numeric comes back as its text, which binds back exactly. In SQLite any
  // column but a timestamp (read as text) may hold an INTEGER: a NUMERIC one, one declared without a type.
  const integers = name === 'sqlite' && !timestamp;
  // A PostgreSQL type Ferry reads as text but the driver parses (interval, bytea, a range…) came back
  // as an object, which bound as a cursor named no value ("invalid input syntax for type interval"):
  // its text, which the server parses back exactly, is the cursor's (in a CASE: a column named as
  // the sort column would make the scan's ORDER BY ambiguous).
  const opaque = name === 'postgres' && type === 'text' && target.column.collatable === false;
  return {
    operand: () => dialect.columnOperand(column, timestamp ? 'timestamp' : 'text'),
    exactText: () => (integers ? sqliteExactInteger(() => column) : opaque ? `CASE WHEN ${column} IS NOT NULL THEN (${column})::text END` : 'NULL'),
    param: (params, value, exact) => params.add(name === 'sqlite' ? bindSqlite(value, exact) : (exact ?? value)),
    nullable: nullable || (timestamp && name === 'sqlite'),
  };
}

/** Validation-time check of `sort.by`: the error `sortTarget` would throw, or undefined. */
export function checkSort(by: string, columns: readonly ColumnInfo[]): QueryError | undefined {
  try {
    sortTarget({ by, order: 'asc' }, columns, 'sqlite');
    return undefined;
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
}
