import { expect, it } from 'vitest';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import type { Connection, RestoreEntry } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * A rollback's batch (forced, the check skipped) after a column of the table was renamed or
 * dropped: each image was put back column by column of the table as it is now, so the renamed
 * column's saved value went nowhere (the new name got NULL) and the batch succeeded. It now fails
 * whole, naming the column. A generated column the image holds is no such column. A saved value
 * the column's type refuses now fails the batch without the server's quote of it (a password hash).
 */
describePostgres('postgres rollback after the table lost a column', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  async function written(): Promise<{ connection: Connection; entries: RestoreEntry[] }> {
    await db.raw.query(`CREATE TABLE t (email text PRIMARY KEY, n int, label text, twice int GENERATED ALWAYS AS (n * 2) STORED);
      INSERT INTO t (email, n, label) VALUES ('a', 1, 'first')`);
    const connection = await openPostgres({ driver: 'postgres', url: db.url, table: 't', pool: 1 });
    const out = await connection.writeBatch(
      batch(
        [
          { email: 'a', n: 5, label: 'changed' },
          { email: 'b', n: 2, label: 'new' },
        ],
        { upsert: true },
      ),
    );
    expect(out).toMatchObject({ inserted: 1, updated: 1, rejects: [] });
    const entries = JSON.parse(JSON.stringify(out.changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
    return { connection, entries };
  }

  const stored = async () => (await db.raw.query('SELECT * FROM t ORDER BY email')).rows;

  it.each(['ALTER TABLE t RENAME COLUMN label TO tag', 'ALTER TABLE t DROP COLUMN label'])('%s: the forced batch fails, naming the column', async (sql) => {
    const { connection, entries } = await written();
    try {
      await db.raw.query(sql);
      // A new session: the shape is read afresh, as a rollback job's own connection reads it.
      await connection.close();
      const fresh = await openPostgres({ driver: 'postgres', url: db.url, table: 't', pool: 1 });
      try {
        const before = await stored();
        await expect(fresh.restoreBatch({ job: 'undo', batch: 1, entries, force: true })).rejects.toMatchObject({
          retryable: false,
          message: expect.stringContaining(
            'row 1 email="a": the backup holds its value of column label, which table public.t no longer has (dropped or renamed since the job wrote the row): putting the row back would lose it, so nothing of this batch was restored',
          ) as unknown,
        });
        expect(await stored()).toEqual(before);
      } finally {
        await fresh.close();
      }
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it("a saved value the column's new type refuses: the forced batch fails without quoting it", async () => {
    await db.raw.query(`CREATE TABLE t (email text PRIMARY KEY, n int, label text); INSERT INTO t VALUES ('a', 1, '$2b$10$S3cretHash')`);
    const connection = await openPostgres({ driver: 'postgres', url: db.url, table: 't', pool: 1 });
    try {
      const out = await connection.writeBatch(batch([{ email: 'a', n: 5, label: '7' }], { upsert: true }));
      const entries = JSON.parse(JSON.stringify(out.changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
      expect(JSON.stringify(entries)).toContain('S3cretHash');
      await db.raw.query('ALTER TABLE t ALTER COLUMN label TYPE int USING label::int');
      await connection.close();
      const fresh = await openPostgres({ driver: 'postgres', url: db.url, table: 't', pool: 1 });
      try {
        const failure = (await fresh.restoreBatch({ job: 'undo', batch: 1, entries, force: true }).catch((err: unknown) => err)) as {
          message: string;
          retryable: boolean;
        };
        expect(failure.retryable).toBe(false);
        expect(failure.message).toContain(
          "public.t refused the rollback's UPDATE: invalid input syntax for type integer. A value saved in the backup no longer fits the table, or a constraint added since refuses it",
        );
        expect(failure.message).not.toContain('S3cret');
        expect((await db.raw.query('SELECT * FROM t')).rows).toEqual([{ email: 'a', n: 5, label: 7 }]);
      } finally {
        await fresh.close();
      }
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('a generated column the images hold is the table’s own: the rollback puts the rows back', async () => {
    const { connection, entries } = await written();
    try {
      expect(entries[0]?.before).toHaveProperty('twice', 2);
      const out = await connection.restoreBatch({ job: 'undo', batch: 1, entries, force: true });
      expect(out).toMatchObject({ restored: 1, deleted: 1, changed: [] });
      expect(await stored()).toEqual([{ email: 'a', n: 1, label: 'first', twice: 2 }]);
    } finally {
      await connection.close();
    }
  });
});
