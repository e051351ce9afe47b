import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { fileKind } from '../file-kind.js';
import { dirname, resolve } from 'node:path';
import { QueryError } from '../query/query-error.js';
import type { SqliteOptions } from '../spec/config-schema.js';
import { maskUrl } from '../spec/secrets.js';
import { ConnectionError, isRetryable, MISSING_TABLE } from './errors.js';
import { createPageReader } from './sqlite/read.js';
import { ensureBookkeeping, loadTableShape } from './sqlite/schema.js';
import { storeFileCheck, type StoreFileCheck } from './sqlite/store-file.js';
import { enableWal } from './sqlite/wal.js';
import { createBatchWriter, type BatchWriter } from './sqlite/write.js';
import { restoreContext, writeContext, type GeneratedColumnNames } from './table-shape.js';
import type { Connection, ConnectionContext, ConnectionDefinition, TableUse } from './types.js';
import type { WriterTurn } from './writer-turn.js';

export const sqliteName = 'sqlite';

/**
 * How long a writer waits for another process's write lock before the batch fails with a
 * retryable SQLITE_BUSY. Not part of ferry.yaml (its schema is fixed); the environment variable
 * exists so tests and unusual deployments can shorten or lengthen the wait.
 */
export const busyTimeoutEnv = 'FERRY_SQLITE_BUSY_TIMEOUT_MS';
const defaultBusyTimeoutMs = 5000;

/**
 * The embedded user store: one SQLite file (WAL) holding the target table and Ferry's bookkeeping
 * (`ferry_batches`, `ferry_job_keys`), so rows and batch markers commit together.
 */
export const sqliteConnection = {
  name: sqliteName,
  async open(options: SqliteOptions, ctx: ConnectionContext): Promise<Connection> {
    const file = options.path === ':memory:' ? options.path : resolve(ctx.baseDir, options.path);
    const db = guardFile(() => openDatabase(file, ctx.use), `cannot open ${file}`, file);
    const stillOpened = guardFile(() => storeFileCheck(file), `cannot open ${file}`, file);
    return createConnection(db, file, options.table, stillOpened, ctx.writerTurn);
  },
  // A batch here is CPU work (map, validate, encode) and one write: threads map while one writes.
  // A thread's `:memory:` would be a database of its own.
  batchThreads: (options: SqliteOptions) => (options.path === ':memory:' ? 'never' : 'default'),
} satisfies ConnectionDefinition<SqliteOptions>;

function createConnection(
  db: Database.Database,
  file: string,
  table: string,
  stillOpened: StoreFileCheck,
  turn: Pick<WriterTurn, 'run'> = { run: async (write) => write() },
): Connection & GeneratedColumnNames {
  // A batch's error names the store file: SQLite's own words ("database disk image is malformed",
  // "database or disk is full") name none, and an operator with several stores cannot tell which.
  const guard = <T>(fn: () => T, context: string): T => guardFile(fn, context, file);
  // Each write is checked once committed: one that went to a deleted or replaced file fails its batch.
  const checked =
    <T>(write: () => T) =>
    (): T => {
      const result = write();
      stillOpened();
      return result;
    };
  let writer: BatchWriter | undefined;
  // Re-read on every columns() call (once per job), so a table altered between jobs is seen.
  const reload = (use?: TableUse): BatchWriter => {
    writer = createBatchWriter(db, loadTableShape(db, table, use));
    return writer;
  };
  const finishKeys = db.prepare('DELETE FROM ferry_job_keys WHERE job = ?');
  // The changes are in the job's backup.ndjson by now; markers stay, without them.
  const finishChanges = db.prepare(
    "UPDATE ferry_batches SET output = json_remove(output, '$.changes') WHERE job = ? AND json_type(output, '$.changes') IS NOT NULL",
  );
  // As before each batch, the rows the job wrote must still be there: a job resumed with every
  // batch done writes none, and would otherwise succeed over a table that lost them.
  const finish = db.transaction((job: string, writtenBefore: boolean) => {
    (writer ?? reload()).refuseLostRows(job, writtenBefore);
    finishKeys.run(job);
    finishChanges.run(job);
  });
  const reader = createPageReader(db, () => (writer ?? reload()).shape);
  return {
    driver: sqliteName,
    table,
    columns: async (use) => guard(() => reload(use).shape.columns.map((c) => ({ ...c })), `reading the columns of table ${table}`),
    generatedColumns: async () => [...(writer?.shape.computed ?? [])],
    // SQLite has no identity columns: an INTEGER PRIMARY KEY takes any value given.
    identityColumns: async () => [],
    writeBatch: async (input) => {
      const current = writer ?? reload();
      // Encoding needs no lock: it happens before this thread waits for its turn to write.
      const batch = guard(() => current.prepare(input), writeContext(input));
      return turn.run(() =>
        guard(
          checked(() => current.write(batch)),
          writeContext(input),
        ),
      );
    },
    planPages: async (input) => guard(() => reader.planPages(input), `planning the pages of table ${table}`),
    readPage: async (input) => guard(() => reader.readPage(input), `reading a page of table ${table}`),
    restoreBatch: async (input) =>
      turn.run(() =>
        guard(
          checked(() => (writer ?? reload()).restore(input)),
          restoreContext(input),
        ),
      ),
    preview: async (fn) => {
      try {
        return await preview(db, file, fn);
      } finally {
        // A shape loaded inside the preview may describe a table its rollback dropped.
        writer = undefined;
      }
    },
    finishJob: async (job, writtenBefore = false) =>
      guard(
        checked(() => finish.immediate(job, writtenBefore)),
        `finishing job ${job}`,
      ),
    stale: () => {
      try {
        stillOpened();
        return false;
      } catch {
        return true;
      }
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}

/**
 * One transaction around everything `fn` does, rolled back at the end. The batch transactions
 * inside become savepoints (better-sqlite3 nests them so), and the table's creation on first use
 * happens inside it too, so the store is left exactly as it was. IMMEDIATE: the preview sees one
 * consistent state, and no other writer interleaves.
 */
async function preview<T>(db: Database.Database, file: string, fn: () => Promise<T>): Promise<T> {
  guardFile(() => db.exec('BEGIN IMMEDIATE'), 'starting the dry run', file);
  try {
    return await fn();
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
  }
}

export const walCheckpointPages = 16_384;

function openDatabase(file: string, use: TableUse = 'write'): Database.Database {
  if (file !== ':memory:') {
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats && use === 'read') throw missingStore();
    // SQLite's own words for these are "disk I/O error" or "unable to open database file".
    if (stats && !stats.isFile()) throw new Error(`it is ${fileKind(stats)}, not a SQLite database file. Hint: check the connection's path in ferry.yaml`);
    mkdirSync(dirname(file), { recursive: true });
  }
  const timeout = busyTimeoutMs();
  const db = new Database(file, { timeout });
  try {
    // WAL: readers (exports, `jobs show`) never block the writer; NORMAL is durable enough with WAL
    // (a power cut can lose the last commits, never corrupt), and a lost batch is simply redone.
    enableWal(db, timeout);
    db.pragma('synchronous = NORMAL');
    // A 1,000-row commit appends about 1,000 pages to the WAL (a random key such as email touches an
    // index page a row), so the default checkpoint (every 1,000 pages) ran after almost every commit
    // and copied each page back to the database at once. Every 16,384 pages (64 MB at 4 KB pages),
    // a page rewritten by several commits is copied once (workload 1: 0.87–0.97 of the time at
    // 200k, 0.89–0.92 at 1M, in farm-bench pairs on a noisy machine).
    db.pragma(`wal_autocheckpoint = ${walCheckpointPages}`);
    ensureBookkeeping(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A store file that is not there, opened to read (a source, a rollback's check): it would be created empty (ConnectionContext `use`). */
function missingStore(): Error {
  return Object.assign(
    new Error(
      "the store file does not exist, and reading creates none. Hint: check the connection's path in ferry.yaml (an export reads a store an import has filled; a rollback, the store its job wrote)",
    ),
    { code: MISSING_TABLE, retryable: false },
  );
}

function busyTimeoutMs(): number {
  const raw = process.env[busyTimeoutEnv];
  if (raw === undefined || raw === '') return defaultBusyTimeoutMs;
  const ms = Number(raw);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new ConnectionError(`${busyTimeoutEnv} must be a whole number of milliseconds, got ${JSON.stringify(raw)}`, { retryable: false });
  }
  return ms;
}

/**
 * Runs `fn`, turning any failure into a ConnectionError that names the component and what was being
 * done. A QueryError (an export's query or sort) passes as is: it is bad input that carries its offset.
 */
function guardFile<T>(fn: () => T, context: string, file: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof QueryError) throw err;
    throw toConnectionError(err, context, file);
  }
}

/** What to do about an error SQLite gives about the file itself, naming it (its own words name none). */
const hints: [RegExp, (file: string) => string][] = [
  [/^SQLITE_(BUSY|LOCKED)/, (file) => `another process holds the write lock of ${file}`],
  [/^SQLITE_READONLY/, (file) => `check that ${file} and its folder are writable`],
  [/^SQLITE_FULL/, (file) => `the disk holding ${file} is full: free space on it (its -wal file grows by each batch between checkpoints)`],
  [/^SQLITE_(CANTOPEN|NOTADB)/, (file) => `check the connection's path in ferry.yaml (${file})`],
  [
    /^SQLITE_CORRUPT/,
    (file) =>
      `${file} is damaged: check it with sqlite3 ${shellWord(file)} "PRAGMA integrity_check", then restore it from a backup or rebuild it (sqlite3's .recover)`,
  ],
  [/^SQLITE_IOERR/, (file) => `reading or writing ${file} failed: check its disk and file system`],
];

/** `file` as one word for a shell command line: single-quoted when it holds anything but plain characters. */
function shellWord(file: string): string {
  return /^[\w@%+=:,./-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`;
}

/**
 * SQLite's whole word when a query or sort reads a JSON path of a row whose JSON column holds no
 * JSON text (a BLOB or plain text another tool stored): it names neither row nor column.
 */
const MALFORMED_JSON =
  'a JSON column the query or sort reads (a path such as user_metadata.plan) holds a value that is not JSON text in some row, which another tool stored; ' +
  'find it with SELECT rowid FROM <table> WHERE NOT json_valid(<column>), then fix or clear it';

function toConnectionError(err: unknown, context: string, file: string): ConnectionError {
  const fields = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const message = typeof fields.message === 'string' ? fields.message : String(err);
  const hint =
    message === 'malformed JSON'
      ? MALFORMED_JSON
      : code === undefined
        ? undefined
        : hints.find(([pattern]) => pattern.test(code))?.[1](file === ':memory:' ? 'the in-memory database' : file);
  const text = `[connection:${sqliteName}] ${context}: ${message}${hint === undefined ? '' : `. Hint: ${hint}`}`;
  return new ConnectionError(maskUrl(text), { retryable: isRetryable(err), cause: err, ...(code === undefined ? {} : { code }) });
}
