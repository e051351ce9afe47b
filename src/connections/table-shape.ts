import { ConnectionError } from './errors.js';
import { lowerCased } from '../validation/text.js';
import type { ChunkPlace, ColumnInfo, ColumnType, Connection, RestoreBatchInput, WriteBatchInput } from './types.js';

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
  /** The built-in table's email_verified and phone_verified: false when a new user leaves them out. */
  emailVerified?: number;
  phoneVerified?: number;
}

/**
 * Where the writer fills a new row's missing values: user_id (built-in table only, from the key)
 * and created_at/updated_at (any table, from the job's `now`) — the latter only when the column
 * holds text or a timestamp, since `now` is an ISO string and an epoch-integer column must not get one.
 * The built-in table's email_verified and phone_verified default to false, as the import format
 * says (shared/reference/user-import-format.md): a user imported without them was never verified.
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
    emailVerified: shape.usersTable ? shape.position.get('email_verified') : undefined,
    phoneVerified: shape.usersTable ? shape.position.get('phone_verified') : undefined,
  };
}

/** The built-in table's flags a new user gets as false when the record leaves them out. */
const verifiedColumns = ['email_verified', 'phone_verified'];

/** Columns the writer fills when a new row leaves them out (see `generatedColumns`): introspection reports them as having a default. */
export function filledByFerry(column: string, type: ColumnType, usersTable: boolean): boolean {
  return (
    (usersTable && (column === 'user_id' || verifiedColumns.includes(column))) || ((column === 'created_at' || column === 'updated_at') && isTextual(type))
  );
}

/**
 * What both drivers' connections also answer, beside `Connection`: the names of the table's
 * GENERATED ALWAYS AS (…) columns, VIRTUAL or STORED, which the database computes and no write may
 * assign — of the table as the last `columns()` read it (none before: asking never opens or creates
 * a table). SQLite's columns() leaves them out and PostgreSQL's lists them, so only this tells a
 * mapping naming one that it is generated, not missing or writable.
 */
export interface GeneratedColumnNames {
  generatedColumns(): Promise<string[]>;
  /**
   * The names of its GENERATED ALWAYS AS IDENTITY columns (PostgreSQL), read as `generatedColumns`:
   * the database numbers new rows, so no write may give one a value, yet an upsert may match by one.
   */
  identityColumns(): Promise<string[]>;
}

/** `connection`'s generated columns (GeneratedColumnNames); none from a connection that cannot say. */
export async function generatedColumnNames(connection: Connection): Promise<string[]> {
  const names = (connection as Partial<GeneratedColumnNames>).generatedColumns;
  return typeof names === 'function' ? names.call(connection) : [];
}

/** `connection`'s GENERATED ALWAYS identity columns (GeneratedColumnNames); none from a connection that cannot say. */
export async function identityColumnNames(connection: Connection): Promise<string[]> {
  const names = (connection as Partial<GeneratedColumnNames>).identityColumns;
  return typeof names === 'function' ? names.call(connection) : [];
}

/**
 * The mapped identity columns a job may not write (`identityColumns` in write-rules.ts): all of
 * them, but for those of the key of an upsert, which match stored rows and are never written. Each
 * with whether it is a key of an import in insert mode (then the rows it keys could only be refused).
 */
export function refusedIdentityColumns(
  identity: readonly string[],
  mapped: readonly string[],
  target: { key: readonly string[]; upsert: boolean },
): { name: string; insertMode: boolean }[] {
  return identity
    .filter((name) => mapped.includes(name) && !(target.upsert && target.key.includes(name)))
    .map((name) => ({ name, insertMode: target.key.includes(name) }));
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
  return shape.usersTable && (column === 'email' || column === 'username') && typeof value === 'string' ? lowerCased(value) : value;
}

/**
 * "writing rows 3501–4000 of job x" ("writing chunk 2, rows …" past a batch's first chunk): what a
 * driver's error says the failure was about. The job names the batch itself ("batch 7: …") when it
 * reports the failure, so it is not said twice.
 */
export function writeContext(input: WriteBatchInput): string {
  const first = input.rows[0]?.row;
  const last = input.rows.at(-1)?.row;
  return `writing ${chunkName(input.chunk)}${first === undefined ? 'no rows' : `rows ${first}–${last}`} of job ${input.job}`;
}

/** "restoring the rows of rollback job x" (as writeContext, the batch is named by the job). */
export function restoreContext(input: RestoreBatchInput): string {
  return `restoring ${chunkName(input.chunk)}the rows of job ${input.job}`;
}

function chunkName(chunk: ChunkPlace | undefined): string {
  return chunk === undefined || chunk.chunk === 0 ? '' : `chunk ${chunk.chunk + 1}, `;
}

function isTextual(type: ColumnType): boolean {
  return type === 'timestamp' || type === 'text';
}
