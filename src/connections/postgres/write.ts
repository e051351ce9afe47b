import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import { failpoint } from '../../failpoints.js';
import {
  markersGone,
  replayedRestore,
  replayedWrite,
  restoreMarker,
  writeMarker,
  writtenKeyPositions,
  writtenRowsGone,
  writtenRowsOfMarker,
} from '../batch-marker.js';
import { encodeImage } from './backup.js';
import { ConnectionError } from '../errors.js';
import { applyRows, NeedsRowOrder } from './apply.js';
import { run, textArray, type ApplyContext, type Outcome } from './context.js';
import { transaction, type PgSessions } from './sessions.js';
import { restoreRows } from './restore.js';
import { isMarkerCollision, isRowError, isRowRefusal, isUniqueViolation, rowReject } from './errors.js';
import { jobHash, prepareRow, type Prepared, type PreparedRow } from './rows.js';
import { ensureBookkeeping, type PgShape } from './schema.js';
import { PgStatements, type PgStatement } from './sql.js';
import { generatedColumns, keyPositions } from '../table-shape.js';
import { jobUserIds } from '../users-table.js';
import type { RestoreBatchInput, RestoreBatchOutput, WriteBatchInput, WriteBatchOutput } from '../types.js';

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
  restore(input: RestoreBatchInput): Promise<RestoreBatchOutput>;
  /**
   * Fails when the rows the job wrote are gone from the table (`refuseLostRows`): what finishing a
   * job checks first. `writtenBefore` (WriteBatchInput) also fails it when the job has no marker.
   */
  refuseLostRows(client: ClientBase, job: string, writtenBefore?: boolean): Promise<void>;
}

export function createBatchWriter(sessions: PgSessions, shape: PgShape, path: WritePath = 'set'): PgBatchWriter {
  const sql = new PgStatements(shape);
  // Per job, the check of its written rows (batch-marker.ts `WrittenRows`): concurrent
  // batches wait for the one check, and one that failed is dropped, to be made again.
  const checks = new Map<string, Promise<void>>();
  const refuseLostRows = (client: ClientBase, job: string, writtenBefore = false): Promise<void> => {
    let check = checks.get(job);
    if (check === undefined) {
      check = refuseLostRowsOf(client, shape, sql, job, writtenBefore);
      checks.set(job, check);
      check.catch(() => checks.delete(job));
    }
    return check;
  };
  let bookkept: Promise<void> | undefined;
  return {
    shape,
    sql,
    write: (input) => writeBatch(sessions, shape, sql, input, path, refuseLostRows),
    restore: (input) =>
      sessions.use(async (client) => {
        // A rollback opens its table to read, which makes no bookkeeping: its markers' table is made
        // before its first batch writes one (there already, unless dropped since its job wrote).
        if (input.check !== true) {
          bookkept ??= ensureBookkeeping(client, shape.schemaName);
          bookkept.catch(() => (bookkept = undefined));
          await bookkept;
        }
        return restoreBatch(client, shape, sql, input);
      }),
    refuseLostRows,
  };
}

/** A batch's context, with the check of the rows its job wrote before (`refuseLostRowsOf`). */
type BatchContext = ApplyContext & { refuseLostRows: PgBatchWriter['refuseLostRows'] };

type Apply = (ctx: ApplyContext, rows: PreparedRow[]) => Promise<Map<PreparedRow, Outcome>>;

/** Returned by an attempt of the set path that must be redone row by row. */
const rowOrder: unique symbol = Symbol('row order');

async function writeBatch(
  sessions: PgSessions,
  shape: PgShape,
  sql: PgStatements,
  input: WriteBatchInput,
  path: WritePath,
  refuseLostRows: PgBatchWriter['refuseLostRows'],
): Promise<WriteBatchOutput> {
  const key = keyPositions(shape, input.key);
  refuseKeyWithoutEquality(shape, key);
  const prepared = input.rows.map((row) => prepareRow(shape, key, row));
  return sessions.use(async (client) => {
    const generated = generatedColumns(shape);
    const ctx: BatchContext = {
      client,
      shape,
      sql,
      input,
      key,
      jobId: jobHash(input.job),
      generated,
      ids: jobUserIds(input.job, input.now),
      selfIdentifying: input.upsert !== true && generated.userId !== undefined && keyIsUnique(shape, key),
      changes: new Map(),
      refuseLostRows,
    };
    if (path === 'set') {
      const output = await attempt(ctx, prepared, applyRows);
      if (output !== rowOrder) return output;
    }
    const output = await attempt(ctx, prepared, applyEach);
    if (output === rowOrder) throw new Error('row-by-row writing asked for row order');
    return output;
  });
}

/** One attempt of the batch in its transaction (see `batchTransaction`); the set path's failure that row order settles is `rowOrder`. */
async function attempt(ctx: BatchContext, prepared: Prepared[], apply: Apply): Promise<WriteBatchOutput | typeof rowOrder> {
  try {
    return await batchTransaction(ctx.client, ctx.input, () => applyOnce(ctx, prepared, apply));
  } catch (err) {
    // A row row-level security refused fails the set's statement whole (42501): row by row, it is that row's reject.
    if (apply === applyRows && (err instanceof NeedsRowOrder || isRowRefusal(err, ctx.shape))) return rowOrder;
    // Row by row, each row's own violation is its reject: one that still fails the batch was found at COMMIT.
    if (apply === applyEach && isRowError(err)) throw deferredViolation(ctx.shape, err);
    throw err;
  }
}

/** A deferred constraint refused the batch when it committed: no row can be named, and the same rows fail it again. */
function deferredViolation(shape: PgShape, err: unknown): ConnectionError {
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectionError(
    `${message}, found when the batch committed: a DEFERRABLE INITIALLY DEFERRED constraint of ${shape.readName} is checked then, too late to tell which row it refuses, so nothing of the batch was written. ` +
      'Hint: make the constraint NOT DEFERRABLE (or INITIALLY IMMEDIATE), and each row it refuses becomes a reject',
    { retryable: false, cause: err },
  );
}

/**
 * One transaction: the (job, batch) advisory lock, so two attempts of a batch take turns; then
 * `fn`, which checks the marker (a committed batch is replayed, not applied again), writes, and
 * puts the marker.
 */
async function batchTransaction<T>(client: ClientBase, marker: { job: string; batch: number }, fn: () => Promise<T>): Promise<T> {
  try {
    // One round trip: the lock id is a number computed here, never text from input.
    return await transaction(client, fn, `SELECT pg_advisory_xact_lock(${lockId(marker)})`);
  } catch (err) {
    if (isMarkerCollision(err))
      throw new ConnectionError('another attempt of this batch committed it first; a retry replays it', { retryable: true, cause: err });
    throw err;
  }
}

async function applyOnce(ctx: BatchContext, prepared: Prepared[], apply: Apply): Promise<WriteBatchOutput> {
  const { job, batch } = ctx.input;
  await ctx.refuseLostRows(ctx.client, job, ctx.input.writtenBefore === true && ctx.input.preview !== true);
  const recorded = await run(ctx, ctx.sql.markerGet, [job, batch], true);
  const text = recorded.rows[0]?.[0];
  if (typeof text === 'string') return replayedWrite(text);
  ctx.changes = new Map();
  const rows = prepared.flatMap((p) => ('prepared' in p ? [p.prepared] : []));
  const outcomes = await apply(ctx, rows);
  const output = summarize(ctx, prepared, outcomes);
  await run(ctx, ctx.sql.markerPut, [job, batch, writeMarker(output)]);
  failpoint('batch-before-commit');
  return output;
}

/**
 * The first of a job's batches that wrote rows must still have some in the table (batch-marker.ts
 * `WrittenRows`), else the batches counted done are not in this table — after a DROP and a new
 * CREATE, a RENAME or a TRUNCATE alike. One lookup of its keys, through the key's index, without a lock.
 * A job that wrote before must have a marker at all (one without changes: its rows were all rejected or unchanged).
 */
async function refuseLostRowsOf(client: ClientBase, shape: PgShape, sql: PgStatements, job: string, writtenBefore: boolean): Promise<void> {
  const query = async (statement: PgStatement, values: unknown[]) => (await client.query<unknown[]>({ ...statement, values, rowMode: 'array' })).rows;
  const written = writtenRowsOfMarker((await query(sql.firstWritten, [job]))[0]?.[0] as string | undefined);
  if (written === undefined) {
    if (writtenBefore && (await query(sql.markerAny, [job])).length === 0) throw markersGone(job, shape.table);
    return;
  }
  const key = writtenKeyPositions(written, shape.position);
  if (key !== undefined) {
    const ordinals = textArray(written.keys.map((_, i) => String(i)));
    const values = key.map((p) => textArray(written.keys.map((k) => encodeImage(shape, p, k[shape.columns[p]!.name]))));
    if ((await query(sql.exists(key), [ordinals, ...values])).length > 0) return;
  }
  throw writtenRowsGone(job, shape.table, written);
}

/** A rollback's batch: like a write, its marker commits with it, so a repeated batch restores nothing twice. */
async function restoreBatch(client: ClientBase, shape: PgShape, sql: PgStatements, input: RestoreBatchInput): Promise<RestoreBatchOutput> {
  if (input.check) return transaction(client, () => restoreRows(client, shape, sql, input));
  return batchTransaction(client, input, async () => {
    const recorded = await client.query<[string]>({ ...sql.markerGet, values: [input.job, input.batch], rowMode: 'array' });
    const text = recorded.rows[0]?.[0];
    if (typeof text === 'string') return replayedRestore(text);
    const output = await restoreRows(client, shape, sql, input);
    await client.query({ ...sql.markerPut, values: [input.job, input.batch, restoreMarker(output)] });
    failpoint('batch-before-commit');
    return output;
  });
}

/**
 * Row by row, each in a savepoint: a row the server refuses is rolled back alone and becomes its
 * reject. A unique conflict is tried once more first: an unclaimed insert (`claimKeys`) conflicts
 * with a concurrent batch's row of the same key once that batch commits, and the second try's lookup
 * finds that row, so the reject names the key's first row as a claim would have.
 */
async function applyEach(ctx: ApplyContext, rows: PreparedRow[]): Promise<Map<PreparedRow, Outcome>> {
  const outcomes = new Map<PreparedRow, Outcome>();
  for (const row of rows) {
    await ctx.client.query('SAVEPOINT ferry_row');
    for (let tries = 1; ; tries++) {
      try {
        for (const [r, outcome] of await applyRows(ctx, [row])) outcomes.set(r, outcome);
        break;
      } catch (err) {
        if (!isRowRefusal(err, ctx.shape)) throw err;
        await ctx.client.query('ROLLBACK TO SAVEPOINT ferry_row');
        ctx.changes.delete(row);
        if (tries === 1 && ctx.selfIdentifying && isUniqueViolation(err)) continue;
        outcomes.set(row, [await rowReject(err, ctx.client, ctx.shape, ctx.sql, row, ctx.input.key)]);
        break;
      }
    }
    await ctx.client.query('RELEASE SAVEPOINT ferry_row');
  }
  return outcomes;
}

function summarize(ctx: ApplyContext, prepared: Prepared[], outcomes: Map<PreparedRow, Outcome>): WriteBatchOutput {
  const output: WriteBatchOutput = { inserted: 0, updated: 0, unchanged: 0, rejects: [], replayed: false, changes: [] };
  prepared.forEach((p, i) => {
    const row = ctx.input.rows[i]?.row ?? 0;
    const outcome = 'errors' in p ? p.errors : outcomes.get(p.prepared);
    if (outcome === undefined) throw new Error(`row ${row} has no outcome`);
    if (typeof outcome !== 'string') output.rejects.push({ row, errors: outcome });
    else output[outcome] += 1;
    if (outcome !== 'inserted' && outcome !== 'updated') return;
    const change = 'prepared' in p ? ctx.changes.get(p.prepared) : undefined;
    if (change === undefined) throw new Error(`row ${row} was ${outcome} but its change was not recorded`);
    output.changes.push(change);
  });
  return output;
}

/** True when a unique index (whole rows, no expression) has only key columns: no two stored rows share the key. */
function keyIsUnique(shape: PgShape, key: readonly number[]): boolean {
  return shape.uniqueKeys.some((columns) => columns.every((c) => key.includes(c)));
}

/** A 64-bit advisory lock id for (job, batch). A collision only makes two unrelated batches take turns. */
function lockId(input: { job: string; batch: number }): string {
  return createHash('sha256').update(`${input.job}\u0000${input.batch}`).digest().readBigInt64BE(0).toString();
}

/**
 * A key column of a type with no equality of its own (point, xml, json…: PgShape `noEquality`)
 * can match no stored row: the batch failed on the server's "operator does not
 * exist: point = point". The pipeline's mistake, said in its words, before anything is written.
 */
function refuseKeyWithoutEquality(shape: PgShape, key: readonly number[]): void {
  const column = key.find((p) => shape.noEquality.has(p));
  if (column === undefined) return;
  const name = shape.columns[column]?.name ?? '';
  throw new ConnectionError(
    `key column ${name} of table ${shape.table} is of type ${shape.castTypes[column] ?? '?'}, which has no equality in PostgreSQL (no btree operator class): no row can be matched by it. Hint: key on another column (target.key)`,
    { retryable: false },
  );
}
