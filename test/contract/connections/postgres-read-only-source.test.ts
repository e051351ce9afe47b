import { expect, it } from 'vitest';
import { openPostgres } from '../../../src/connections/postgres/open.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * A source read by a database user that may only read it (SELECT on the table, no CREATE in its
 * schema — PostgreSQL 15's default for public): an export needs no bookkeeping tables, so reading
 * creates none, and the read-only user can export.
 */
describePostgres('postgres source read by a read-only user', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  const password = 'reader-Sekr3t';

  it('plans and reads its pages, creating no table', async () => {
    await db.raw.query(`DROP ROLE IF EXISTS reader; CREATE ROLE reader LOGIN PASSWORD '${password}';
      REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO reader;
      CREATE TABLE t (email text PRIMARY KEY, n int); INSERT INTO t VALUES ('a', 1), ('b', 2);
      GRANT SELECT ON t TO reader`);
    const connection = await openPostgres({ driver: 'postgres', url: db.url.replace(/\/\/[^@]*@/, `//reader:${password}@`), table: 't', pool: 2 });
    try {
      expect((await connection.columns('read')).map((c) => c.name)).toEqual(['email', 'n']);
      const plan = await connection.planPages({ query: '*', size: 10 });
      expect(plan.total).toBe(2);
      expect(await connection.readPage({ query: '*', after: null, until: plan.last!, limit: 10 })).toEqual([
        { email: 'a', n: 1 },
        { email: 'b', n: 2 },
      ]);
    } finally {
      await connection.close();
    }
    expect((await db.raw.query("SELECT relname FROM pg_class WHERE relname LIKE 'ferry%'")).rows).toEqual([]);
  });

  it('a rollback, which opens its table to read, still makes the markers’ table before its first batch (dropped since the job wrote)', async () => {
    const writer = await db.connect('t');
    await writer.columns();
    const out = await writer.writeBatch(batch([{ email: 'a@example.com' }]));
    expect(out.inserted).toBe(1);
    await db.raw.query('DROP TABLE ferry_batches, ferry_job_keys');
    const rollback = await db.connect('t');
    await rollback.columns('read');
    const entries = out.changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash }));
    expect(await rollback.restoreBatch({ job: 'rollback-1', batch: 1, entries, force: false })).toEqual({
      restored: 0,
      deleted: 1,
      changed: [],
      replayed: false,
    });
    expect((await db.raw.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
  });
});
