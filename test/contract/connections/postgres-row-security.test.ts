import { expect, it } from 'vitest';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import type { Connection } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * A table with row-level security, written by a database user its policies apply to: a row a
 * policy's WITH CHECK refuses is that row's reject (it failed the whole batch with 42501), and a
 * stored user a policy's USING hides is said to be hidden (it was "already belongs to another user").
 */
describePostgres('postgres target with row-level security', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  const password = 'app-Sekr3t';

  /** Table t made by the test's superuser with `policies`, opened as role `app`, which the policies bind. */
  async function asApp(policies: string, grant = 'ALL'): Promise<Connection> {
    await db.raw.query(`DROP ROLE IF EXISTS app; CREATE ROLE app LOGIN PASSWORD '${password}'; GRANT ALL ON SCHEMA public TO app`);
    await db.raw.query(`CREATE TABLE t (email text PRIMARY KEY, n int, owner text);
      INSERT INTO t VALUES ('hidden', 1, 'other'), ('mine', 1, 'me');
      ALTER TABLE t ENABLE ROW LEVEL SECURITY; ${policies}`);
    await db.raw.query(`GRANT ${grant} ON t TO app`);
    const connection = await openPostgres({ driver: 'postgres', url: db.url.replace(/\/\/[^@]*@/, `//app:${password}@`), table: 't', pool: 2 });
    try {
      await connection.columns();
    } catch (err) {
      await connection.close();
      throw err;
    }
    return connection;
  }

  const stored = async () => (await db.raw.query('SELECT email, n FROM t ORDER BY email')).rows;
  const refused = {
    code: 'INVALID_TYPE',
    path: '',
    message: expect.stringMatching(
      /^rejected by the database: new row violates row-level security policy .*for table "t": a row-level security policy's WITH CHECK refuses this row for this database user$/,
    ) as unknown,
  };
  const policies = `CREATE POLICY sel ON t FOR SELECT USING (true);
    CREATE POLICY ins ON t FOR INSERT WITH CHECK (n < 100);
    CREATE POLICY upd ON t FOR UPDATE USING (owner IS DISTINCT FROM 'other') WITH CHECK (n < 100);`;

  it('an insert its WITH CHECK refuses is that row’s reject; the other rows are written', async () => {
    const connection = await asApp(policies);
    try {
      const out = await connection.writeBatch(
        batch([
          { email: 'a', n: 1 },
          { email: 'b', n: 500 },
          { email: 'c', n: 3 },
        ]),
      );
      expect(out).toMatchObject({ inserted: 2, rejects: [{ row: 2, errors: [refused] }] });
      expect(await stored()).toEqual([
        { email: 'a', n: 1 },
        { email: 'c', n: 3 },
        { email: 'hidden', n: 1 },
        { email: 'mine', n: 1 },
      ]);
    } finally {
      await connection.close();
    }
  });

  it('an update its WITH CHECK refuses is that row’s reject; a user its USING hides is said to be hidden', async () => {
    const connection = await asApp(policies);
    try {
      const out = await connection.writeBatch(
        batch(
          [
            { email: 'mine', n: 200 },
            { email: 'hidden', n: 2 },
            { email: 'new', n: 2 },
          ],
          { upsert: true },
        ),
      );
      expect(out).toMatchObject({
        inserted: 1,
        updated: 0,
        rejects: [
          { row: 1, errors: [refused] },
          {
            row: 2,
            errors: [
              {
                code: 'CONFLICT',
                path: 'email',
                message:
                  "email already belongs to a user that row-level security on public.t hides from this database user (a policy's USING), so this row can neither update it nor be inserted",
              },
            ],
          },
        ],
      });
      expect(await stored()).toEqual([
        { email: 'hidden', n: 1 },
        { email: 'mine', n: 1 },
        { email: 'new', n: 2 },
      ]);
    } finally {
      await connection.close();
    }
  });

  it('a privilege the user lacks still fails the batch whole, not retried', async () => {
    const connection = await asApp(policies, 'SELECT, UPDATE');
    try {
      await expect(connection.writeBatch(batch([{ email: 'a', n: 1 }]))).rejects.toMatchObject({
        retryable: false,
        message: expect.stringMatching(/permission denied for table t/) as unknown,
      });
      expect(await stored()).toEqual([
        { email: 'hidden', n: 1 },
        { email: 'mine', n: 1 },
      ]);
    } finally {
      await connection.close();
    }
  });
});
