import { ConnectionError } from './errors.js';
import type { ChunkPlace, ColumnInfo, ColumnType, RestoreBatchInput, WriteBatchInput } from './types.js';

/**
 * Driver-neutral facts about a target table that decide how a batch is written: which columns
 * Ferry fills itself, how the key resolves to columns, how a value is stored. Each driver's shape
 * (read from its own catalog) extends `TableColumns`, so both apply the same rules.
 */
export interface TableColumns {
  table: string;
  columns: ColumnInfo[];
  /** Column name → position in `columns`. */
  position: Map<string, number>;
  /** Every built-in column is present: email is stored lower-case and user_id generated. */
  usersTable: boolean;
}

/** Positions of the columns Ferry fills on insert; absent when the table lacks them or does not get them. */
export interface GeneratedColumns {
  userId?: number;
  createdAt?: number;
  updatedAt?: number;
}

/**
 * Where the writer fills a new row's missing values: user_id (built-in table only, from the key)
 * and created_at/updated_at (any table, from the job's `now`) — the latter only when the column
 * holds text or a timestamp, since `now` is an ISO string and an epoch-integer column must not get one.
 */
export function generatedColumns(shape: TableColumns): GeneratedColumns {
  const textual = (name: string): number | undefined => {
    const position = shape.position.get(name);
    const column = position === undefined ? undefined : shape.columns[position];
    return column !== undefined && isTextual(column.type) ? position : undefined;
  };
  return {
    userId: shape.usersTable ? shape.position.get('user_id') : undefined,
    createdAt: textual('created_at'),
    updatedAt: textual('updated_at'),
  };
}

/** Columns the writer fills when a new row leaves them out (see `generatedColumns`): introspection reports them as having a default. */
export function filledByFerry(column: string, type: ColumnType, usersTable: boolean): boolean {
  return (usersTable && column === 'user_id') || ((column === 'created_at' || column === 'updated_at') && isTextual(type));
}

/** A key naming no real column is the pipeline's mistake, not a row's: the whole batch fails, not retryable. */
export function keyPositions(shape: TableColumns, key: readonly string[]): number[] {
  if (key.length === 0) throw new ConnectionError('target.key is empty: at least one key column is needed to match users', { retryable: false });
  return key.map((name) => {
    const position = shape.position.get(name);
    if (position === undefined) {
      throw new ConnectionError(`key column ${name} is not a column of table ${shape.table}. Hint: check target.key`, { retryable: false });
    }
    return position;
  });
}

/**
 * The built-in table stores email and username lower-case: lookups by email use its index exactly,
 * and `Bob` and `bob` are one username (the user rules lower-case it), not two users.
 */
export function storedForm(shape: TableColumns, column: string, value: unknown): unknown {
  return shape.usersTable && (column === 'email' || column === 'username') && typeof value === 'string' ? value.toLowerCase() : value;
}

/**
 * "batch 7 (rows 3501–4000) of job x": what an error message says the failure was about. A chunk
 * is named by its batch, and by its place in it past the first ("batch 7, chunk 2 (rows …)").
 */
export function batchContext(input: WriteBatchInput): string {
  const first = input.rows[0]?.row;
  const last = input.rows.at(-1)?.row;
  return `${batchName(input)}${first === undefined ? '' : ` (rows ${first}–${last})`} of job ${input.job}`;
}

/** "restoring batch 7 of job x". */
export function restoreContext(input: RestoreBatchInput): string {
  return `restoring ${batchName(input)} of job ${input.job}`;
}

function batchName({ batch, chunk }: { batch: number; chunk?: ChunkPlace }): string {
  if (chunk === undefined) return `batch ${batch}`;
  return `batch ${chunk.batch}${chunk.chunk === 0 ? '' : `, chunk ${chunk.chunk + 1}`}`;
}

function isTextual(type: ColumnType): boolean {
  return type === 'timestamp' || type === 'text';
}
