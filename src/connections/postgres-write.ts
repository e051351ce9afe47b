import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { failpoint } from '../failpoints.js';
import { ConnectionError } from './errors.js';
import { applyRows, NeedsRowOrder } from './postgres-apply.js';
import { run, withClient, type ApplyContext, type Outcome } from './postgres-context.js';
import { isMarkerCollision, isRowError, rowReject } from './postgres-errors.js';
import { jobHash, prepareRow, type Prepared, type PreparedRow } from './postgres-rows.js';
import type { PgShape } from './postgres-schema.js';
import { PgStatements } from './postgres-sql.js';
import { generatedColumns, keyPositions } from './table-shape.js';
import type { WriteBatchInput, WriteBatchOutput } from './types.js';

/**
 * How a batch reaches the table: `set` writes all its rows with one statement per step and falls
 * back to `rows` for a batch where a statement fails; `rows` writes one row at a time, each in its
 * own savepoint (the benchmark's single-row baseline, and the exact fallback).
 */
export type WritePath = 'set' | 'rows';

/** Applies batches to one table shape; holds its statements for the connection's life. */
export interface PgBatchWriter {
  readonly shape: PgShape;
  readonly sql: PgStatements;
  write(input: WriteBatchInput): Promise<WriteBatchOutput>;
}

export function createBatchWriter(pool: Pool, shape: PgShape, path: WritePath = 'set'): PgBatchWriter {
  const sql = new PgStatements(shape);
  return { shape, sql, write: (input) => writeBatch(pool, shape, sql, input, path) };
}

type Apply = (ctx: ApplyContext, rows: PreparedRow[]) => Promise<Map<PreparedRow, Outcome>>;

/** Returned by an attempt of the set path that must be redone row by row. */
const rowOrder: unique symbol = Symbol('row order');

async function writeBatch(pool: Pool, shape: PgShape, sql: PgStatements, input: WriteBatchInput, path: WritePath): Promise<WriteBatchOutput> {
  const key = keyPositions(shape, input.key);
  const prepared = input.rows.map((row) => prepareRow(shape, key, row));
  return withClient(pool, async (client) => {
    const ctx: ApplyContext = { client, shape, sql, input, key, jobId: jobHash(input.job), generated: generatedColumns(shape) };
    if (path === 'set') {
      const output = await attempt(ctx, prepared, applyRows);
      if (output !== rowOrder) return output;
    }
    const output = await attempt(ctx, prepared, applyEach);
    if (output === rowOrder) throw new Error('row-by-row writing asked for row order');
    return output;
  });
}

/**
 * One transaction: the (job, batch) advisory lock, so two attempts of a batch take turns; the
 * marker check, so a committed batch is replayed and not applied again; the rows; the marker.
 */
async function attempt(ctx: ApplyContext, prepared: Prepared[], apply: Apply): Promise<WriteBatchOutput | typeof rowOrder> {
  // One round trip: the lock id is a number computed here, never text from input.
  await ctx.client.query(`BEGIN; SELECT pg_advisory_xact_lock(${lockId(ctx.input)})`);
  try {
    const output = await applyOnce(ctx, prepared, apply);
    await ctx.client.query('COMMIT');
    return output;
  } catch (err) {
    await ctx.client.query('ROLLBACK').catch(() => undefined);
    if (isMarkerCollision(err)) throw new ConnectionError('another attempt of this batch committed it first; a retry replays it', { retryable: true, cause: err });
    if (apply === applyRows && (err instanceof NeedsRowOrder || isRowError(err))) return rowOrder;
    throw err;
  }
}

async function applyOnce(ctx: ApplyContext, prepared: Prepared[], apply: Apply): Promise<WriteBatchOutput> {
  const { job, batch } = ctx.input;
  const recorded = await run(ctx, ctx.sql.markerGet, [job, batch], true);
  const text = recorded.rows[0]?.[0];
  if (typeof text === 'string') return { ...(JSON.parse(text) as WriteBatchOutput), replayed: true };
  const rows = prepared.flatMap((p) => ('prepared' in p ? [p.prepared] : []));
  const outcomes = await apply(ctx, rows);
  const output = summarize(ctx.input, prepared, outcomes);
  await run(ctx, ctx.sql.markerPut, [job, batch, JSON.stringify(output)]);
  failpoint('batch-before-commit');
  return output;
}

/** Row by row, each in a savepoint: a row the server refuses is rolled back alone and becomes its reject. */
async function applyEach(ctx: ApplyContext, rows: PreparedRow[]): Promise<Map<PreparedRow, Outcome>> {
  const outcomes = new Map<PreparedRow, Outcome>();
  for (const row of rows) {
    await ctx.client.query('SAVEPOINT ferry_row');
    try {
      for (const [r, outcome] of await applyRows(ctx, [row])) outcomes.set(r, outcome);
    } catch (err) {
      if (!isRowError(err)) throw err;
      await ctx.client.query('ROLLBACK TO SAVEPOINT ferry_row');
      outcomes.set(row, [await rowReject(err, ctx.client, ctx.shape, ctx.sql, row)]);
    }
    await ctx.client.query('RELEASE SAVEPOINT ferry_row');
  }
  return outcomes;
}

function summarize(input: WriteBatchInput, prepared: Prepared[], outcomes: Map<PreparedRow, Outcome>): WriteBatchOutput {
  const output: WriteBatchOutput = { inserted: 0, updated: 0, unchanged: 0, rejects: [], replayed: false, changes: [] };
  prepared.forEach((p, i) => {
    const row = input.rows[i]?.row ?? 0;
    const outcome = 'errors' in p ? p.errors : outcomes.get(p.prepared);
    if (outcome === undefined) throw new Error(`row ${row} has no outcome`);
    if (typeof outcome === 'string') output[outcome] += 1;
    else output.rejects.push({ row, errors: outcome });
  });
  return output;
}

/** A 64-bit advisory lock id for (job, batch). A collision only makes two unrelated batches take turns. */
function lockId(input: WriteBatchInput): string {
  return createHash('sha256').update(`${input.job}\u0000${input.batch}`).digest().readBigInt64BE(0).toString();
}
