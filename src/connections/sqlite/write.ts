import type { Database } from 'better-sqlite3';
import { failpoint } from '../../failpoints.js';
import { replayedRestore, replayedWrite, restoreMarker, writeMarker } from '../batch-marker.js';
import { BatchKeys } from './job-keys.js';
import { canInsertInBulk, insertBatch, InsertOneByOne, planInserts, type PlannedInsert } from './insert-batch.js';
import { prepareRow, writeRow, type PreparedRow, type RowContext } from './row.js';
import { jobUserIds } from '../users-table.js';
import type { TableShape } from './schema.js';
import { applyRestore } from './restore.js';
import { SqliteStatements } from './statements.js';
import { generatedColumns, keyPositions } from '../table-shape.js';
import type { RestoreBatchInput, RestoreBatchOutput, WriteBatchInput, WriteBatchOutput } from '../types.js';

/** Applies batches to one table shape; holds its prepared statements for the connection's life. */
export interface BatchWriter {
  readonly shape: TableShape;
  /** Encodes a batch's rows (no database access): done before the write lock is taken. */
  prepare(input: WriteBatchInput): PreparedBatch;
  write(batch: PreparedBatch): WriteBatchOutput;
  restore(input: RestoreBatchInput): RestoreBatchOutput;
}

/** A batch with its rows encoded and keys read (sqlite/row.ts `prepareRow`), and its inserts planned when it can take the bulk path. */
export interface PreparedBatch {
  input: WriteBatchInput;
  key: number[];
  rows: PreparedRow[];
  inserts?: (PlannedInsert | undefined)[];
}

export function createBatchWriter(db: Database, shape: TableShape): BatchWriter {
  const statements = new SqliteStatements(db, shape);
  // Called inside the batch's transaction, a transaction function is a savepoint: a set-based
  // attempt that must give way to the row-by-row path leaves nothing behind.
  const inSavepoint = db.transaction((attempt: () => WriteBatchOutput) => attempt());
  const transaction = db.transaction((batch: PreparedBatch) => applyBatch(statements, shape, batch, inSavepoint));
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
  return { shape, prepare, write: (batch) => transaction.immediate(batch), restore: (input) => restore.immediate(input) };
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
  const output = inserts ? inBulkOr(rowByRow, () => inSavepoint(attempt((ctx, out) => insertBatch(ctx, prepared, out, inserts)))) : rowByRow();
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
