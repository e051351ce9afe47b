import { expect, it } from 'vitest';
import type { RestoreEntry } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * A partitioned table, or one with inheritance children, holds its rows in several tables, where
 * the same ctid names one row of each. Rows were found again by ctid alone: an upsert's UPDATE set
 * the row at that ctid of every partition (the batch then failed, blaming a trigger, so no upsert
 * of a stored user ever succeeded), and so did a rollback's DELETE and UPDATE.
 */
describePostgres('postgres target with partitions or inheritance children', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  const ddl = {
    partitioned: `CREATE TABLE t (email text, region text, n int, PRIMARY KEY (email, region)) PARTITION BY LIST (region);
      CREATE TABLE t_eu PARTITION OF t FOR VALUES IN ('eu'); CREATE TABLE t_us PARTITION OF t FOR VALUES IN ('us')`,
    inherited: `CREATE TABLE t (email text, region text, n int, PRIMARY KEY (email, region));
      CREATE TABLE t_us (PRIMARY KEY (email, region)) INHERITS (t)`,
  };
  const stored = async () => (await db.raw.query('SELECT email, region, n FROM t ORDER BY email')).rows;

  it.each(Object.keys(ddl) as (keyof typeof ddl)[])('%s: an upsert updates the one row matched, and a rollback puts back only it', async (kind) => {
    await db.raw.query(ddl[kind]);
    // Each first row of its own table: both at ctid (0,1).
    await db.raw.query(`INSERT INTO t VALUES ('a', 'eu', 1); INSERT INTO t_us VALUES ('b', 'us', 1)`);
    const connection = await db.connect('t');
    await connection.columns();
    const key = ['email', 'region'];
    const updated = await connection.writeBatch(batch([{ email: 'a', region: 'eu', n: 5 }], { upsert: true, key }));
    expect(updated).toMatchObject({ updated: 1, rejects: [] });
    const inserted = await connection.writeBatch(batch([{ email: 'c', region: 'eu', n: 7 }], { key, job: 'job-2' }));
    expect(inserted).toMatchObject({ inserted: 1, rejects: [] });
    await db.raw.query("INSERT INTO t_us VALUES ('d', 'us', 1)");
    expect(await stored()).toEqual([
      { email: 'a', region: 'eu', n: 5 },
      { email: 'b', region: 'us', n: 1 },
      { email: 'c', region: 'eu', n: 7 },
      { email: 'd', region: 'us', n: 1 },
    ]);
    const entries = (out: typeof updated) => JSON.parse(JSON.stringify(out.changes)) as RestoreEntry[];
    expect(await connection.restoreBatch({ job: 'undo-2', batch: 1, entries: entries(inserted), force: false })).toMatchObject({ deleted: 1 });
    expect(await connection.restoreBatch({ job: 'undo-1', batch: 1, entries: entries(updated), force: false })).toMatchObject({ restored: 1 });
    expect(await stored()).toEqual([
      { email: 'a', region: 'eu', n: 1 },
      { email: 'b', region: 'us', n: 1 },
      { email: 'd', region: 'us', n: 1 },
    ]);
  });
});
