import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres } from '../../src/connections/postgres/open.js';
import { sqliteConnection } from '../../src/connections/sqlite.js';
import type { Connection } from '../../src/connections/types.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';

/**
 * One query must select the same users from a SQLite store and a PostgreSQL one holding the same
 * users (README "Exports": a query finds the same rows on both). Each case is also checked against
 * the rows it means, so that both stores agreeing on a wrong answer fails too.
 */

const USERS: Record<string, unknown>[] = [
  { email: 'arr@x.io', user_metadata: { arr: [1, 2], list: [{ y: 1 }] } },
  { email: 'key@x.io', user_metadata: { arr: { '0': 1, '-1': 2 }, list: { '0': { y: 1 } } } },
  { email: 'nested@x.io', user_metadata: { arr: [[1]] } },
  { email: 'top@x.io', user_metadata: { '0': 'zero' } },
];

const CASES: [string, string][] = [
  // A key that looks like a number is an object's key, never an array index (PostgreSQL's #> read it as one).
  ['user_metadata.arr.0:1', 'key@x.io'],
  ['user_metadata.arr.0:*', 'key@x.io'],
  ['_exists_:user_metadata.arr.-1', 'key@x.io'],
  ['user_metadata.arr.-1:[2 TO 2]', 'key@x.io'],
  ['user_metadata.arr.0.0:1', ''],
  ['user_metadata.list.0.y:1', 'key@x.io'],
  ['user_metadata.list.0.y:[1 TO *]', 'key@x.io'],
  ['user_metadata.0:zero', 'top@x.io'],
  ['user_metadata.0:ze*', 'top@x.io'],
  ['-user_metadata.arr.0:*', 'arr@x.io nested@x.io top@x.io'],
];

async function emails(connection: Connection, query: string): Promise<string> {
  const rows = await connection.readPage({ query, after: null, limit: 1000, fields: ['email'] });
  return rows
    .map((row) => String(row['email']))
    .sort()
    .join(' ');
}

describePostgres('a query selects the same users on SQLite and PostgreSQL', () => {
  const server = usePostgresServer();
  let dir: string;
  let sqlite: Connection;
  let postgres: Connection;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-query-stores-'));
    sqlite = await sqliteConnection.open({ driver: 'sqlite', path: join(dir, 'users.db'), table: 'users' }, { baseDir: dir });
    postgres = await openPostgres({ driver: 'postgres', url: server().url(await server().createDatabase()), table: 'users', pool: 2 });
    const rows = USERS.map((values, i) => ({ row: i + 1, values }));
    for (const store of [sqlite, postgres]) {
      const written = await store.writeBatch({
        job: 'seed',
        batch: 1,
        key: ['email'],
        upsert: false,
        metadata: 'merge',
        now: '2025-01-01T00:00:00.000Z',
        rows,
      });
      expect(written.rejects).toEqual([]);
    }
  });
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(CASES)('%s', async (query, expected) => {
    expect(await emails(sqlite, query), 'sqlite').toBe(expected);
    expect(await emails(postgres, query), 'postgres').toBe(expected);
  });

  it('sorts by a path with a number-like key as the key of an object on both stores', async () => {
    const sort = { by: 'user_metadata.arr.0', order: 'asc' as const };
    for (const store of [sqlite, postgres]) {
      const rows = await store.readPage({ query: '*', sort, after: null, limit: 10, fields: ['email'] });
      // Only key@x.io has a value there; the others sort last (NULLs), by the key (user_id, in insert order).
      expect(rows[0]?.['email']).toBe('key@x.io');
    }
  });
});
