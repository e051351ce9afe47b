import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteConnection } from '../../src/connections/sqlite.js';
import type { Connection, ReadSort } from '../../src/connections/types.js';
import { QueryError } from '../../src/query/query-error.js';
import { MAX_PATTERN_BYTES, MAX_QUERY_DEPTH, MAX_QUERY_TERMS } from '../../src/query/query-limits.js';

/**
 * Queries at the size limits run on a real SQLite store (the built-in users table, in memory),
 * planned and read page by page in a sort order, so each page repeats the query in up to three
 * parts: within SQLite's expression depth (1,000) and its 32,766 parameters. One step beyond a
 * limit is a QueryError, never a store error.
 */
const USERS = 300;
let connection: Connection;

beforeAll(async () => {
  connection = await sqliteConnection.open({ driver: 'sqlite', path: ':memory:', table: 'users' }, { baseDir: '.' });
  const rows = Array.from({ length: USERS }, (_, i) => ({
    row: i + 1,
    values: {
      user_id: `u${i}`,
      email: `u${i}@x.io`,
      // Ties and NULLs: page bounds fall between sort values, so a page has three parts.
      logins_count: i % 5 === 0 ? null : i % 20,
      user_metadata: { score: i % 10 },
    },
  }));
  const batch = { job: 'seed', batch: 1, rows, key: ['user_id'], upsert: false, metadata: 'merge' as const };
  await connection.writeBatch({ ...batch, now: '2026-01-01T00:00:00.000Z' });
});

afterAll(async () => {
  await connection.close();
});

const SORT: ReadSort = { by: 'logins_count', order: 'asc' };

/** The user_ids the query matches, read as an export reads them: planned, then page by page. */
async function exportedIds(query: string): Promise<string[]> {
  const plan = await connection.planPages({ query, sort: SORT, size: 7 });
  const ids: string[] = [];
  for (const [i, after] of plan.starts.entries()) {
    const until = plan.starts[i + 1] ?? plan.last;
    const rows = await connection.readPage({ query, sort: SORT, after, ...(until ? { until } : {}), fields: ['user_id'] });
    ids.push(...rows.map((row) => String(row['user_id'])));
  }
  expect(ids).toHaveLength(plan.total);
  return ids.sort();
}

const orChain = (count: number, term: (i: number) => string): string => Array.from({ length: count }, (_, i) => term(i)).join(' OR ');

describe('a query at the term limit', () => {
  it('runs as an OR chain of e-mail addresses', async () => {
    const ids = await exportedIds(orChain(MAX_QUERY_TERMS, (i) => `email:u${i}@x.io`));
    expect(ids).toHaveLength(USERS);
  });

  it('runs with the most parameters a term binds (a range on a JSON path)', async () => {
    const query = orChain(MAX_QUERY_TERMS, (i) => `user_metadata.score:[${i % 10} TO ${i % 10}]`);
    expect(await exportedIds(query)).toHaveLength(USERS);
  });

  it('runs as a chain of AND NOT', async () => {
    const query = `email:u1@x.io ${Array.from({ length: MAX_QUERY_TERMS - 1 }, (_, i) => `AND NOT email:v${i}@x.io`).join(' ')}`;
    expect(await exportedIds(query)).toEqual(['u1']);
  });

  it('refuses one term more, as a query error', async () => {
    const query = orChain(MAX_QUERY_TERMS + 1, (i) => `email:u${i}@x.io`);
    await expect(connection.planPages({ query, size: 7 })).rejects.toThrow(QueryError);
  });
});

describe('a query at the depth limit', () => {
  it('runs as nested NOTs', async () => {
    expect(await exportedIds(`${'NOT '.repeat(MAX_QUERY_DEPTH)}email:u1@x.io`)).toEqual(['u1']);
    expect(await exportedIds(`${'-('.repeat(MAX_QUERY_DEPTH / 2)}email:u1@x.io${')'.repeat(MAX_QUERY_DEPTH / 2)}`)).toEqual(['u1']);
  });

  it('runs as nested parentheses', async () => {
    expect(await exportedIds(`${'('.repeat(MAX_QUERY_DEPTH)}email:u1@x.io${')'.repeat(MAX_QUERY_DEPTH)}`)).toEqual(['u1']);
  });

  it('runs with an OR of ANDs at every level, the deepest SQL the limits allow', async () => {
    // Each level: four ORed terms, then four ANDed ones and the next level, so each list is long
    // enough to need two levels of SQL of its own.
    let query = 'email:u1@x.io';
    for (let level = 0; level < MAX_QUERY_DEPTH; level++) {
      const ors = Array.from({ length: 4 }, (_, i) => `email:w${level}.${i}@x.io`).join(' OR ');
      const ands = Array.from({ length: 4 }, () => `user_id:u1`).join(' AND ');
      query = `(${ors} OR ${ands} AND ${query})`;
    }
    expect(await exportedIds(query)).toEqual(['u1']);
  });

  it('refuses one level more, as a query error', async () => {
    const nots = `${'NOT '.repeat(MAX_QUERY_DEPTH + 1)}email:u1@x.io`;
    await expect(connection.planPages({ query: nots, size: 7 })).rejects.toThrow(QueryError);
    const parens = `${'('.repeat(MAX_QUERY_DEPTH + 1)}email:u1@x.io${')'.repeat(MAX_QUERY_DEPTH + 1)}`;
    await expect(connection.planPages({ query: parens, size: 7 })).rejects.toThrow(QueryError);
  });
});

describe('a wildcard value at the pattern limit', () => {
  it('runs with the longest LIKE pattern SQLite takes, and refuses one byte more as a query error', async () => {
    // `%` and `_` are escaped with a backslash: they count twice.
    const longest = `email:u1${'_'.repeat((MAX_PATTERN_BYTES - 4) / 2)}*`;
    expect(await exportedIds(longest)).toEqual([]);
    expect(await exportedIds(`email:u1${'a'.repeat(MAX_PATTERN_BYTES - 3)}*`)).toEqual([]);
    const beyond = connection.planPages({ query: `email:u1${'é'.repeat(MAX_PATTERN_BYTES / 2)}*`, size: 7 });
    await expect(beyond).rejects.toThrow(QueryError);
    await expect(beyond).rejects.toThrow(
      `email: a wildcard value is at most ${MAX_PATTERN_BYTES} bytes (SQLite's longest LIKE pattern), this one is ${MAX_PATTERN_BYTES + 3}`,
    );
  });
});
