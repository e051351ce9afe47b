import type { ClientBase, Pool, PoolClient } from 'pg';
import type { RejectError } from '../validation/reject.js';
import type { PreparedRow } from './postgres-rows.js';
import type { PgShape } from './postgres-schema.js';
import type { PgStatement, PgStatements } from './postgres-sql.js';
import type { PgText } from './postgres-values.js';
import type { GeneratedColumns } from './table-shape.js';
import type { RowChange, WriteBatchInput } from './types.js';
import { imageTypes } from './postgres-decode.js';

export type Outcome = 'inserted' | 'updated' | 'unchanged' | RejectError[];

/** What every statement of one batch shares: the session inside the batch's transaction, and the table. */
export interface ApplyContext {
  client: ClientBase;
  shape: PgShape;
  sql: PgStatements;
  input: WriteBatchInput;
  /** Positions of the key columns. */
  key: number[];
  /** The job as ferry_job_keys identifies it (`jobHash`). */
  jobId: string;
  generated: GeneratedColumns;
  /** Each written row's change (the job's backup), filled as the rows are written; per attempt. */
  changes: Map<PreparedRow, RowChange>;
}

/** Runs a prepared statement; `array` returns rows as arrays (no object per row), values read as a backup reads them (postgres-decode.ts). */
export async function run(ctx: ApplyContext, statement: PgStatement, values: unknown[], array = false): Promise<{ rows: unknown[][]; rowCount: number }> {
  if (array) {
    const result = await ctx.client.query<unknown[]>({ ...statement, values, rowMode: 'array', types: imageTypes });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }
  const result = await ctx.client.query({ ...statement, values });
  return { rows: [], rowCount: result.rowCount ?? 0 };
}

/** One text[] literal per key column: the rows' key values, for `unnest`. */
export function keyArrays(ctx: ApplyContext, rows: readonly PreparedRow[]): string[] {
  return ctx.key.map((_, k) => textArray(rows.map((r) => r.keyValues[k] ?? null)));
}

const needsEscape = /["\\]/;

/**
 * A text[] literal (`{"a","b\"c",NULL}`), the parameter of an `unnest($n::text[])`. Built here
 * rather than by pg, whose per-element escaping (two regex replaces each) was the largest cost of
 * a batch on the client; every element is quoted, so only `"` and `\` need a backslash.
 */
export function textArray(values: readonly PgText[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    if (value === null || value === undefined) literal += 'NULL';
    else literal += `"${needsEscape.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  return `${literal}}`;
}

/**
 * Runs `fn` on a session from the pool. While checked out, a session whose connection dies emits
 * `error` besides failing the query in flight; the pool listens only on idle sessions, so without a
 * listener here that event would crash the process. A session that failed is discarded, not reused.
 */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  let failed = false;
  try {
    return await fn(client);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(failed);
  }
}

/** Sessions lent by a preview: already inside the preview's transaction, where a transaction is a savepoint. */
const previewing = new WeakSet<ClientBase>();

/**
 * Runs `fn` in a transaction on `client` — or in a savepoint when the session is a preview's, so
 * the preview's rollback undoes it too. `first` is SQL sent with the BEGIN in one round trip.
 */
export async function transaction<T>(client: ClientBase, fn: () => Promise<T>, first?: string): Promise<T> {
  const nested = previewing.has(client);
  const begin = nested ? 'SAVEPOINT ferry_tx' : 'BEGIN';
  await client.query(first === undefined ? begin : `${begin}; ${first}`);
  try {
    const result = await fn();
    await client.query(nested ? 'RELEASE SAVEPOINT ferry_tx' : 'COMMIT');
    return result;
  } catch (err) {
    await client.query(nested ? 'ROLLBACK TO SAVEPOINT ferry_tx; RELEASE SAVEPOINT ferry_tx' : 'ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Where a connection's writes run: a pooled session each, or — during a preview — the preview's one session. */
export interface PgSessions {
  use<T>(fn: (client: ClientBase) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with every `use` going to one session inside one transaction, rolled back at the
   * end. Callers take turns on that session (batches running in parallel queue up), since a
   * session runs one transaction at a time.
   */
  preview<T>(fn: () => Promise<T>): Promise<T>;
}

export function createSessions(pool: Pool): PgSessions {
  let lent: { client: ClientBase; turn: Promise<unknown>; ended: boolean } | undefined;
  return {
    use(fn) {
      if (lent === undefined) return withClient(pool, fn);
      const session = lent;
      const run = session.turn.then(() => {
        if (session.ended) throw new Error('the preview this write belonged to has ended');
        return fn(session.client);
      });
      session.turn = run.catch(() => undefined);
      return run;
    },
    async preview(fn) {
      if (lent !== undefined) throw new Error('a preview is already running on this connection');
      const client = await pool.connect();
      const ignore = () => undefined;
      client.on('error', ignore);
      const session = { client, turn: Promise.resolve() as Promise<unknown>, ended: false };
      try {
        await client.query('BEGIN');
        previewing.add(client);
        lent = session;
        return await fn();
      } finally {
        // Writes still queued (none, unless fn left one behind) must not run outside the preview.
        session.ended = true;
        if (lent === session) lent = undefined;
        await session.turn;
        await client.query('ROLLBACK').catch(ignore);
        // Closed, not pooled: statements it prepared may name a table the rollback dropped.
        client.off('error', ignore);
        client.release(true);
      }
    },
  };
}
