import { expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch, output } from './contract-harness.js';

/** Values PostgreSQL text cannot hold exactly are rejects of their rows, never stored changed. */
describePostgres('postgres hostile values', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  it('rejects text holding half a surrogate pair, which the UTF-8 on the wire would turn into U+FFFD', async () => {
    await db.raw.query('CREATE TABLE people (code text PRIMARY KEY, nick text, note varchar(20), plain json)');
    const connection = await db.connect('people');
    const out = await connection.writeBatch(
      batch(
        [
          { code: 'a', nick: 'x\uD800y' },
          { code: 'b', note: '\uDC00' },
          { code: 'c\uDBFF', nick: 'key' },
          { code: 'd', nick: 'pair \uD83D\uDE00 kept', plain: { k: 'x\uD800y' } },
        ],
        { key: ['code'] },
      ),
    );
    const reject = (row: number, path: string) => ({
      row,
      errors: [expect.objectContaining({ code: 'INVALID_TYPE', path, message: expect.stringMatching(/surrogate/) })],
    });
    expect(out).toEqual(output({ inserted: 1, rejects: [reject(1, 'nick'), reject(2, 'note'), reject(3, 'code')] }));
    // A json column keeps the escape as written, so it reads back exactly.
    const stored = (await db.raw.query('SELECT code, nick, plain::text FROM people')).rows;
    expect(stored).toEqual([{ code: 'd', nick: 'pair \uD83D\uDE00 kept', plain: '{"k":"x\\ud800y"}' }]);
  });
});
