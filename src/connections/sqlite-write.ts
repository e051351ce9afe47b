import type { Database } from 'better-sqlite3';
import { failpoint } from '../failpoints.js';
import { writeRow, type RowContext } from './sqlite-row.js';
import type { TableShape } from './sqlite-schema.js';
import { SqliteStatements } from './sqlite-statements.js';
import { generatedColumns, keyPositions } from './table-shape.js';
import type { WriteBatchInput, WriteBatchOutput } from './types.js';

/** Applies batches to one table shape; holds its prepared statements for the connection's life. */
export interface BatchWriter {
  readonly shape: TableShape;
  write(input: WriteBatchInput): WriteBatchOutput;
}

export function createBatchWriter(db: Database, shape: TableShape): BatchWriter {
  const statements = new SqliteStatements(db, shape);
  const transaction = db.transaction((input: WriteBatchInput) => applyBatch(statements, shape, input));
  // IMMEDIATE takes the write lock up front: waiting for it happens before any work (and fails as
  // SQLITE_BUSY, retryable), never as a deadlock halfway through the batch.
  return { shape, write: (input) => transaction.immediate(input) };
}

/**
 * The rows and the (job, batch) marker commit together, so a batch either happened completely —
 * and a retry finds the marker and replays its recorded output — or not at all.
 */
function applyBatch(statements: SqliteStatements, shape: TableShape, input: WriteBatchInput): WriteBatchOutput {
  const recorded = statements.markerGet.get(input.job, input.batch);
  if (recorded !== undefined) return { ...(JSON.parse(recorded) as WriteBatchOutput), replayed: true };
  const ctx = rowContext(statements, shape, input);
  const output: WriteBatchOutput = { inserted: 0, updated: 0, unchanged: 0, rejects: [], replayed: false };
  for (const row of input.rows) {
    const outcome = writeRow(ctx, row);
    if (typeof outcome === 'string') output[outcome] += 1;
    else output.rejects.push({ row: row.row, errors: outcome });
  }
  statements.markerPut.run(input.job, input.batch, JSON.stringify(output));
  failpoint('batch-before-commit');
  return output;
}

function rowContext(statements: SqliteStatements, shape: TableShape, input: WriteBatchInput): RowContext {
  return { statements, shape, input, key: keyPositions(shape, input.key), generated: generatedColumns(shape) };
}
