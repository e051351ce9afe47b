import { expect, it } from 'vitest';
import { isRetryable } from '../../../src/connections/errors.js';
import { toConnectionError } from '../../../src/connections/postgres/errors.js';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import type { Connection } from '../../../src/connections/types.js';
import { rawClient } from '../../helpers/postgres-raw.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch, output } from './contract-harness.js';

/**
 * What goes wrong with a real server: a session killed mid-batch, the server going away, a wrong
 * password, two writers at once. Transient failures are retryable and leave nothing behind; the
 * retry then applies the batch exactly once. No message shows the password.
 */
describePostgres('postgres failures', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  async function connect(pool = 2): Promise<Connection> {
    const connection = await db.connect('users', pool);
    await connection.columns();
    return connection;
  }

  async function count(table: string): Promise<number> {
    return Number((await db.raw.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
  }

  it('fails a batch whose session is terminated mid-transaction as retryable, rolled back; the retry applies it once', async () => {
    const connection = await connect();
    const input = batch([{ email: 'a@x.io' }, { email: 'b@x.io' }]);
    // The batch claims its keys, then waits for the users table: kill its session while it waits.
    await db.raw.query('BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
    const writing = connection.writeBatch(input).catch((err: unknown) => err);
    await waitFor(
      async () => (await db.raw.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'ferry' AND wait_event_type = 'Lock'`)).rowCount === 1,
    );
    await db.raw.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ferry' AND wait_event_type = 'Lock'`);
    const error = await writing;
    await db.raw.query('ROLLBACK');
    expect(error).toMatchObject({ code: '57P01', retryable: true });
    expect((error as Error).message).toMatch(
      /^\[connection:postgres\] writing rows 1–2 of job job-1: terminating connection due to administrator command\. Hint: /,
    );
    expect(isRetryable(error)).toBe(true);
    expect([await count('users'), await count('ferry_job_keys'), await count('ferry_batches')]).toEqual([0, 0, 0]);
    expect(await connection.writeBatch(input)).toEqual(output({ inserted: 2 }));
    expect(await connection.writeBatch(input)).toEqual(output({ inserted: 2, replayed: true }));
    expect(await count('users')).toBe(2);
  });

  it('fails batches retryably while the server is down, and applies them once it is back', async () => {
    const connection = await connect();
    await connection.writeBatch(batch([{ email: 'a@x.io' }]));
    await db.raw.end();
    await server().pause();
    try {
      const error: unknown = await connection.writeBatch(batch([{ email: 'b@x.io' }], { batch: 2, firstRow: 2 })).catch((err: unknown) => err);
      expect((error as Error).message).toMatch(/^\[connection:postgres\] writing rows 2–2 of job job-1: /);
      expect(isRetryable(error)).toBe(true);
    } finally {
      await server().resume();
    }
    db.raw = await rawClient(db.url);
    expect(await connection.writeBatch(batch([{ email: 'b@x.io' }], { batch: 2, firstRow: 2 }))).toEqual(output({ inserted: 1 }));
    expect(await count('users')).toBe(2);
  });

  it('refuses a wrong password at open: not retryable, the password masked, a hint', async () => {
    const wrong = db.url.replace(`:${encodeURIComponent(server().password)}@`, ':Wr0ngSecret@');
    const error: unknown = await openPostgres({ driver: 'postgres', url: wrong, table: 'users', pool: 1 }).catch((err: unknown) => err);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^\[connection:postgres\] cannot connect to postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/\w+: password authentication failed for user "ferry"\. Hint: check the user and password/,
    );
    expect(message).not.toContain('Wr0ngSecret');
    expect(isRetryable(error)).toBe(false);
  });

  it('reports an unreachable server as retryable, with the URL masked', async () => {
    const closed = db.url.replace(`:${server().port}/`, ':1/');
    const error: unknown = await openPostgres({ driver: 'postgres', url: closed, table: 'users', pool: 1 }).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(/^\[connection:postgres\] cannot connect to postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:1\//);
    expect((error as Error).message).not.toContain(server().password);
    expect(isRetryable(error)).toBe(true);
  });

  it('refuses a statement with more bind parameters than the protocol carries as not retryable, saying why', async () => {
    // 70,000 terms of a query each become a parameter; the protocol counts them in 16 bits.
    const params = Array.from({ length: 70_000 }, (_, i) => `u${i}@x.io`);
    const text = `SELECT 1 WHERE 'a' IN (${params.map((_, i) => `$${i + 1}`).join(', ')})`;
    const refused: unknown = await db.raw.query(text, params).catch((err: unknown) => err);
    const error = toConnectionError(refused, 'postgres', 'reading a page of table users');
    expect(error.message).toMatch(
      /^\[connection:postgres\] reading a page of table users: bind message has \d+ parameter formats but 0 parameters\. Hint: the statement has more than 65,535 parameters/,
    );
    expect(isRetryable(error)).toBe(false);
  });

  it('lets two attempts of one batch run at once: one writes it, the other replays it', async () => {
    const [first, second] = [await connect(), await connect()];
    const input = batch(
      Array.from({ length: 200 }, (_, i) => ({ email: `u${i}@x.io`, user_metadata: { n: i } })),
      { upsert: true },
    );
    const outputs = await Promise.all([first.writeBatch(input), second.writeBatch(input)]);
    expect(outputs.map((o) => o.replayed).sort()).toEqual([false, true]);
    expect(outputs[0]).toEqual({ ...outputs[1], replayed: outputs[0]?.replayed });
    expect(await count('users')).toBe(200);
  });

  it('counts a key shared by two batches of one job running at once exactly once', async () => {
    const [first, second] = [await connect(), await connect()];
    const rows = (from: number) => Array.from({ length: 300 }, (_, i) => ({ email: `u${from + i}@x.io` }));
    const outputs = await Promise.all([first.writeBatch(batch(rows(0), { batch: 1 })), second.writeBatch(batch(rows(150), { batch: 2, firstRow: 1001 }))]);
    const rejected = outputs.flatMap((o) => o.rejects);
    expect(outputs.reduce((n, o) => n + o.inserted, 0)).toBe(450);
    expect(rejected).toHaveLength(150);
    expect(new Set(rejected.map((r) => r.errors[0]?.code))).toEqual(new Set(['DUPLICATE_IN_SOURCE']));
    expect(await count('users')).toBe(450);
  });

  it('claims no key for a row inserted with a generated user_id under a unique key, and still finds it as the key first row', async () => {
    const connection = await connect();
    await connection.writeBatch(batch([{ email: 'ann@x.io' }, { email: 'bob@x.io' }]));
    expect(await count('ferry_job_keys')).toBe(0);
    const again = await connection.writeBatch(batch([{ email: 'BOB@x.io' }, { email: 'cy@x.io' }], { batch: 2, firstRow: 11 }));
    expect(again).toEqual(
      output({ inserted: 1, rejects: [{ row: 11, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 2' }] }] }),
    );
    // A key no unique index covers is claimed: two batches could insert it at once, and only the claim stops the second.
    await connection.writeBatch(batch([{ email: 'dan@x.io', given_name: 'Dan' }], { job: 'job-2', key: ['given_name'] }));
    expect(await count('ferry_job_keys')).toBe(1);
    // So is a key whose unique index is checked only at commit: a concurrent insert would not fail at once.
    await db.raw.query('DROP INDEX users_email_key; ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email) DEFERRABLE INITIALLY DEFERRED');
    await (await connect()).writeBatch(batch([{ email: 'eve@x.io' }], { job: 'job-3' }));
    expect(await count('ferry_job_keys')).toBe(2);
  });

  it('names the first row of a key two racing batches of one job insert, without claims', async () => {
    const [first, second] = [await connect(), await connect()];
    const rows = (from: number) => Array.from({ length: 300 }, (_, i) => ({ email: `u${from + i}@x.io` }));
    const outputs = await Promise.all([first.writeBatch(batch(rows(0), { batch: 1 })), second.writeBatch(batch(rows(150), { batch: 2, firstRow: 1001 }))]);
    // Rows 151–300 of batch 1 and rows 1001–1150 of batch 2 share keys: whichever batch committed first keeps them.
    const messages = outputs.flatMap((o) => o.rejects.map((r) => [r.row, r.errors[0]?.message]));
    const batch1Won = outputs[0]?.rejects.length === 0;
    const expected = Array.from({ length: 150 }, (_, i) => (batch1Won ? [1001 + i, `same key as row ${151 + i}`] : [151 + i, `same key as row ${1001 + i}`]));
    expect(messages).toEqual(expected);
    expect(await count('ferry_job_keys')).toBe(0);
  });

  it('fails the batch, not retryable, when the key names no column; nothing is written', async () => {
    const connection = await connect();
    const error: unknown = await connection.writeBatch(batch([{ email: 'a@x.io' }], { key: ['mail'] })).catch((err: unknown) => err);
    expect((error as Error).message).toBe(
      '[connection:postgres] writing rows 1–1 of job job-1: key column mail is not a column of table users. Hint: check target.key',
    );
    expect(isRetryable(error)).toBe(false);
    expect(await count('ferry_batches')).toBe(0);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
