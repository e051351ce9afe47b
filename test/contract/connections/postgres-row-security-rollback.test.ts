import { expect, it } from 'vitest';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import type { Connection, RestoreEntry } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * A rollback on a table with row-level security, run by a database user the policies bind: a row a
 * policy's USING hides from that user cannot be found by its key, and was reported "deleted since"
 * (an updated row), or taken as already gone (an inserted row: nothing said, and it stayed). With
 * --force, an updated row it hides was inserted again: a second copy where the key is not unique, a
 * failed batch where it is. Such rows are now said to be invisible to the user under row-level
 * security — by a check as rows of reason `hidden` — and nothing of the batch is restored, forced or not.
 */
describePostgres('postgres rollback on a table with row-level security', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  const password = 'app-Sekr3t';

  /** Table t (its key `unique` or not) made by the superuser; `hide` lists the emails the policy hides from role `app`. */
  async function asApp(unique: boolean, owner = false): Promise<Connection> {
    await db.raw.query(`DROP OWNED BY app; DROP ROLE IF EXISTS app`).catch(() => undefined);
    await db.raw.query(`DROP ROLE IF EXISTS app; CREATE ROLE app LOGIN PASSWORD '${password}'; GRANT ALL ON SCHEMA public TO app`);
    await db.raw.query(`CREATE TABLE hide (email text); GRANT SELECT ON hide TO app;
      CREATE TABLE t (email text ${unique ? 'PRIMARY KEY' : ''}, n int);
      INSERT INTO t VALUES ('mine', 1), ('kept', 1);
      ALTER TABLE t ENABLE ROW LEVEL SECURITY;
      CREATE POLICY p ON t USING (email NOT IN (SELECT email FROM hide)) WITH CHECK (true)`);
    await db.raw.query(owner ? 'ALTER TABLE t OWNER TO app' : 'GRANT ALL ON t TO app');
    const connection = await openPostgres({ driver: 'postgres', url: db.url.replace(/\/\/[^@]*@/, `//app:${password}@`), table: 't', pool: 2 });
    await connection.columns();
    return connection;
  }

  /** Job job-1 (as app) updates `mine` and inserts `a`; then the policy hides both from app. Its backup entries. */
  async function written(connection: Connection): Promise<RestoreEntry[]> {
    const out = await connection.writeBatch(
      batch(
        [
          { email: 'mine', n: 5 },
          { email: 'a', n: 2 },
        ],
        { upsert: true },
      ),
    );
    expect(out).toMatchObject({ inserted: 1, updated: 1, rejects: [] });
    await db.raw.query("INSERT INTO hide VALUES ('mine'), ('a')");
    return JSON.parse(JSON.stringify(out.changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
  }

  const stored = async () => (await db.raw.query('SELECT email, n FROM t ORDER BY email, n')).rows;
  const hidden = /2 rows of the backup are not visible to database user app: row-level security on public\.t applies to this user/;

  it.each([true, false])('key unique %s: the check reports the rows hidden, a restore and --force refuse, naming them, and nothing changes', async (unique) => {
    const connection = await asApp(unique);
    try {
      const entries = await written(connection);
      const before = await stored();
      // The check reports them as rows of their own kind, as it reports rows changed or deleted since.
      const checked = await connection.restoreBatch({ job: 'undo', batch: 1, entries, force: false, check: true });
      expect(checked).toMatchObject({ restored: 0, deleted: 0 });
      expect(checked.changed).toEqual([
        { row: 1, key: { email: 'mine' }, reason: 'hidden' },
        { row: 2, key: { email: 'a' }, reason: 'hidden' },
      ]);
      for (const force of [false, true]) {
        const restore = connection.restoreBatch({ job: 'undo', batch: 1, entries, force });
        await expect(restore).rejects.toThrow(hidden);
        await expect(restore).rejects.toThrow(/\(row 1 email="mine", row 2 email="a"\)/);
      }
      expect(await stored()).toEqual(before);
    } finally {
      await connection.close();
    }
  });

  it('a row really deleted is still "missing" for a user row-level security does not apply to (the owner)', async () => {
    const connection = await asApp(true, true);
    try {
      const entries = await written(connection);
      await db.raw.query("DELETE FROM hide; DELETE FROM t WHERE email = 'mine'");
      const out = await connection.restoreBatch({ job: 'undo', batch: 1, entries, force: false, check: true });
      expect(out.changed).toEqual([{ row: 1, key: { email: 'mine' }, reason: 'missing' }]);
    } finally {
      await connection.close();
    }
  });
});
