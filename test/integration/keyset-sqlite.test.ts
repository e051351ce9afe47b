import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteConnection } from '../../src/connections/sqlite.js';
import type { Connection, PageCursor, ReadSort } from '../../src/connections/types.js';
import { compileQuery, type CompiledQuery } from '../../src/query/compile-query.js';
import { keysetQuery, type KeysetPageInput } from '../../src/query/keyset.js';

/**
 * Keyset pages on a real SQLite table of 3000 users with many ties and NULLs: every page size and
 * order reads each row once, in the order of one big ORDER BY; and with an index on the sort column
 * a page deep in the table is an index search, not a scan.
 */
const N = 3000;
let dir: string;
let db: Database.Database;
let connection: Connection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-keyset-'));
  connection = await sqliteConnection.open({ driver: 'sqlite', path: 'users.db', table: 'users' }, { baseDir: dir });
  await connection.columns();
  db = new Database(join(dir, 'users.db'));
  const insert = db.prepare('INSERT INTO users (user_id, email, nickname, logins_count, user_metadata) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const id = `u${String((i * 7919) % N).padStart(5, '0')}`;
      const meta = i % 10 === 0 ? null : JSON.stringify(i % 9 === 0 ? { plan: null } : { plan: ['free', 'pro', 'team'][i % 3], score: i % 13 });
      insert.run(id, `${id}@x.io`, i % 4 === 0 ? null : `n${i % 17}`, i % 5, meta);
    }
  })();
  db.exec('CREATE INDEX users_nickname ON users (nickname, user_id)');
});

/** A page of every user, keyed by user_id, between the given bounds. */
async function usersPage(page: Pick<KeysetPageInput, 'sort' | 'after' | 'until' | 'limit'>): Promise<CompiledQuery> {
  const columns = await connection.columns();
  return keysetQuery({ table: 'users', columns, where: compileQuery('*', columns, 'sqlite'), key: ['user_id'], dialect: 'sqlite', ...page });
}

/** SQLite's query plan of a statement, a line a step. */
function queryPlan(query: CompiledQuery): string[] {
  return db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`)
    .all(...query.params)
    .map((r) => r.detail);
}

/** The plan's reads of the users table. */
function searches(query: CompiledQuery): string[] {
  return queryPlan(query).filter((d) => /^(SCAN|SEARCH) users\b/.test(d));
}

afterAll(async () => {
  await connection.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The reference order: one ORDER BY over the whole table (NULLs last, ties by key). */
function reference(sort: ReadSort | undefined, where = '1=1'): string[] {
  if (!sort) return db.prepare<[], string>(`SELECT user_id FROM users WHERE ${where} ORDER BY user_id`).pluck().all();
  const value = sort.by.includes('.') ? `json_extract(user_metadata, '$.${sort.by.split('.')[1]}')` : sort.by;
  return db.prepare<[], string>(`SELECT user_id FROM users WHERE ${where} ORDER BY ${value} ${sort.order} NULLS LAST, user_id`).pluck().all();
}

async function pages(sort: ReadSort | undefined, size: number, query = '*'): Promise<string[]> {
  const { starts, total } = await connection.planPages({ query, ...(sort ? { sort } : {}), size });
  const ids: string[] = [];
  for (const [i, after] of (JSON.parse(JSON.stringify(starts)) as (PageCursor | null)[]).entries()) {
    const rows = await connection.readPage({ query, ...(sort ? { sort } : {}), after, limit: Math.min(size, total - i * size) });
    ids.push(...rows.map((r) => r['user_id'] as string));
  }
  return ids;
}

describe('keyset pages on SQLite', () => {
  const sorts: (ReadSort | undefined)[] = [
    undefined,
    { by: 'nickname', order: 'asc' },
    { by: 'nickname', order: 'desc' },
    { by: 'logins_count', order: 'desc' },
    { by: 'user_metadata.plan', order: 'asc' },
    { by: 'user_metadata.score', order: 'desc' },
  ];

  it.each(sorts.map((s) => [s ? `${s.by} ${s.order}` : 'key', s] as const))('reads every row once, in order: %s', async (_name, sort) => {
    const expected = reference(sort);
    expect(expected).toHaveLength(N);
    for (const size of [1, 7, 250, 1000, 5000]) {
      if (size === 1 && sort?.by !== 'nickname') continue; // 3000 one-row pages once is enough
      expect(await pages(sort, size), `size ${size}`).toEqual(expected);
    }
  });

  it('applies the query on every page', async () => {
    const sort: ReadSort = { by: 'nickname', order: 'desc' };
    expect(await pages(sort, 100, 'logins_count:[1 TO 3] AND -user_metadata.plan:pro')).toEqual(
      reference(
        sort,
        "logins_count BETWEEN 1 AND 3 AND NOT COALESCE(json_extract(user_metadata, '$.plan') = 'pro' AND json_type(user_metadata, '$.plan') = 'text', 0)",
      ),
    );
  });

  it('reads a page deep in an indexed order by index searches, never a table scan or OFFSET', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const page = await usersPage({ sort: { by: 'nickname', order }, after: { value: 'n7', key: ['u01500'] }, limit: 100 });
      expect(searches(page)).toEqual([
        'SEARCH users USING INDEX users_nickname (nickname=? AND user_id>?)',
        `SEARCH users USING INDEX users_nickname (nickname${order === 'asc' ? '>' : '<'}?)`,
        'SEARCH users USING INDEX users_nickname (nickname=?)',
      ]);
      expect(page.sql).not.toMatch(/OFFSET/i);
    }
    // The built-in table comes with such an index on created_at and updated_at (normalised, as the sort compares them).
    for (const by of ['created_at', 'updated_at']) {
      for (const order of ['asc', 'desc'] as const) {
        const page = await usersPage({ sort: { by, order }, after: { value: '2026-01-01T00:00:00.000Z', key: ['u01500'] }, limit: 100 });
        expect(searches(page)).toEqual([
          `SEARCH users USING INDEX users_${by}_order2 (<expr>=? AND user_id>?)`,
          `SEARCH users USING INDEX users_${by}_order2 (<expr>${order === 'asc' ? '>' : '<'}?)`,
          `SEARCH users USING INDEX users_${by}_order2 (<expr>=?)`,
        ]);
      }
    }
    const unsorted = await usersPage({ after: { value: null, key: ['u01500'] }, limit: 100 });
    expect(queryPlan(unsorted)).toEqual(['SEARCH users USING INDEX sqlite_autoindex_users_1 (user_id>?)']);
  });

  it('bounds a page between two cursors with index ranges that end at the second, with no LIMIT', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const page = await usersPage({ sort: { by: 'nickname', order }, after: { value: 'n3', key: ['u01500'] }, until: { value: 'n7', key: ['u00200'] } });
      // The rest of the first cursor's ties, the values between (a range with both ends, whichever
      // the order: SQLite names the lower first), the second cursor's ties up to its key; the
      // NULLs lie past a cursor with a value, so no part reads them.
      expect(searches(page)).toEqual([
        'SEARCH users USING INDEX users_nickname (nickname=? AND user_id>?)',
        'SEARCH users USING INDEX users_nickname (nickname>? AND nickname<?)',
        'SEARCH users USING INDEX users_nickname (nickname=? AND user_id<?)',
      ]);
      expect(page.sql).not.toMatch(/LIMIT|OFFSET/i);
      // Both cursors inside one tie group: a key range with both ends, not the rest of the group
      // filtered (read again for every page of a large group).
      const tie = await usersPage({ sort: { by: 'nickname', order }, after: { value: 'n3', key: ['u01500'] }, until: { value: 'n3', key: ['u01700'] } });
      expect(searches(tie)).toEqual(['SEARCH users USING INDEX users_nickname (nickname=? AND user_id>? AND user_id<?)']);
    }
    const unsorted = await usersPage({ after: { value: null, key: ['u01500'] }, until: { value: null, key: ['u01600'] } });
    expect(searches(unsorted)).toEqual(['SEARCH users USING INDEX sqlite_autoindex_users_1 (user_id>? AND user_id<?)']);
  });
});
