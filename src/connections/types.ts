import type { WriterTurn } from './writer-turn.js';
import type { RejectError } from '../validation/reject.js';

export type ColumnType = 'text' | 'integer' | 'real' | 'boolean' | 'json' | 'timestamp';

/** What a job does with a table: `write` one it may create (the built-in users table), `read` one that must be there. */
export type TableUse = 'read' | 'write';

export interface ColumnInfo {
  name: string;
  type: ColumnType;
  nullable: boolean;
  primaryKey: boolean;
  /** Part of a single-column unique constraint or index (or the primary key). */
  unique: boolean;
  /**
   * The store fills the column when a row leaves it out: a declared default, an integer rowid alias,
   * or a value Ferry generates (built-in user_id; created_at/updated_at from the job's `now`). A
   * not-null column with `hasDefault` need not be mapped. Absent means false.
   */
  hasDefault?: boolean;
  /**
   * False for a `text` column whose values have no collation (a PostgreSQL uuid, enum, inet…, which
   * the server parses): a query compares them in their own order, with no COLLATE. Absent: collatable.
   */
  collatable?: false;
}

/** A mapped, validated record bound for the target: values keyed by column, JSON columns as objects. */
export interface RowToWrite {
  row: number;
  values: Record<string, unknown>;
}

export interface WriteBatchInput {
  job: string;
  /** The batch's marker id: unique in the job, so an attempt that committed is replayed, not applied again. */
  batch: number;
  /** The job's batch and chunk this write is, when `batch` is a chunk's marker id: what messages name. */
  chunk?: ChunkPlace;
  rows: RowToWrite[];
  /** Key columns that identify a user (default ['email']); a column named email compares case-insensitively. */
  key: string[];
  upsert: boolean;
  metadata: 'merge' | 'replace';
  /**
   * ISO timestamp written to created_at/updated_at where the table has them: the job's start, so
   * reruns are identical. The same for every batch of a job: with the job, it makes the user_ids
   * the job generates, by which a later batch recognises the rows an earlier one inserted.
   */
  now: string;
  /** Dry run: also return each changed row's image after the write (`RowChange.after`), for diffs. */
  preview?: boolean;
  /**
   * The job committed batches before this process wrote any for it (a resumed job: its folder
   * holds their files). Its markers must then be in the store: with none at all (the store file
   * deleted, the bookkeeping tables dropped), the batches counted done are not in this table, and
   * the write fails as when their rows are gone (batch-marker.ts `markersGone`).
   */
  writtenBefore?: boolean;
}

/**
 * What a batch did to one stored row, recorded with the batch (in its marker, so a replay returns
 * it too): the job's backup, which `ferry jobs rollback` restores, and a dry run's diffs.
 */
export interface RowChange {
  row: number;
  /** The key columns' stored values after the write: how rollback finds the row again. */
  key: Record<string, unknown>;
  /**
   * The whole row before the write, null for an inserted row: plain values as `readPage` gives
   * them, except that a driver keeps what it cannot give exactly that way in its own exact text
   * (PostgreSQL: numerics, arrays; instants with their microseconds; both drivers: a JSON document
   * holding a number a double would round, as `{"$ferry:json-text": text}`), so restoring it is exact.
   */
  before: Record<string, unknown> | null;
  /** A hash of the whole stored row after the write (the driver's own): a different hash at rollback means a later change. */
  afterHash: string;
  /** The whole row after the write: only with `preview`. */
  after?: Record<string, unknown>;
}

export interface WriteBatchOutput {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows refused by the store: DUPLICATED_USER, DUPLICATE_IN_SOURCE, CONFLICT, constraint/type errors. */
  rejects: { row: number; errors: RejectError[] }[];
  /** True when this (job, batch) had already been committed: nothing was written, the recorded output is returned. */
  replayed: boolean;
  /** Every inserted and updated row, in input order (unchanged and rejected rows are not). */
  changes: RowChange[];
}

/** One row of a job's backup to put back: `before` null deletes the row the job inserted. */
export type RestoreEntry = Pick<RowChange, 'row' | 'key' | 'before' | 'afterHash'>;

/**
 * Where a chunk is in its job: a batch commits its records a chunk at a time, each under its own
 * marker id (batch × 1024 + chunk), which is no number a person would recognise.
 */
export interface ChunkPlace {
  batch: number;
  /** 0 for the batch's first chunk. */
  chunk: number;
}

export interface RestoreBatchInput {
  /** The rollback job, and the marker id of this batch of it. */
  job: string;
  batch: number;
  /** As in WriteBatchInput. */
  chunk?: ChunkPlace;
  entries: RestoreEntry[];
  /** Restore rows that changed after the job wrote them (their hash differs), instead of skipping them. */
  force: boolean;
  /** Only report which rows changed since; write nothing, take no marker. */
  check?: boolean;
}

export interface RestoreBatchOutput {
  restored: number;
  deleted: number;
  /**
   * Rows changed (or deleted) since the job wrote them: skipped unless `force`. `hidden` (a check
   * only; a restore fails its batch instead): a row row-level security may hide from this session.
   */
  changed: { row: number; key: Record<string, unknown>; reason: 'changed' | 'missing' | 'hidden' }[];
  replayed: boolean;
}

/**
 * A position in an export's row order: the sort value and the key of the last row before a page.
 * Plain JSON (it is stored in plan.json and crosses into workflows): `value` is the sort value as
 * the store compares it (null for an unsorted read or a row whose sort value is NULL), `key` the
 * tie-breaking key's values (primary key, or rowid for a SQLite table without one), in key order.
 */
export interface PageCursor {
  value: unknown;
  key: unknown[];
}

/** How an export orders rows: a column or a dotted JSON path (`user_metadata.plan`). */
export interface ReadSort {
  by: string;
  order: 'asc' | 'desc';
}

export interface PlanPagesInput {
  /** Lucene query (src/query); `*` or empty reads every row. */
  query: string;
  sort?: ReadSort;
  /** Rows per page (the export's batch size). */
  size: number;
  /** Read at most this many rows (`--sample`); absent reads every matching row. */
  limit?: number;
  /**
   * Where the driver may copy the rows the job will read (the `fields` columns of each, in page
   * order) instead of planning cursors: a file of the job folder that `openPageSnapshot` reads
   * (connections/index.ts). A driver that cannot ignores it.
   */
  snapshot?: { path: string; fields?: readonly string[] };
}

export interface PlanPagesOutput {
  /** Matching rows, at most `limit`. */
  total: number;
  /** The cursor before each page: `starts[0]` is null, `starts[i]` is the cursor of row `i * size - 1`. One entry per page. */
  starts: (PageCursor | null)[];
  /** The cursor of the last row (null when none matched): where the last page ends. */
  last: PageCursor | null;
  /**
   * The rows were copied to `snapshot.path`: page p is rows p × size + 1 to (p + 1) × size of it,
   * and `starts` and `last` are empty.
   */
  snapshotTaken?: true;
}

export interface ReadPageInput {
  query: string;
  sort?: ReadSort;
  /** The cursor before the page (from `planPages`), or null for the first page. */
  after: PageCursor | null;
  /**
   * The page's last row, inclusive: the next page's start, or `last` for the last page. A page read
   * between its two planned cursors gets each row once even while the store changes: a row written
   * inside its range since planning is read too, and none is pushed into the next page or left out.
   */
  until?: PageCursor;
  /** At most this many rows (a plan without `until`); absent: every row up to `until`. */
  limit?: number;
  /**
   * Read only the columns of these names (names that are not columns are ignored); the rows then
   * hold no other column, as if it were NULL. Absent: every column. An export reads what its
   * mapping can reach and no more (src/mapping/fields-read.ts).
   */
  fields?: readonly string[];
}

/** An open user store. One instance may serve many batches of many jobs. */
export interface Connection {
  readonly driver: string;
  readonly table: string;
  /**
   * The table's columns. `write` (a target, the default): creates the built-in users table first
   * when the table does not exist. `read` (a source): a missing table is an error (`missingTable`),
   * never created: an export of a misspelled table made an empty one in the store and succeeded
   * with 0 users. Called at validation time and once per job.
   */
  columns(use?: TableUse): Promise<ColumnInfo[]>;
  /**
   * Applies one batch atomically with a (job, batch) marker in the same transaction. If the marker
   * exists the batch is not applied again and the recorded output comes back with `replayed: true`,
   * so a batch retried after a crash never writes a row twice. Per-row problems are rejects, never a
   * thrown error; a thrown error means the whole batch was rolled back (retryable or not, see errors.ts).
   */
  writeBatch(input: WriteBatchInput): Promise<WriteBatchOutput>;
  /**
   * One streaming pass over the matching rows' (sort value, key), in export order, returning the
   * cursor before each page of `size` rows; memory stays constant whatever the row count. Order:
   * `sort.by` ascending or descending with NULL (and missing JSON path) values last in both
   * orders, ties — and an absent sort — by key ascending, so the order is total and stable.
   * Throws QueryError (src/query) for an unknown field in the query or the sort.
   */
  planPages(input: PlanPagesInput): Promise<PlanPagesOutput>;
  /**
   * The matching rows strictly after `after` and up to `until` (at most `limit`), in the order of
   * `planPages`, by keyset (never OFFSET): reading the pages between `planPages`' starts and `last`
   * yields every matching row exactly once, also while rows are inserted or deleted (a row whose
   * sort value changes meanwhile may move between pages). Rows are plain values: booleans as booleans, JSON columns
   * parsed, timestamps as ISO strings, NULL columns absent. A JSON document holding a number a
   * double would round is an `InexactJson` (its text) instead, which the job's page reader settles
   * (connections/inexact-json.ts). Read-only, so a retry is harmless.
   */
  readPage(input: ReadPageInput): Promise<Record<string, unknown>[]>;
  /**
   * Puts rows back as a job's backup recorded them, in one transaction with a (job, batch) marker
   * as writeBatch: an updated row gets its whole previous image back, an inserted one is deleted.
   * A row whose current hash is not the recorded `afterHash` was changed by someone else since;
   * it is left alone and reported, unless `force`.
   */
  restoreBatch(input: RestoreBatchInput): Promise<RestoreBatchOutput>;
  /**
   * Runs `fn` inside one transaction that is rolled back at the end, whatever `fn` does: every
   * write through this connection meanwhile (tables created, rows, markers) is undone. The dry run.
   */
  preview<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Drops a finished job's bookkeeping: the keys seen for DUPLICATE_IN_SOURCE, and the row changes
   * kept in its markers (by then they are in the job's backup.ndjson). Idempotent. Markers stay.
   * First the rows the job wrote must still be in the table; `writtenBefore` (the job committed
   * batches, so it must have markers here) also fails it when the store holds none of the job's.
   */
  finishJob(job: string, writtenBefore?: boolean): Promise<void>;
  /**
   * True when what this connection opened is no longer what its options name (SQLite: the file at
   * the path was deleted or replaced). A long-lived process (`ferry serve`, a worker) then opens
   * the store anew for the next job instead of writing into a file no path reaches. Absent: never.
   */
  stale?(): boolean;
  close(): Promise<void>;
}

/** What `open()` needs besides the options: relative paths in the options resolve from `baseDir` (ferry.yaml's folder). */
export interface ConnectionContext {
  baseDir: string;
  /** Shared by the threads of this process that write to the same stores (writer-turn.ts); single-writer drivers take it around each write. */
  writerTurn?: WriterTurn;
  /**
   * `read`: opened as a source, whose store must be there. A SQLite file that is not fails the
   * open (`missingTable`'s code) and is not created: an export of a misspelled path made an empty store.
   */
  use?: TableUse;
}

/**
 * A driver, as registered in `connections/index.ts`: its name (= its file name and the `driver:`
 * value in ferry.yaml) and how to open it. `open` fails with a ConnectionError (errors.ts) whose
 * message starts with `[connection:<name>]` and holds no secret. Its options' schema is in
 * spec/config-schema.ts, where ferry.yaml is parsed: a driver imports only its type, so the batch
 * threads, which open stores but parse no ferry.yaml, do not load zod (3 MB of heap each).
 */
export interface ConnectionDefinition<Options = unknown> {
  readonly name: string;
  open(options: Options, ctx: ConnectionContext): Promise<Connection>;
  /**
   * Whether the embedded engine runs batches on this store in worker threads
   * (engine/embedded/batch-threads.ts): `default` unless FERRY_BATCH_THREADS=0; `asked` only when
   * FERRY_BATCH_THREADS is set; `never` when a thread would not reach the same store.
   */
  batchThreads(options: Options): BatchThreadUse;
}

export type BatchThreadUse = 'default' | 'asked' | 'never';
