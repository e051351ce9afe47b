import type { Database } from 'better-sqlite3';
import { ConnectionError, missingTable } from '../errors.js';
import { filledByFerry, type TableColumns } from '../table-shape.js';
import type { ColumnInfo, ColumnType, TableUse } from '../types.js';
import { affinityOf, type Affinity } from './affinity.js';
import { isUsersTable, sqliteOrderIndexUpgrade, sqliteUsersTableDdl } from '../users-table.js';
import { quoteIdentifier } from '../sql-identifiers.js';

/** What the writer needs to know about the target table, read once from SQLite's catalog. */
export interface TableShape extends TableColumns {
  /** Unique index name → its columns ('' for an expression), to name the column of a constraint error. */
  uniqueIndexes: Map<string, string[]>;
  /** Per column: its type affinity, which may convert a value as it is stored (sqlite/predict.ts). */
  affinities: Affinity[];
  /** Positions of columns SQLite fills when an insert leaves them out: a declared DEFAULT, or the rowid alias. */
  sqlDefaults: Set<number>;
  /** The table has triggers: a write may store something else than what it was given. */
  hasTriggers: boolean;
  /**
   * It is a view, written through INSTEAD OF triggers: SQLite counts no row a statement on it
   * changes, so only reading the row back tells whether a write took.
   */
  view: boolean;
  /**
   * A constraint of the table declares its own conflict resolution (`UNIQUE ON CONFLICT REPLACE`,
   * `… IGNORE`): a plain INSERT or UPDATE would follow it — REPLACE deleting the other user holding
   * the value, IGNORE dropping the row while it is counted written — so Ferry's statements say
   * OR ABORT, and the conflict is the row's reject as on any table. Only then: the outer statement's
   * clause also overrides those of the statements inside the table's triggers.
   */
  declaresConflict: boolean;
  /**
   * Names of its GENERATED ALWAYS AS (…) columns, VIRTUAL or STORED: SQLite computes them and no
   * statement may assign them, so they are not among `columns` (pragma_table_info leaves them out).
   * A row giving one a value is told that, not that the table has no such column.
   */
  computed: Set<string>;
}

/**
 * Ferry's bookkeeping, in the user store's own file so a batch's rows and its marker commit in one
 * transaction. WITHOUT ROWID: both are looked up by their whole primary key only.
 */
const bookkeepingDdl = [
  `CREATE TABLE IF NOT EXISTS ferry_batches (job TEXT NOT NULL, batch INTEGER NOT NULL, output TEXT NOT NULL, PRIMARY KEY (job, batch)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS ferry_job_keys (job TEXT NOT NULL, key TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (job, key)) WITHOUT ROWID`,
];

/**
 * Creates the bookkeeping tables if missing. The write lock is taken only when something is
 * missing, so opening a store another process is writing to (`ferry validate` during a job) does
 * not wait for its batch.
 */
export function ensureBookkeeping(db: Database): void {
  const present = db.prepare<[], number>("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('ferry_batches', 'ferry_job_keys')").pluck();
  if (present.get() === 2) return;
  db.transaction(() => bookkeepingDdl.forEach((sql) => db.exec(sql))).immediate();
}

/** Creates the built-in users table when `table` does not exist (unless it is only read), then reads its shape. */
export function loadTableShape(db: Database, table: string, use: TableUse = 'write'): TableShape {
  if (readColumns(db, table).length === 0) {
    if (use === 'read') throw missingTable(table, db.name);
    refuseQualifiedName(db, table);
    // IMMEDIATE: the existence check and the CREATE see the same database state.
    db.transaction(() => {
      if (readColumns(db, table).length === 0) sqliteUsersTableDdl(table).forEach((sql) => db.exec(sql));
    }).immediate();
  }
  if (use !== 'read') upgradeOrderIndexes(db, table);
  const uniqueIndexes = readUniqueIndexes(db, table);
  const catalog = readColumns(db, table);
  const columns = toColumnInfos(catalog, uniqueIndexes);
  const triggers = db.prepare<[string], number>("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?").pluck();
  return {
    table,
    columns,
    position: new Map(columns.map((c, i) => [c.name, i])),
    usersTable: isUsersTable(columns.map((c) => c.name)),
    uniqueIndexes,
    affinities: catalog.map((r) => affinityOf(r.type)),
    sqlDefaults: new Set(catalog.flatMap((r, i) => (r.dflt_value !== null || isRowidAlias(r, catalog) ? [i] : []))),
    hasTriggers: (triggers.get(table) ?? 0) > 0,
    // Names compare without case in SQLite, as pragma_table_info found it.
    view: db.prepare<[string], number>("SELECT 1 FROM sqlite_schema WHERE type = 'view' AND name = ? COLLATE NOCASE").pluck().get(table) !== undefined,
    // Only CREATE TABLE's text holds it (no pragma does); a false match only adds OR ABORT.
    declaresConflict: /\bON\s+CONFLICT\b/i.test(
      db.prepare<[string], string | null>("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE").pluck().get(table) ?? '',
    ),
    // hidden 2 and 3: a VIRTUAL and a STORED generated column.
    computed: new Set(db.prepare<[string], string>('SELECT name FROM pragma_table_xinfo(?) WHERE hidden IN (2, 3)').pluck().all(table)),
  };
}

/**
 * A missing table whose name holds a dot is not created: SQLite's own tools read `main.people` or
 * `archive.people` as the table people of a database, so the built-in table Ferry created under that
 * name took the users meant for people, where no query for people found them. (A table already so
 * named is used as it is.)
 */
function refuseQualifiedName(db: Database, table: string): void {
  const dot = table.indexOf('.');
  if (dot < 0) return;
  const name = table.slice(dot + 1);
  throw new ConnectionError(
    `table ${table} is not in ${db.name}, and a name with a dot is read by SQLite as database.table: Ferry does not create it. ` +
      `Hint: name the table without its database (table: ${name}); a SQLite connection writes to the tables of its own file (path)`,
    { retryable: false },
  );
}

/** SQLite declared type → logical type; mirrors SQLite's own affinity rules after Ferry's named types. */
export function columnTypeOf(declared: string): ColumnType {
  const t = declared.toUpperCase();
  if (/\bBOOL(EAN)?\b/.test(t)) return 'boolean';
  if (/\bJSONB?\b/.test(t)) return 'json';
  if (/\b(TIMESTAMP|DATETIME|DATE)\b/.test(t)) return 'timestamp';
  if (t.includes('INT')) return 'integer';
  if (/REAL|FLOA|DOUB|NUMERIC|DECIMAL/.test(t)) return 'real';
  return 'text';
}

interface TableInfoRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}

function readColumns(db: Database, table: string): TableInfoRow[] {
  // Table-valued pragma: the table name is a bound parameter, never spliced into SQL.
  return db.prepare<[string], TableInfoRow>('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid').all(table);
}

function readUniqueIndexes(db: Database, table: string): Map<string, string[]> {
  const names = db.prepare<[string], { name: string }>('SELECT name FROM pragma_index_list(?) WHERE "unique" = 1').all(table);
  const columnsOf = db.prepare<[string], { name: string | null }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno');
  return new Map(names.map(({ name }) => [name, columnsOf.all(name).map((c) => c.name ?? '')]));
}

/** An INTEGER PRIMARY KEY is the rowid: SQLite assigns it when the row leaves it out. */
function isRowidAlias(r: TableInfoRow, rows: readonly TableInfoRow[]): boolean {
  return r.pk > 0 && r.type.toUpperCase() === 'INTEGER' && rows.filter((c) => c.pk > 0).length === 1;
}

function toColumnInfos(rows: TableInfoRow[], uniqueIndexes: Map<string, string[]>): ColumnInfo[] {
  const uniqueColumns = new Set([...uniqueIndexes.values()].filter((cols) => cols.length === 1).map((cols) => cols[0]));
  const pkCount = rows.filter((r) => r.pk > 0).length;
  const usersTable = isUsersTable(rows.map((r) => r.name));
  return rows.map((r) => {
    const rowidAlias = isRowidAlias(r, rows);
    return {
      name: r.name,
      type: columnTypeOf(r.type),
      nullable: r.notnull === 0 && r.pk === 0,
      primaryKey: r.pk > 0,
      unique: uniqueColumns.has(r.name) || (pkCount === 1 && r.pk > 0),
      hasDefault: r.dflt_value !== null || rowidAlias || filledByFerry(r.name, columnTypeOf(r.type), usersTable),
    };
  });
}

/**
 * A built-in users table made by an earlier Ferry holds its created_at and updated_at order
 * indexes (`…_order`) on the former timestamp expression, which no query uses since it also reads
 * other tools' spellings (users-table.ts `order2`): sorted exports of it read without an index, up
 * to 40× slower. The first job that writes to it builds the current ones and drops those (4 s for a
 * million users on a 2-core machine, once). Only a table holding Ferry's own former indexes is touched: an
 * index another tool made under another name is left as it is, and none is added to its tables.
 */
function upgradeOrderIndexes(db: Database, table: string): void {
  const { former, create } = sqliteOrderIndexUpgrade(table);
  const stale = db.prepare<string[], string>(
    `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? COLLATE NOCASE AND name COLLATE NOCASE IN (${former.map(() => '?').join(', ')})`,
  );
  if (stale.pluck().all(table, ...former).length === 0) return;
  db.transaction(() => {
    const names = stale.pluck().all(table, ...former);
    if (names.length === 0) return; // another connection upgraded it meanwhile
    create.forEach((sql) => db.exec(sql));
    for (const name of names) db.exec(`DROP INDEX IF EXISTS ${quoteIdentifier(name)}`);
  }).immediate();
}
