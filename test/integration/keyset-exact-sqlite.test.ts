import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteConnection } from '../../src/connections/sqlite.js';
import type { Connection, PageCursor, ReadSort } from '../../src/connections/types.js';

/**
 * SQLite hands an INTEGER to JavaScript as a double, so a planned cursor on a sort value beyond
 * ±2^53 held another number, in whatever column type holds integers: a tie group of them read as
 * nothing on one page and all again on the next. Pages between planned cursors read each row once.
 */
let dir: string;
let store: Connection;
/** Keyed by 64-bit ids (snowflakes), and a table without a key whose rowids are as large. */
let keyed: Connection;
let rowids: Connection;
const BIG = 2n ** 53n + 1n;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-keyset-exact-'));
  const db = new Database(join(dir, 'store.db'));
  // NUMERIC is a 'real' column to Ferry but keeps integers; a column without a type keeps anything.
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, amount NUMERIC, anything, doc JSON)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
  const rows: [string, bigint | number | null][] = [
    ['a', BIG],
    ['b', BIG - 1n],
    ['c', BIG],
    ['d', BIG + 2n],
    ['e', BIG],
    ['f', null],
    ['g', -BIG],
    ['h', -BIG],
  ];
  for (const [id, n] of rows) insert.run(id, n, n, n === null ? null : `{"n": ${n}}`);
  db.exec('CREATE TABLE k (id INTEGER PRIMARY KEY, plan TEXT)');
  db.exec('CREATE TABLE r (plan TEXT)');
  for (const [i, plan] of ['pro', 'free', 'pro', 'pro', null, 'free', 'pro'].entries()) {
    db.prepare('INSERT INTO k VALUES (?, ?)').run(1_450_000_000_000_000_000n + BigInt(i), plan);
    db.prepare('INSERT INTO r (rowid, plan) VALUES (?, ?)').run(BIG + BigInt(i), plan);
  }
  db.close();
  store = await sqliteConnection.open({ driver: 'sqlite', path: 'store.db', table: 't' }, { baseDir: dir });
  keyed = await sqliteConnection.open({ driver: 'sqlite', path: 'store.db', table: 'k' }, { baseDir: dir });
  rowids = await sqliteConnection.open({ driver: 'sqlite', path: 'store.db', table: 'r' }, { baseDir: dir });
});

afterAll(async () => {
  await store?.close();
  await keyed?.close();
  await rowids?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function paged(sort: ReadSort | undefined, size: number, connection = store, field = 'id'): Promise<string[]> {
  const plan = await connection.planPages({ query: '*', size, ...(sort ? { sort } : {}) });
  const starts = JSON.parse(JSON.stringify(plan.starts)) as (PageCursor | null)[];
  const last = JSON.parse(JSON.stringify(plan.last)) as PageCursor;
  const ids: string[] = [];
  for (const [i, after] of starts.entries()) {
    const rows = await connection.readPage({ query: '*', after, until: starts[i + 1] ?? last, fields: [field], ...(sort ? { sort } : {}) });
    expect(rows.length, `page ${i} of ${size}`).toBe(Math.min(size, plan.total - i * size));
    ids.push(...rows.map((row) => String(row[field])));
  }
  return ids;
}

describe('SQLite pages sorted by integers beyond ±2^53', () => {
  it.each(['amount', 'anything', 'doc.n'].flatMap((by) => (['asc', 'desc'] as const).map((order) => [by, order] as const)))(
    'read each row once: %s %s',
    async (by, order) => {
      const sort: ReadSort = { by, order };
      const whole = (await store.readPage({ query: '*', sort, after: null, limit: 100, fields: ['id'] })).map((row) => String(row['id']));
      const expected = order === 'asc' ? ['g', 'h', 'b', 'a', 'c', 'e', 'd', 'f'] : ['d', 'a', 'c', 'e', 'b', 'g', 'h', 'f'];
      expect(whole).toEqual(expected);
      for (const size of [1, 2, 3]) expect(await paged(sort, size), `pages of ${size}`).toEqual(whole);
    },
  );
});

describe('SQLite pages of a table keyed by integers beyond ±2^53', () => {
  it.each([undefined, { by: 'plan', order: 'asc' as const }, { by: 'plan', order: 'desc' as const }])('read each row once: sorted by %o', async (sort) => {
    for (const [connection, field] of [
      [keyed, 'id'],
      [rowids, 'plan'],
    ] as const) {
      const whole = (await connection.readPage({ query: '*', after: null, limit: 100, fields: [field], ...(sort ? { sort } : {}) })).map((row) =>
        String(row[field]),
      );
      expect(whole).toHaveLength(7);
      for (const size of [1, 2, 3]) expect(await paged(sort, size, connection, field), `pages of ${size}`).toEqual(whole);
    }
  });
});
