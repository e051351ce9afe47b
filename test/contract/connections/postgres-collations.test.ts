import { expect, it } from 'vitest';
import type { Connection } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch, output } from './contract-harness.js';

/**
 * Columns whose `=` is not byte equality: citext, a nondeterministic (case-insensitive) collation,
 * uuid. An upsert writes a new spelling; a batch ends as its rows written one by one would.
 */
describePostgres('postgres columns compared loosely', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(
    server,
    `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; CREATE EXTENSION citext;
     CREATE COLLATION public.caseless (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
  );
  const connect = (table: string): Promise<Connection> => db.connect(table);
  const rows = async (sql: string) => (await db.raw.query(sql)).rows as unknown[];

  it.each([
    ['citext', 'citext'],
    ['a nondeterministic collation', 'text COLLATE public.caseless'],
    ['an array of citext', 'citext[]'],
  ])('an upsert that changes only the case of a %s column updates it', async (_, type) => {
    await db.raw.query(`CREATE TABLE people (code text PRIMARY KEY, nick ${type})`);
    const connection = await connect('people');
    const [old, next] = type.endsWith('[]') ? ['{bob}', '{Bob}'] : ['bob', 'Bob'];
    await connection.writeBatch(batch([{ code: 'a', nick: old }], { key: ['code'] }));
    const out = await connection.writeBatch(batch([{ code: 'a', nick: next }], { key: ['code'], job: 'job-2', upsert: true }));
    expect(out).toEqual(output({ updated: 1 }));
    expect(await rows('SELECT nick::text FROM people')).toEqual([{ nick: next }]);
    // And the same spelling again is unchanged, not an update on every run.
    expect(await connection.writeBatch(batch([{ code: 'a', nick: next }], { key: ['code'], job: 'job-3', upsert: true }))).toEqual(output({ unchanged: 1 }));
  });

  it('leaves a char(n) value unchanged whatever padding it is given', async () => {
    await db.raw.query('CREATE TABLE people (code text PRIMARY KEY, nick char(6))');
    const connection = await connect('people');
    await connection.writeBatch(batch([{ code: 'a', nick: 'bob' }], { key: ['code'] }));
    expect(await connection.writeBatch(batch([{ code: 'a', nick: 'bob  ' }], { key: ['code'], job: 'job-2', upsert: true }))).toEqual(output({ unchanged: 1 }));
  });

  const sameKeys: [string, string, string, string][] = [
    ['citext', 'citext', 'Bob', 'bob'],
    ['a nondeterministic collation', 'text COLLATE public.caseless', 'Bob', 'BOB'],
    ['uuid', 'uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'],
    ['numeric', 'numeric', '1.0', '1'],
  ];

  it.each(sameKeys)('inserts two keys one %s column holds as one key as row by row would: the second is DUPLICATED_USER', async (_, type, a, b) => {
    await db.raw.query(`CREATE TABLE people (code ${type}, nick text)`);
    const connection = await connect('people');
    const out = await connection.writeBatch(
      batch(
        [
          { code: a, nick: 'x' },
          { code: b, nick: 'y' },
        ],
        { key: ['code'] },
      ),
    );
    expect(out).toEqual(output({ inserted: 1, rejects: [{ row: 2, errors: [expect.objectContaining({ code: 'DUPLICATED_USER', path: 'code' })] }] }));
    expect(await rows('SELECT nick FROM people')).toEqual([{ nick: 'x' }]);
  });

  it.each(sameKeys)('upserts two keys one %s column holds as one key as row by row would: the second updates the first', async (_, type, a, b) => {
    await db.raw.query(`CREATE TABLE people (code ${type}, nick text)`);
    const connection = await connect('people');
    const out = await connection.writeBatch(
      batch(
        [
          { code: a, nick: 'x' },
          { code: b, nick: 'y' },
        ],
        { key: ['code'], upsert: true },
      ),
    );
    expect(out).toEqual(output({ inserted: 1, updated: 1 }));
    expect(await rows('SELECT nick FROM people')).toEqual([{ nick: 'y' }]);
  });

  it('still inserts keys the column tells apart in one statement', async () => {
    await db.raw.query('CREATE TABLE people (code citext, nick text)');
    const connection = await connect('people');
    const out = await connection.writeBatch(
      batch(
        [
          { code: 'ann', nick: 'x' },
          { code: 'bob', nick: 'y' },
        ],
        { key: ['code'] },
      ),
    );
    expect(out).toEqual(output({ inserted: 2 }));
  });
});
