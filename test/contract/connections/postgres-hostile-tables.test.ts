import { expect, it } from 'vitest';
import type { Connection } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/** Target tables another tool made, with types and triggers the built-in table never has. */
describePostgres('postgres hostile tables', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  const connect = async (ddl: string): Promise<Connection> => {
    await db.raw.query(ddl);
    const connection = await db.connect('t');
    await connection.columns();
    return connection;
  };
  const stored = async (): Promise<unknown[]> => (await db.raw.query('SELECT * FROM t ORDER BY email')).rows;

  it('stores char(n) and bit(n) values whole, and rejects one longer than the column, never cut to its first character', async () => {
    const connection = await connect(
      'CREATE DOMAIN c3 AS char(3); CREATE TABLE t (email text PRIMARY KEY, ch char(5), b bit(3), d c3, ca char(4)[], ba bit(2)[])',
    );
    const out = await connection.writeBatch(
      batch([
        { email: 'a', ch: 'abcde', b: '101', d: 'xyz', ca: ['abcd', 'ab'], ba: ['10', '01'] },
        { email: 'b', ch: 'abcdefg' },
        { email: 'c', d: 'wxyz' },
        { email: 'd', ca: ['abcdef'] },
        { email: 'e', b: '1' },
        { email: 'f', ch: 'ab' },
      ]),
    );
    expect(out.inserted).toBe(2);
    expect(out.rejects.map((r) => [r.row, r.errors.map((e) => [e.code, e.path, e.message])])).toEqual([
      [2, [['INVALID_TYPE', 'ch', 'rejected by the database: value too long for type character(5)']]],
      [3, [['INVALID_TYPE', 'd', 'rejected by the database: value too long for type character(3)']]],
      [4, [['INVALID_TYPE', 'ca', 'rejected by the database: value too long for type character(4)']]],
      [5, [['INVALID_TYPE', 'b', 'rejected by the database: bit string length 1 does not match type bit(3)']]],
    ]);
    expect(await stored()).toEqual([
      { email: 'a', ch: 'abcde', b: '101', d: 'xyz', ca: ['abcd', 'ab  '], ba: '{10,01}' },
      { email: 'f', ch: 'ab   ', b: null, d: null, ca: null, ba: null },
    ]);
    // The same values again: unchanged, not an update of every row.
    const again = await connection.writeBatch(
      batch(
        [
          { email: 'a', ch: 'abcde', b: '101', d: 'xyz' },
          { email: 'f', ch: 'ab' },
        ],
        { job: 'job-2', upsert: true },
      ),
    );
    expect(again).toMatchObject({ unchanged: 2, updated: 0, rejects: [] });
  });
});
