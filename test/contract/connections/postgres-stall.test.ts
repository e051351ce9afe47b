import { afterEach, expect, it } from 'vitest';
import { isRetryable } from '../../../src/connections/errors.js';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import type { Connection } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { rawClient } from '../../helpers/postgres-raw.js';
import { startStallingProxy, type StallingProxy } from '../../helpers/stalling-proxy.js';
import { batch, output } from './contract-harness.js';

/**
 * A server that stops answering mid-job (frozen, or the network to it broken) must fail the batch
 * in bounded time, retryably, and discard the session; once it answers again the retry applies the
 * batch exactly once.
 */
describePostgres('postgres server that stops answering', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  let proxy: StallingProxy | undefined;
  let connection: Connection | undefined;

  afterEach(async () => {
    proxy?.resume();
    await connection?.close();
    await proxy?.close();
  });

  async function connectThroughProxy(): Promise<{ proxy: StallingProxy; connection: Connection }> {
    proxy = await startStallingProxy(server().port);
    const url = db.url.replace(`:${server().port}/`, `:${proxy.port}/`);
    connection = await openPostgres({ driver: 'postgres', url, table: 'users', pool: 1, query_timeout: '2s', connect_timeout: '2s' });
    await connection.columns();
    return { proxy, connection };
  }

  async function count(table: string): Promise<number> {
    return Number((await db.raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  }

  it('fails a batch that gets no answer after query_timeout, retryably, closing its session; the retry applies it once', { timeout: 30_000 }, async () => {
    const { proxy, connection } = await connectThroughProxy();
    expect(await connection.writeBatch(batch([{ email: 'a@x.io' }]))).toEqual(output({ inserted: 1 }));
    // The batch's rows reach the proxy, not the server: the statement waits for an answer that never comes.
    proxy.stall('b@x.io');
    const second = batch([{ email: 'b@x.io' }], { batch: 2, firstRow: 2 });
    const started = Date.now();
    const error: unknown = await connection.writeBatch(second).catch((err: unknown) => err);
    expect(Date.now() - started).toBeLessThan(6_000);
    expect((error as Error).message).toMatch(
      /^\[connection:postgres\] writing rows 2–2 of job job-1: no answer from the PostgreSQL server at postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/\w+ in 2 s\. Hint: the server or the network to it stalled, or the statement needs longer \(raise the connection's query_timeout in ferry\.yaml\); the session is closed$/,
    );
    expect((error as Error).message).not.toContain(server().password);
    expect(isRetryable(error)).toBe(true);
    // Discarded, not pooled: a pooled session would answer the next batch with the stalled one's reply.
    await waitFor(() => proxy.open() === 0);

    // Still silent: opening a new session is bounded too, and retryable.
    const opening: unknown = await connection.writeBatch(second).catch((err: unknown) => err);
    expect((opening as Error).message).toMatch(
      /^\[connection:postgres\] writing rows 2–2 of job job-1: no session opened with the PostgreSQL server at postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/\w+ in 2 s\. Hint: the server or the network to it stalled, or every session of the connection's pool stayed busy \(raise its connect_timeout in ferry\.yaml\)$/,
    );
    expect(isRetryable(opening)).toBe(true);
    expect(Date.now() - started).toBeLessThan(12_000);

    proxy.resume();
    expect(await connection.writeBatch(second)).toEqual(output({ inserted: 1 }));
    expect(await connection.writeBatch(second)).toEqual(output({ inserted: 1, replayed: true }));
    expect([await count('users'), await count('ferry_batches')]).toEqual([2, 2]);
  });

  it('fails an export page that gets no answer after query_timeout, retryably', { timeout: 30_000 }, async () => {
    const { proxy, connection } = await connectThroughProxy();
    await connection.writeBatch(batch([{ email: 'a@x.io' }]));
    proxy.stall();
    const error: unknown = await connection.readPage({ query: '', after: null, limit: 10 }).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(
      /^\[connection:postgres\] reading a page of table users: no answer from the PostgreSQL server at .* in 2 s\. Hint: /,
    );
    expect(isRetryable(error)).toBe(true);
    await waitFor(() => proxy.open() === 0);
  });

  it(
    'a statement that waits past query_timeout is cancelled by the server, not left holding its place; the retry applies it once',
    { timeout: 30_000 },
    async () => {
      connection = await openPostgres({ driver: 'postgres', url: db.url, table: 'users', pool: 1, query_timeout: '2s' });
      expect(await connection.writeBatch(batch([{ email: 'a@x.io' }]))).toEqual(output({ inserted: 1 }));
      // Another session holds the table: the batch's insert waits on its lock.
      const holder = await rawClient(db.url);
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
        const second = batch([{ email: 'b@x.io' }], { batch: 2, firstRow: 2 });
        const started = Date.now();
        const error: unknown = await connection.writeBatch(second).catch((err: unknown) => err);
        expect(Date.now() - started).toBeLessThan(4_000);
        expect((error as Error).message).toMatch(
          /^\[connection:postgres\] writing rows 2–2 of job job-1: the PostgreSQL server at postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/\w+ cancelled the statement after the connection's query_timeout \(2 s\)\. Hint: another transaction may hold locks on the table, or the statement needs longer \(raise the connection's query_timeout in ferry\.yaml\)$/,
        );
        expect(isRetryable(error)).toBe(true);
        // Nothing of Ferry's still runs or waits on the server: the statement ended there.
        const waiting = await db.raw.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'ferry' AND state = 'active'");
        expect(waiting.rows[0]).toEqual({ n: 0 });
        await holder.query('COMMIT');
        expect(await connection.writeBatch(second)).toEqual(output({ inserted: 1 }));
        expect([await count('users'), await count('ferry_batches')]).toEqual([2, 2]);
      } finally {
        await holder.end().catch(() => undefined);
      }
    },
  );
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
