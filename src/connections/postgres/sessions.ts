import type { ClientBase, Pool, PoolClient } from 'pg';
import { isNoAnswer } from './errors.js';

/** Sessions from the pool, transactions on them, and the one session a preview lends its writes. */

/**
 * Runs `fn` on a session from the pool. While checked out, a session whose connection dies emits
 * `error` besides failing the query in flight; the pool listens only on idle sessions, so without a
 * listener here that event would crash the process. A session that failed is discarded, not reused.
 */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const loss = watchLoss(client);
  let failed = false;
  try {
    return await fn(client);
  } catch (err) {
    failed = true;
    throw loss.explain(err);
  } finally {
    loss.stop();
    client.release(failed);
  }
}

/**
 * Listens for the `error` a session emits when its connection dies between statements. The server
 * says why in it (a FATAL: idle_in_transaction_session_timeout, an operator's pg_terminate_backend,
 * a shutdown), but the next statement fails only with pg's "Client has encountered a connection
 * error and is not queryable": `explain` gives the server's error for that one instead.
 */
function watchLoss(client: ClientBase): { explain(err: unknown): unknown; stop(): void } {
  let lost: unknown;
  const remember = (err: unknown) => {
    lost ??= err;
  };
  client.on('error', remember);
  return {
    explain: (err) => (lost !== undefined && err instanceof Error && notQueryable.test(err.message) ? lost : err),
    stop: () => client.off('error', remember),
  };
}

const notQueryable = /^Client has encountered a connection error and is not queryable$/;

/** Sessions lent by a preview: already inside the preview's transaction, where a transaction is a savepoint. */
const previewing = new WeakSet<ClientBase>();

/**
 * Ferry's writes assume READ COMMITTED, whatever the database or role defaults to: each statement
 * sees what committed before it, so after a unique conflict the lookup finds the row that caused it
 * (apply.ts `claimKeys`); REPEATABLE READ would keep the batch's first snapshot.
 */
const BEGIN = 'BEGIN ISOLATION LEVEL READ COMMITTED';

/**
 * Runs `fn` in a transaction on `client` — or in a savepoint when the session is a preview's, so
 * the preview's rollback undoes it too. `first` is SQL sent with the BEGIN in one round trip.
 */
export async function transaction<T>(client: ClientBase, fn: () => Promise<T>, first?: string): Promise<T> {
  const nested = previewing.has(client);
  const begin = nested ? 'SAVEPOINT ferry_tx' : BEGIN;
  await client.query(first === undefined ? begin : `${begin}; ${first}`);
  try {
    const result = await fn();
    await client.query(nested ? 'RELEASE SAVEPOINT ferry_tx' : 'COMMIT');
    return result;
  } catch (err) {
    await rollbackAfter(err, client, nested ? 'ROLLBACK TO SAVEPOINT ferry_tx; RELEASE SAVEPOINT ferry_tx' : 'ROLLBACK');
    throw err;
  }
}

/**
 * Undoes a failed transaction with `rollback` — unless the server gave no answer (`isNoAnswer`): pg
 * keeps that statement in flight, so the ROLLBACK would only queue behind it and wait out another
 * timeout. The session is discarded instead (`withClient`), and the server ends its transaction.
 */
export async function rollbackAfter(err: unknown, client: ClientBase, rollback: string): Promise<void> {
  if (isNoAnswer(err)) return;
  await client.query(rollback).catch(() => undefined);
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
  let lent: { client: ClientBase; turn: Promise<unknown>; ended: boolean; loss: ReturnType<typeof watchLoss> } | undefined;
  return {
    use(fn) {
      if (lent === undefined) return withClient(pool, fn);
      const session = lent;
      const run = session.turn.then(async () => {
        if (session.ended) throw new Error('the preview this write belonged to has ended');
        try {
          return await fn(session.client);
        } catch (err) {
          throw session.loss.explain(err);
        }
      });
      session.turn = run.catch(() => undefined);
      return run;
    },
    async preview(fn) {
      if (lent !== undefined) throw new Error('a preview is already running on this connection');
      const client = await pool.connect();
      const loss = watchLoss(client);
      const session = { client, turn: Promise.resolve() as Promise<unknown>, ended: false, loss };
      let failure: unknown;
      try {
        await client.query(BEGIN);
        previewing.add(client);
        lent = session;
        return await fn();
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        // Writes still queued (none, unless fn left one behind) must not run outside the preview.
        session.ended = true;
        if (lent === session) lent = undefined;
        await session.turn;
        await rollbackAfter(failure, client, 'ROLLBACK');
        // Closed, not pooled: statements it prepared may name a table the rollback dropped.
        loss.stop();
        client.release(true);
      }
    },
  };
}
