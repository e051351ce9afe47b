import type { Database } from 'better-sqlite3';
import { failpoint } from '../../failpoints.js';
import { ConnectionError } from '../errors.js';
import { markersGone, replayedRestore, replayedWrite, restoreMarker, writeMarker, writtenKeyPositions, writtenRows, writtenRowsGone } from '../batch-marker.js';
import { BatchKeys } from './job-keys.js';
import { canInsertInBulk, insertBatch, InsertOneByOne, planInserts, type PlannedInsert } from './insert-batch.js';
import { prepareRow, writeRow, type PreparedRow, type RowContext } from './row.js';
import { jobUserIds } from '../users-table.js';
import type { TableShape } from './schema.js';
import { applyRestore, encodeImage } from './restore.js';
import { SqliteStatements } from './statements.js';
import { generatedColumns, keyPositions } from '../table-shape.js';
import type { ColumnInfo, RestoreBatchInput, RestoreBatchOutput, WriteBatchInput, WriteBatchOutput } from '../types.js';

/** Applies batches to one table shape; holds its prepared statements for the connection's life. */
export interface BatchWriter {
  readonly shape: TableShape;
  /** Encodes a batch's rows (no database access): done before the write lock is taken. */
  prepare(input: WriteBatchInput): PreparedBatch;
  write(batch: PreparedBatch): WriteBatchOutput;
  restore(input: RestoreBatchInput): RestoreBatchOutput;
  /**
   * Fails when the rows the job wrote are gone from the table (`refuseLostRows`): what finishing a
   * job checks first. `writtenBefore` (WriteBatchInput) also fails it when the job has no marker.
   */
  refuseLostRows(job: string, writtenBefore?: boolean): void;
}

/** A batch with its rows encoded and keys read (sqlite/row.ts `prepareRow`), and its inserts planned when it can take the bulk path. */
export interface PreparedBatch {
  input: WriteBatchInput;
  key: number[];
  rows: PreparedRow[];
  inserts?: (PlannedInsert | undefined)[];
}

/**
 * How a batch's transaction writes it: `rows` one by one; `bulk` through the set-based insert,
 * whose conflict ends the transaction (the caller then writes the batch again, row by row); or
 * `savepoint` — inside a caller's transaction (a dry run), which a conflict must not end — the
 * set-based insert in a savepoint, falling back to rows within the same transaction.
 */
type WriteMode = 'rows' | 'bulk' | 'savepoint';

export function createBatchWriter(db: Database, shape: TableShape): BatchWriter {
  const statements = new SqliteStatements(db, shape);
  // Jobs whose written rows were found here (batch-marker.ts `WrittenRows`).
  const checked = new Set<string>();
  const refuseLostRows = (job: string, writtenBefore = false): void => {
    if (checked.has(job)) return;
    refuseLostRowsOf(statements, shape, job, writtenBefore);
    checked.add(job);
  };
  const inSavepoint = db.transaction((attempt: () => WriteBatchOutput) => attempt());
  const transaction = db.transaction((batch: PreparedBatch, mode: WriteMode) => {
    refuseLostRows(batch.input.job, batch.input.writtenBefore === true && batch.input.preview !== true);
    return applyBatch(statements, shape, batch, mode, inSavepoint);
  });
  const restore = db.transaction((input: RestoreBatchInput) => restoreBatch(statements, shape, input));
  // IMMEDIATE takes the write lock up front: waiting for it happens before any work (and fails as
  // SQLITE_BUSY, retryable), never as a deadlock halfway through the batch.
  const prepare = (input: WriteBatchInput): PreparedBatch => {
    const key = keyPositions(shape, input.key);
    const rows = input.rows.map((row) => prepareRow({ shape, key }, row));
    if (!canInsertInBulk({ input }, rows)) return { input, key, rows };
    const inserts = planInserts({ shape, key, input, generated: generatedColumns(shape), ids: jobUserIds(input.job, input.now) }, rows);
    return { input, key, rows, inserts };
  };
  // A savepoint journals every page the batch touches before changing it: a third of the CPU of a
  // large import went to those copies. Owning the transaction, a conflict can end it instead, and
  // the batch is written again row by row in a new one (its marker read again first).
  const write = (batch: PreparedBatch): WriteBatchOutput => {
    try {
      return writeOnce(batch);
    } catch (err) {
      throw deferredViolation(shape, err) ?? err;
    }
  };
  const writeOnce = (batch: PreparedBatch): WriteBatchOutput => {
    if (db.inTransaction) return transaction.immediate(batch, 'savepoint');
    if (!batch.inserts) return transaction.immediate(batch, 'rows');
    try {
      return transaction.immediate(batch, 'bulk');
    } catch (err) {
      if (!(err instanceof InsertOneByOne)) throw err;
      return transaction.immediate(batch, 'rows');
    }
  };
  return {
    shape,
    prepare,
    write,
    restore: (input) => restore.immediate(input),
    refuseLostRows,
  };
}

/**
 * A constraint that fails the whole batch: each row's own violation is its reject, so this one
 * was found at COMMIT — a DEFERRABLE INITIALLY DEFERRED foreign key, checked then, too late to
 * name a row. SQLite's words ("FOREIGN KEY constraint failed") name neither table nor cause.
 */
function deferredViolation(shape: TableShape, err: unknown): ConnectionError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_CONSTRAINT') || !(err instanceof Error)) return undefined;
  return new ConnectionError(
    `${err.message}, found when the batch committed: a DEFERRABLE INITIALLY DEFERRED foreign key of table ${shape.table} is checked then, too late to tell which row it refuses, so nothing of the batch was written. ` +
      'Hint: declare the foreign key without DEFERRABLE INITIALLY DEFERRED, and each row it refuses becomes a reject',
    { retryable: false, cause: err, code },
  );
}

/**
 * The first of a job's batches that wrote rows must still have some in the table (batch-marker.ts
 * `WrittenRows`), else the batches counted done are not in this table. Point lookups by the job's
 * key, through its index, until one is found: one when the table is the job's. A job that wrote
 * before must have a marker at all (one without changes: its rows were all rejected or unchanged).
 */
function refuseLostRowsOf(statements: SqliteStatements, shape: TableShape, job: string, writtenBefore: boolean): void {
  const written = writtenRows(statements.firstWritten.all(job));
  if (written === undefined) {
    if (writtenBefore && statements.markerAny.get(job) === undefined) throw markersGone(job, shape.table);
    return;
  }
  const key = writtenKeyPositions(written, shape.position);
  const columns = key?.map((p) => shape.columns[p] as ColumnInfo) ?? [];
  const exists = key === undefined ? undefined : statements.exists(key);
  const there = exists !== undefined && written.keys.some((values) => exists.get(...columns.map((c) => encodeImage(c, values[c.name]))) !== undefined);
  if (!there) throw writtenRowsGone(job, shape.table, written);
}

/** A rollback's batch: like a write, its marker commits with it, so a repeated batch restores nothing twice. */
function restoreBatch(statements: SqliteStatements, shape: TableShape, input: RestoreBatchInput): RestoreBatchOutput {
  if (input.check) return applyRestore(statements, shape, input);
  const recorded = statements.markerGet.get(input.job, input.batch);
  if (recorded !== undefined) return replayedRestore(recorded);
  const output = applyRestore(statements, shape, input);
  statements.markerPut.run(input.job, input.batch, restoreMarker(output));
  failpoint('batch-before-commit');
  return output;
}

/**
 * The rows and the (job, batch) marker commit together, so a batch either happened completely —
 * and a retry finds the marker and replays its recorded output — or not at all.
 */
function applyBatch(
  statements: SqliteStatements,
  shape: TableShape,
  { input, key, rows: prepared, inserts }: PreparedBatch,
  mode: WriteMode,
  inSavepoint: (attempt: () => WriteBatchOutput) => WriteBatchOutput,
): WriteBatchOutput {
  const recorded = statements.markerGet.get(input.job, input.batch);
  if (recorded !== undefined) return replayedWrite(recorded);
  const attempt = (write: (ctx: RowContext, output: WriteBatchOutput) => void) => (): WriteBatchOutput => {
    const keys = new BatchKeys(
      statements,
      input.job,
      prepared.flatMap((p) => (p.errors.length === 0 ? [p.jobKey] : [])),
    );
    const ctx: RowContext = { statements, shape, input, key, generated: generatedColumns(shape), changes: [], ids: jobUserIds(input.job, input.now), keys };
    const output: WriteBatchOutput = { inserted: 0, updated: 0, unchanged: 0, rejects: [], replayed: false, changes: ctx.changes };
    write(ctx, output);
    keys.save();
    return output;
  };
  const rowByRow = attempt((ctx, output) => writeEach(ctx, prepared, output));
  const inBulk = (onConflict: 'abort' | 'rollback') => attempt((ctx, out) => insertBatch(ctx, prepared, out, inserts ?? [], onConflict));
  const output =
    inserts === undefined || mode === 'rows' ? rowByRow() : mode === 'bulk' ? inBulk('rollback')() : inBulkOr(rowByRow, () => inSavepoint(inBulk('abort')));
  statements.markerPut.run(input.job, input.batch, writeMarker(output));
  failpoint('batch-before-commit');
  return output;
}

function writeEach(ctx: RowContext, prepared: readonly PreparedRow[], output: WriteBatchOutput): void {
  for (const row of prepared) {
    const outcome = writeRow(ctx, row);
    if (typeof outcome === 'string') output[outcome] += 1;
    else output.rejects.push({ row: row.row.row, errors: outcome });
  }
}

/** The set-based attempt, or — when a constraint stopped it, and its savepoint undid it — the row-by-row one. */
function inBulkOr(rowByRow: () => WriteBatchOutput, inBulk: () => WriteBatchOutput): WriteBatchOutput {
  try {
    return inBulk();
  } catch (err) {
    if (err instanceof InsertOneByOne) return rowByRow();
    throw err;
  }
}
