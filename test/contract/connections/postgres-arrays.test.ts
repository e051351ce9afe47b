import { expect, it } from 'vitest';
import type { Connection } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch, output } from './contract-harness.js';

/**
 * Lists into array columns: a mapping's `$split(Tags, ";")` into text[] was refused as "expected
 * text"; only a hand-written literal went in. Each element is quoted, so the server parses it as
 * the element type, and an element it refuses is that row's reject.
 */
describePostgres('postgres array columns', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(
    server,
    `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;
     CREATE TABLE people (code text PRIMARY KEY, tags text[], scores int4[], grid int4[][], docs jsonb[], ids uuid[])`,
  );
  const connect = (): Promise<Connection> => db.connect('people');
  const rows = async (sql: string) => (await db.raw.query(sql)).rows as unknown[];

  it('writes lists element by element, hostile text included, and reads them back as lists', async () => {
    const connection = await connect();
    const hostile = ['a,b', '{c}', 'quote " and \\ backslash', '', 'NULL', ' spaced ', 'ünï'];
    // Every column given: it reads back as it was written.
    const first = {
      code: 'a',
      tags: hostile,
      scores: [1, -2, 3],
      grid: [
        [1, 2],
        [3, 4],
      ],
      docs: [{ plan: 'pro' }, null],
      ids: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    };
    const out = await connection.writeBatch(batch([first, { code: 'b', tags: [], scores: [null, 7] }, { code: 'c', tags: '{x,y}' }], { key: ['code'] }));
    expect(out).toEqual(output({ inserted: 3 }));
    expect(await rows('SELECT code, tags, scores, grid, docs, ids FROM people ORDER BY code')).toEqual([
      first,
      { code: 'b', tags: [], scores: [null, 7], grid: null, docs: null, ids: null },
      { code: 'c', tags: ['x', 'y'], scores: null, grid: null, docs: null, ids: null },
    ]);
  });

  it('an upsert of the same list is unchanged, of another one an update', async () => {
    const connection = await connect();
    await connection.writeBatch(batch([{ code: 'a', tags: ['x', 'y z'], scores: [1, 2] }], { key: ['code'] }));
    const again = batch([{ code: 'a', tags: ['x', 'y z'], scores: [1, 2] }], { key: ['code'], job: 'job-2', upsert: true });
    expect(await connection.writeBatch(again)).toEqual(output({ unchanged: 1 }));
    const changed = batch([{ code: 'a', tags: ['x', 'Y z'], scores: [1, 2] }], { key: ['code'], job: 'job-3', upsert: true });
    expect(await connection.writeBatch(changed)).toEqual(output({ updated: 1 }));
    expect(await rows('SELECT tags FROM people')).toEqual([{ tags: ['x', 'Y z'] }]);
  });

  it('an element the element type refuses rejects its row at the column; the others are written', async () => {
    const connection = await connect();
    const out = await connection.writeBatch(
      batch(
        [
          { code: 'a', scores: [1, 'two'] },
          { code: 'b', scores: [1, 2] },
          { code: 'c', tags: ['nul\u0000here'] },
          { code: 'd', grid: [[1, 2], [3]] },
        ],
        { key: ['code'] },
      ),
    );
    expect(out.inserted).toBe(1);
    expect(out.rejects.map((r) => [r.row, r.errors.map((e) => [e.code, e.path])])).toEqual([
      [1, [['INVALID_TYPE', 'scores']]],
      [3, [['INVALID_TYPE', 'tags']]],
      [4, [['INVALID_TYPE', 'grid']]],
    ]);
    expect(await rows('SELECT code FROM people')).toEqual([{ code: 'b' }]);
  });
});
