import type { ColumnInfo, ReadSort } from '../connections/types.js';
import { QueryError } from './query-error.js';
import { quoteIdentifier, resolveField } from './resolve-field.js';
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
  /** A cursor's sort value as an operand comparable with `operand`. */
  param(params: SqlParams, value: unknown): string;
  /** Whether the sort value can be NULL: then NULLs sort last and the cursor condition handles them. */
  nullable: boolean;
}

const DIALECTS = { sqlite: sqliteDialect, postgres: postgresDialect } satisfies Record<DialectName, SqlDialect>;

/** The sort value of a JSON path: JSON null is "no value" (NULL, sorted last), as `_exists_` treats it. */
const JSON_SORT: Record<DialectName, { value: (operand: string) => string; param: (placeholder: string) => string; bind: (value: unknown) => unknown }> = {
  sqlite: { value: (operand) => operand, param: (placeholder) => placeholder, bind: (value) => value },
  // jsonb orders values of one type naturally and types among each other in a fixed order; the cursor comes back as jsonb.
  postgres: {
    value: (operand) => `NULLIF(${operand}, 'null'::jsonb)`,
    param: (placeholder) => `${placeholder}::jsonb`,
    bind: (value) => JSON.stringify(value),
  },
};

/** Resolves `sort.by` against the table's columns; throws QueryError (offset within `by`) when it names nothing sortable. */
export function sortTarget(sort: ReadSort, columns: readonly ColumnInfo[], name: DialectName): SortTarget {
  const dialect = DIALECTS[name];
  const target = resolveField({ name: sort.by, offset: 0 }, columns);
  const column = quoteIdentifier(target.column.name);
  if (target.kind === 'json') {
    const json = JSON_SORT[name];
    const path = dialect.json.pathParam(target.path);
    return {
      operand: (params) => json.value(dialect.json.valueOperand(column, { keys: target.path, param: () => params.add(path) })),
      param: (params, value) => json.param(params.add(json.bind(value))),
      nullable: true,
    };
  }
  const { type, nullable } = target.column;
  if (type === 'json') {
    throw new QueryError(`"${sort.by}" is a JSON column: sort by a key inside it (${sort.by}.key)`, 0, sort.by);
  }
  // Plain placeholders: PostgreSQL infers their type from the column, and a cast would keep it off an index.
  // SQLite timestamps are compared normalised (text written with zone offsets would misorder), which can be NULL.
  const timestamp = type === 'timestamp';
  return {
    operand: () => dialect.columnOperand(column, timestamp ? 'timestamp' : 'text'),
    param: (params, value) => params.add(value),
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
