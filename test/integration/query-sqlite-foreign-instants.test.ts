import { describe, expect, it } from 'vitest';
import { useForeignSqliteStores } from '../contract/connections/foreign-sqlite-store.js';

/**
 * A timestamp column of a SQLite store another tool wrote may hold text that is no instant but
 * that SQLite's date functions read as one: 'now' (the time of the query), a time alone ('10:00',
 * read as 2000-01-01), a number (a Julian day). PostgreSQL stores no such value in a timestamptz,
 * so a query must not find them as dates either: they compare and sort as no instant (NULL).
 */
describe('SQLite timestamps that are no ISO instant', () => {
  const store = useForeignSqliteStores();
  const values: [string, unknown][] = [
    ['a', '2024-01-15T10:00:00Z'],
    ['b', 'now'],
    ['c', 'NOW'],
    ['d', '10:00'],
    ['e', '10:00:00.5+02:00'],
    ['f', 2460000.5],
    ['g', '2460000.5'],
    ['h', 1705312800],
    ['i', '2024-01-15t11:00:00z'],
  ];

  async function seeded() {
    const { connection, raw } = await store('CREATE TABLE t (id TEXT PRIMARY KEY, seen TIMESTAMP)');
    const insert = raw.prepare('INSERT INTO t VALUES (?, ?)');
    for (const [id, seen] of values) insert.run(id, seen);
    const ids = async (query: string, order?: 'asc' | 'desc') =>
      (await connection.readPage({ query, after: null, limit: 100, fields: ['id'], ...(order ? { sort: { by: 'seen', order } } : {}) })).map((r) => r['id']);
    return ids;
  }

  it('match no date query', async () => {
    const ids = await seeded();
    expect(await ids('seen:[1000-01-01 TO 9999-12-31]')).toEqual(['a', 'i']);
    expect(await ids('seen:[* TO 2023-01-01]')).toEqual([]);
    expect(await ids('seen:>2024-06-01')).toEqual([]);
    expect(await ids('seen:2000-01-01')).toEqual([]);
    expect(await ids('-seen:[1000-01-01 TO *]')).toEqual(['b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('sort after every instant, as NULLs do, in both orders', async () => {
    const ids = await seeded();
    expect(await ids('*', 'asc')).toEqual(['a', 'i', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(await ids('*', 'desc')).toEqual(['i', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });
});
