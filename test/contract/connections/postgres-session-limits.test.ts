import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { expect, it } from 'vitest';
import { ConnectionError } from '../../../src/connections/errors.js';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import { withClient } from '../../../src/connections/postgres/sessions.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * What a database user's own settings do to Ferry's sessions: the server ends a session idle in a
 * transaction past idle_in_transaction_session_timeout, and refuses writes under
 * default_transaction_read_only (as a hot standby does). Each fails saying so, its password masked.
 */
describePostgres('postgres user settings', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  /** A url for a new login role with `settings` (ALTER ROLE … SET), allowed to create in public. */
  async function roleUrl(name: string, settings: string): Promise<{ url: string; password: string }> {
    const password = `${name}-Sekr3t`;
    await db.raw.query(`DROP ROLE IF EXISTS ${name}; CREATE ROLE ${name} LOGIN PASSWORD '${password}'; GRANT ALL ON SCHEMA public TO ${name}`);
    await db.raw.query(`ALTER ROLE ${name} SET ${settings}`);
    return { url: db.url.replace(/\/\/[^@]*@/, `//${name}:${password}@`), password };
  }

  it("names the server's reason when it ends a session idle in a transaction, not only pg's 'not queryable'", async () => {
    const { url } = await roleUrl('idler', "idle_in_transaction_session_timeout = '50ms'");
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    pool.on('error', () => undefined);
    try {
      const error = await withClient(pool, async (client) => {
        await client.query('BEGIN');
        await sleep(500);
        await client.query('SELECT 1');
      }).catch((err: unknown) => err);
      expect(error).toMatchObject({ code: '25P03' });
    } finally {
      await pool.end();
    }
  });

  it('fails a dry run whose transaction the server ended as idle, with a hint at the setting', async () => {
    const { url, password } = await roleUrl('idler2', "idle_in_transaction_session_timeout = '50ms'");
    const connection = await openPostgres({ driver: 'postgres', url, table: 'users', pool: 2 });
    try {
      await connection.columns();
      const error = await connection
        .preview(async () => {
          await sleep(500);
          return connection.writeBatch(batch([{ email: 'a@x.io' }], { preview: true }));
        })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).message).toMatch(/idle_in_transaction_session_timeout/);
      expect((error as ConnectionError).message).not.toContain(password);
    } finally {
      await connection.close();
    }
  });

  it('says a read-only server takes no writes (default_transaction_read_only, a hot standby), not retryable', async () => {
    const { url, password } = await roleUrl('reader', 'default_transaction_read_only = on');
    const connection = await openPostgres({ driver: 'postgres', url, table: 'users', pool: 2 });
    try {
      const error = await connection.columns().catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ retryable: false, code: '25006' });
      expect((error as Error).message).toMatch(/hot standby.*primary/);
      expect((error as Error).message).not.toContain(password);
    } finally {
      await connection.close();
    }
  });

  it('fails a batch of a job whose table lost or retyped a column since it started, saying to resume', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY, nick text, age int)');
    const connection = await db.connect('people');
    try {
      await connection.columns();
      await connection.writeBatch(batch([{ email: 'a@x.io', nick: 'a', age: 1 }]));
      await db.raw.query('ALTER TABLE people DROP COLUMN nick');
      const dropped = await connection.writeBatch(batch([{ email: 'b@x.io', nick: 'b' }], { batch: 2 })).catch((err: unknown) => err);
      expect(dropped).toMatchObject({ retryable: false, message: expect.stringMatching(/Hint: the table's columns changed while the job ran.*resume/) });
      await db.raw.query('ALTER TABLE people ALTER COLUMN age TYPE text');
      const retyped = await connection.writeBatch(batch([{ email: 'a@x.io', age: 2 }], { job: 'job-2', upsert: true })).catch((err: unknown) => err);
      expect(retyped).toMatchObject({ retryable: false, message: expect.stringMatching(/Hint: .*given another type while the job ran/) });
    } finally {
      await connection.close();
    }
  });
});
