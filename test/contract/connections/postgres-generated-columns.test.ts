import { expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/**
 * A record giving a GENERATED ALWAYS AS (…) STORED column a value (a pipeline without columns:
 * whatever fields each record has): that row's reject saying the database computes the column, as
 * on SQLite — the server refuses the whole statement (428C9), which failed the batch.
 */
describePostgres('postgres target with a generated column', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  it('rejects the row giving it a value, null included; the other rows are written', async () => {
    await db.raw.query('CREATE TABLE t (email text PRIMARY KEY, n int, twice int GENERATED ALWAYS AS (n * 2) STORED)');
    const connection = await db.connect('t');
    await connection.columns();
    const out = await connection.writeBatch(
      batch([
        { email: 'a', n: 1, twice: 5 },
        { email: 'b', n: 2 },
        { email: 'c', n: 3, twice: null },
      ]),
    );
    const computed = {
      code: 'UNKNOWN_FIELD',
      path: 'twice',
      message: "twice is a generated column of table t: the database computes it, so nothing may write it. Leave it out of the pipeline's columns",
    };
    expect(out).toMatchObject({
      inserted: 1,
      rejects: [
        { row: 1, errors: [computed] },
        { row: 3, errors: [computed] },
      ],
    });
    expect((await db.raw.query('SELECT email, n, twice FROM t')).rows).toEqual([{ email: 'b', n: 2, twice: 4 }]);
  });
});
