import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/connections/postgres/open.js';
import { sqliteConnection } from '../../src/connections/sqlite.js';
import type { Connection } from '../../src/connections/types.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';

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
  { email: 'upper@x.io', given_name: 'Bob', user_metadata: { s: 'Bob' } },
  { email: 'lower@x.io', given_name: 'bob', user_metadata: { s: 'bob' } },
  { email: 'accent@x.io', given_name: 'élodie', user_metadata: { s: 'élodie' } },
  { email: 'tilde@x.io', given_name: '~', user_metadata: { s: '~' } },
  { email: 'exact@x.io', last_login: '2024-01-15T10:00:00Z' },
  { email: 'micro@x.io', last_login: '2024-01-15T10:00:00.000123Z' },
  { email: 'offset@x.io', last_login: '2024-01-15T12:00:00.000123+02:00' },
  { email: 'half@x.io', last_login: '2024-01-15T10:00:00.0005Z' },
  { email: 'clamp@x.io', last_login: '2024-01-15T10:00:59.9996Z' },
  { email: 'late@x.io', last_login: '2024-01-15T23:59:59.9999996Z' },
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
  [
    '-user_metadata.arr.0:*',
    'accent@x.io arr@x.io clamp@x.io exact@x.io half@x.io late@x.io lower@x.io micro@x.io nested@x.io offset@x.io tilde@x.io top@x.io upper@x.io',
  ],
  // Text ranges compare bytes (code points), whatever the database's collation: B < a < b < ~ < é.
  ['given_name:[a TO z]', 'lower@x.io'],
  ['given_name:[A TO Z]', 'upper@x.io'],
  ['given_name:{bob TO *]', 'accent@x.io tilde@x.io'],
  ['given_name:[* TO a}', 'upper@x.io'],
  ['email:[LO TO M]', 'lower@x.io'],
  ['user_metadata.s:[a TO z]', 'lower@x.io'],
  ['user_metadata.s:[A TO Z]', 'upper@x.io'],
  ['user_metadata.s:{bob TO *]', 'accent@x.io tilde@x.io'],
  ['user_metadata.s:bob', 'lower@x.io'],
  // Timestamps compare to the microsecond, as PostgreSQL stores them (SQLite's date functions read milliseconds).
  ['last_login:"2024-01-15T10:00:00.000123Z"', 'micro@x.io offset@x.io'],
  ['last_login:"2024-01-15T10:00:00Z"', 'exact@x.io'],
  ['last_login:"2024-01-15T10:00:00.001Z"', ''],
  ['last_login:{"2024-01-15T10:00:00Z" TO "2024-01-15T10:00:00.0005Z"]', 'half@x.io micro@x.io offset@x.io'],
  ['last_login:[* TO "2024-01-15T10:00:59.999Z"]', 'exact@x.io half@x.io micro@x.io offset@x.io'],
  // Digits beyond the microseconds are rounded as PostgreSQL rounds them: late@x.io is 2024-01-16T00:00:00.
  ['last_login:2024-01-15', 'clamp@x.io exact@x.io half@x.io micro@x.io offset@x.io'],
  ['last_login:2024-01-16', 'late@x.io'],
  [
    '-last_login:[2024-01-15T10:00:00.0001Z TO 2024-01-15T10:01Z}',
    'accent@x.io arr@x.io exact@x.io key@x.io late@x.io lower@x.io nested@x.io tilde@x.io top@x.io upper@x.io',
  ],
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
  /** A database whose collation is a locale's (en-US: a < B < b), as most servers are set up; the test servers' own is C.UTF-8. */
  async function localeDatabase(): Promise<string> {
    const admin = await rawClient(server().url('postgres'));
    try {
      await admin.query(`CREATE DATABASE ferry_en_us TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
    } finally {
      await admin.end();
    }
    return 'ferry_en_us';
  }
  let dir: string;
  let sqlite: Connection;
  let postgres: Connection;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-query-stores-'));
    sqlite = await sqliteConnection.open({ driver: 'sqlite', path: join(dir, 'users.db'), table: 'users' }, { baseDir: dir });
    postgres = await openPostgres({ driver: 'postgres', url: server().url(await localeDatabase()), table: 'users', pool: 2 });
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

  it('refuses a query instant with digits beyond the microseconds, which neither store holds', async () => {
    for (const store of [sqlite, postgres]) {
      await expect(emails(store, 'last_login:"2024-01-15T10:00:00.0001234Z"')).rejects.toThrow(
        /to the microsecond: "2024-01-15T10:00:00.0001234Z" has digits beyond them/,
      );
    }
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

describe('a SQLite column declared with another collation', () => {
  let dir: string;
  let store: Connection;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-query-collation-'));
    const db = new Database(join(dir, 'crm.db'));
    db.exec(`CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT COLLATE NOCASE)`);
    db.exec(`INSERT INTO people VALUES ('1', 'Bob'), ('2', 'bob'), ('3', 'BOB '), ('4', 'ann')`);
    db.close();
    store = await sqliteConnection.open({ driver: 'sqlite', path: join(dir, 'crm.db'), table: 'people' }, { baseDir: dir });
  });
  afterAll(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['name:bob', '2'],
    ['name:[a TO c]', '2 4'],
    ['name:[A TO C]', '1 3'],
  ])('%s compares exactly, in byte order, as on PostgreSQL', async (query, expected) => {
    const rows = await store.readPage({ query, after: null, limit: 10, fields: ['id'] });
    expect(
      rows
        .map((row) => String(row['id']))
        .sort()
        .join(' '),
    ).toBe(expected);
  });
});

describePostgres('a PostgreSQL table whose columns have types of their own (uuid, enum, inet)', () => {
  const server = usePostgresServer();
  let store: Connection;
  beforeAll(async () => {
    const url = server().url(await server().createDatabase());
    const raw = await rawClient(url);
    await raw.query(`CREATE TYPE mood AS ENUM ('sad', 'happy');
      CREATE TABLE legacy (id int PRIMARY KEY, u uuid, m mood, ip inet);
      INSERT INTO legacy VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', '10.0.0.1'), (2, 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'sad', '10.0.0.10')`);
    await raw.end();
    store = await openPostgres({ driver: 'postgres', url, table: 'legacy', pool: 2 });
  });
  afterAll(async () => {
    await store?.close();
  });

  it.each([
    // Wildcards read the value as text: translate() takes no uuid, enum or inet.
    ['u:a0*', '1'],
    ['m:h*', '1'],
    ['ip:10.0.0.1*', '1 2'],
    // Ranges compare in the type's own order: it has no collation to set.
    ['u:[a0000000-0000-0000-0000-000000000000 TO afffffff-ffff-ffff-ffff-ffffffffffff]', '1'],
    ['m:{sad TO *]', '1'],
    ['ip:[10.0.0.2 TO 10.0.0.255]', '2'],
  ])('%s', async (query, expected) => {
    const rows = await store.readPage({ query, after: null, limit: 10, fields: ['id'] });
    expect(rows.map((row) => String(row['id'])).join(' ')).toBe(expected);
  });
});
