import { hash } from 'node:crypto';
import { sqliteDialect } from '../query/sqlite-dialect.js';
import { quoteIdentifier } from './sql-identifiers.js';
import type { ColumnType } from './types.js';

/**
 * The built-in users table (DESIGN.md "Records"), shared by every driver: each driver only says
 * which SQL type spells each logical type.
 */
export interface UsersTableColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly primaryKey?: true;
  /** Unique when present: several users may leave the column NULL. */
  readonly unique?: true;
}

export const usersTableColumns: readonly UsersTableColumn[] = [
  { name: 'user_id', type: 'text', primaryKey: true },
  { name: 'email', type: 'text', unique: true },
  { name: 'email_verified', type: 'boolean' },
  { name: 'username', type: 'text', unique: true },
  { name: 'phone_number', type: 'text' },
  { name: 'phone_verified', type: 'boolean' },
  { name: 'given_name', type: 'text' },
  { name: 'family_name', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'nickname', type: 'text' },
  { name: 'picture', type: 'text' },
  { name: 'blocked', type: 'boolean' },
  { name: 'password_hash', type: 'text' },
  { name: 'custom_password_hash', type: 'json' },
  { name: 'app_metadata', type: 'json' },
  { name: 'user_metadata', type: 'json' },
  { name: 'mfa_factors', type: 'json' },
  { name: 'connection', type: 'text' },
  { name: 'created_at', type: 'timestamp' },
  { name: 'updated_at', type: 'timestamp' },
  { name: 'last_login', type: 'timestamp' },
  { name: 'logins_count', type: 'integer' },
];

/**
 * Columns an upsert never changes on an existing user, whatever the mapping says (the job's key
 * columns are added to these). Identity and credentials must not drift through a bulk update.
 */
export const neverUpsertableColumns: ReadonlySet<string> = new Set(['user_id', 'username', 'password_hash', 'created_at']);

/** Whether an upsert may overwrite `column` of an existing row when the job matches users on `key`. */
export function isUpsertable(column: string, key: readonly string[]): boolean {
  return !neverUpsertableColumns.has(column) && !key.includes(column);
}

/**
 * A user_id for a new user: `ferry|` + the job's start (ms, 12 hex) + 6 hex of the job id's sha256
 * + the record's row (10 hex).
 * - The same (job, row) always gives the same id, so a crashed-and-resumed job writes exactly what
 *   an uninterrupted run would.
 * - A job's ids ascend, and later jobs' ids sort after earlier ones, so inserts append to the
 *   primary-key index. Ids hashed from the email landed on random pages, which halved insert speed.
 * - Nothing about the user can be read from the id or confirmed against it, unlike a hash of the email.
 */
export function generateUserId(job: string, now: string, row: number): string {
  return jobUserIds(job, now).id(row);
}

/** The user_ids one job generates: built once per batch, since the prefix costs a sha256. */
export interface JobUserIds {
  id(row: number): string;
  /**
   * The source row of an id this job generated, else undefined: how a writer tells a user this
   * job inserted (the key's first row, DUPLICATE_IN_SOURCE) from one that was there before,
   * without recording the key of every inserted row.
   */
  rowOf(id: unknown): number | undefined;
}

export function jobUserIds(job: string, now: string): JobUserIds {
  const started = Date.parse(now);
  // crypto.hash: one call, several times cheaper than a Hash object for inputs this small.
  const prefix = `ferry|${started.toString(16).padStart(12, '0')}${hash('sha256', job, 'hex').slice(0, 6)}`;
  return {
    id: (row) => `${prefix}${row.toString(16).padStart(10, '0')}`,
    rowOf: (id) => {
      if (typeof id !== 'string' || id.length !== prefix.length + 10 || !id.startsWith(prefix)) return undefined;
      const digits = id.slice(prefix.length);
      return /^[0-9a-f]{10}$/.test(digits) ? Number.parseInt(digits, 16) : undefined;
    },
  };
}

/**
 * True when a table has every built-in column: Ferry then applies the built-in rules (email stored
 * lower-case, user_id generated). A table Ferry did not create but shaped the same way counts too.
 */
export function isUsersTable(columnNames: Iterable<string>): boolean {
  const names = new Set(columnNames);
  return usersTableColumns.every((c) => names.has(c.name));
}

/** How one dialect writes the built-in table: a SQL type per logical type, and collations if any. */
export interface UsersTableDialect {
  types: Record<ColumnType, string>;
  emailCollation?: string;
  /** Collation of the other unique text columns (and of email without `emailCollation`). */
  uniqueCollation?: string;
  /** A timestamp column as the dialect's export sort compares it (src/query): what its order index must hold. */
  timestampSort: (column: string) => string;
  /** The order index's name after `<table>_<column>_`; absent: `order`. A new `timestampSort` needs a new name, so that IF NOT EXISTS creates it. */
  orderIndex?: string;
}

/** The columns exports are most often sorted or filtered by: each gets an index in sort order (see `usersTableDdl`). */
const orderedColumns = ['created_at', 'updated_at'];

/**
 * CREATE TABLE plus the unique indexes on email and username, and an index on (sort value,
 * user_id) of created_at and updated_at — exactly what an export's keyset page compares, so each
 * page of an export sorted or filtered by them costs the same wherever it is (without one, every
 * page rescans and resorts the table: an export of a million users took hours). One statement per
 * string; `IF NOT EXISTS` so two processes racing to create it both succeed. `schema`
 * (PostgreSQL) qualifies the table; its indexes land in the same schema.
 */
export function usersTableDdl(table: string, dialect: UsersTableDialect, schema?: string): string[] {
  const columns = usersTableColumns.map((c) => columnDdl(c, dialect));
  const target = schema === undefined ? quoteIdentifier(table) : `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  return [
    `CREATE TABLE IF NOT EXISTS ${target} (\n  ${columns.join(',\n  ')}\n)`,
    ...usersTableColumns
      .filter((c) => c.unique)
      .map((c) => `CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_${c.name}_key`)} ON ${target} (${quoteIdentifier(c.name)})`),
    ...orderIndexDdl(table, dialect, target),
  ];
}

/** The order indexes of `usersTableDdl`; `target` is the table as its statements name it. */
function orderIndexDdl(table: string, dialect: UsersTableDialect, target = quoteIdentifier(table)): string[] {
  return orderedColumns.map(
    (name) =>
      `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table}_${name}_${dialect.orderIndex ?? 'order'}`)} ON ${target} (${dialect.timestampSort(quoteIdentifier(name))}, ${quoteIdentifier('user_id')})`,
  );
}

/**
 * SQLite: declared types chosen so introspection maps them back to the same logical types.
 * Email is COLLATE NOCASE so the unique index also serves the case-insensitive key lookup.
 */
export const sqliteUsersTableDialect: UsersTableDialect = {
  types: { text: 'TEXT', integer: 'INTEGER', real: 'REAL', boolean: 'BOOLEAN', json: 'JSON', timestamp: 'TIMESTAMP' },
  emailCollation: 'NOCASE',
  // An expression index: SQLite compares timestamps normalised, and uses the index only for that very expression.
  timestampSort: (column) => sqliteDialect.columnOperand(column, 'timestamp'),
  // `order2`: the expression now also reads the timestamps other tools write (`+0200`, `t`, `z`;
  // src/query/sqlite-instants.ts). An `…_order` index, in a store made before, holds the former
  // expression, which no query uses any more.
  orderIndex: 'order2',
};

export function sqliteUsersTableDdl(table: string): string[] {
  return usersTableDdl(table, sqliteUsersTableDialect);
}

/**
 * A SQLite built-in users table made before `order2`: the names of its former order indexes, and
 * the statements creating the current ones, which replace them (sqlite/schema.ts `upgradeOrderIndexes`).
 */
export const sqliteOrderIndexUpgrade = (table: string): { former: string[]; create: string[] } => ({
  former: orderedColumns.map((name) => `${table}_${name}_order`),
  create: orderIndexDdl(table, sqliteUsersTableDialect),
});

function columnDdl(column: UsersTableColumn, dialect: UsersTableDialect): string {
  const parts = [quoteIdentifier(column.name), dialect.types[column.type]];
  if (column.primaryKey) parts.push('PRIMARY KEY NOT NULL');
  if (column.name === 'email' && dialect.emailCollation) parts.push(`COLLATE ${dialect.emailCollation}`);
  else if ((column.primaryKey || column.unique) && column.type === 'text' && dialect.uniqueCollation) parts.push(`COLLATE ${dialect.uniqueCollation}`);
  return parts.join(' ');
}
