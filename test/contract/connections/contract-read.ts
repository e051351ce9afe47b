import { describe, expect, it } from 'vitest';
import type { Connection, PageCursor, ReadSort } from '../../../src/connections/types.js';
import { QueryError } from '../../../src/query/query-error.js';
import { batch, useHarness, type ConnectionFactory, type ConnectionHarness } from './contract-harness.js';

/**
 * Users with ties and NULLs in every sort column (last_login rather than created_at, which the
 * store fills when a row has none). Text values are lower-case ASCII and JSON values
 * of one type per path, so byte order (SQLite) and any PostgreSQL collation agree on the order.
 */
const USERS: Record<string, unknown>[] = [
  { user_id: 'u07', email: 'g@x.io', nickname: 'bob', logins_count: 3, last_login: '2024-03-01T00:00:00.000Z', user_metadata: { plan: 'pro', seats: 5 } },
  { user_id: 'u02', email: 'b@x.io', nickname: null, logins_count: 1, last_login: '2024-01-01T00:00:00.000Z', user_metadata: { plan: 'free' } },
  { user_id: 'u10', email: 'j@x.io', nickname: 'amy', logins_count: 3, last_login: '2024-03-01T00:00:00.000Z', user_metadata: { plan: null } },
  { user_id: 'u01', email: 'a@x.io', nickname: 'bob', logins_count: 0, last_login: '2024-02-01T00:00:00.000Z', user_metadata: { plan: 'pro', seats: 2 } },
  { user_id: 'u05', email: 'e@x.io', nickname: null, logins_count: 7, user_metadata: { seats: 9 } },
  { user_id: 'u09', email: 'i@x.io', nickname: 'cy', logins_count: 3, last_login: '2024-01-01T00:00:00.000Z', user_metadata: { plan: 'team', seats: 2 } },
  { user_id: 'u03', email: 'c@x.io', nickname: 'amy', logins_count: 1, last_login: '2024-02-01T00:00:00.000Z' },
  { user_id: 'u08', email: 'h@x.io', nickname: 'bob', logins_count: 0, last_login: '2024-03-01T00:00:00.000Z', user_metadata: { plan: 'free', seats: 5 } },
  { user_id: 'u04', email: 'd@x.io', nickname: null, logins_count: 7, last_login: '2024-01-01T00:00:00.000Z', user_metadata: { plan: 'pro' } },
  { user_id: 'u06', email: 'f@x.io', nickname: 'cy', logins_count: 1, user_metadata: { plan: 'team', seats: 9 } },
];

/** Users written after an export planned its pages: sort values among the planned ones, and a NULL nickname. */
const ARRIVALS: Record<string, unknown>[] = [
  { user_id: 'u00', email: 'k@x.io', nickname: 'bob', logins_count: 3, last_login: '2024-02-01T00:00:00.000Z', user_metadata: { plan: 'pro', seats: 5 } },
  { user_id: 'u11', email: 'l@x.io', nickname: 'amy', logins_count: 0, last_login: '2024-01-01T00:00:00.000Z', user_metadata: { plan: 'free', seats: 2 } },
  { user_id: 'u035', email: 'm@x.io', nickname: null, logins_count: 7, user_metadata: { plan: 'team' } },
];

/** The order Ferry promises: values ascending or descending, NULL (or missing) last, ties by key ascending. */
function expectedOrder(sort: ReadSort | undefined, rows = USERS): string[] {
  const value = (row: Record<string, unknown>): unknown => {
    if (!sort) return null;
    const [head, ...path] = sort.by.split('.');
    let v: unknown = row[head!];
    for (const key of path) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[key];
    return v ?? null;
  };
  const sign = sort?.order === 'desc' ? -1 : 1;
  return [...rows]
    .sort((a, b) => {
      const [va, vb] = [value(a), value(b)];
      if (va !== vb) {
        if (va === null) return 1;
        if (vb === null) return -1;
        return ((va as string | number) < (vb as string | number) ? -1 : 1) * sign;
      }
      return String(a['user_id']) < String(b['user_id']) ? -1 : 1;
    })
    .map((r) => String(r['user_id']));
}

/**
 * Every page read from the planned starts, the cursors passed through JSON as plan.json stores them:
 * each page up to the next page's cursor (the last planned row for the last), or — as a plan written
 * before `last` was kept reads — by count. `between` runs after planning, before the first read.
 */
async function readAll(
  connection: Connection,
  query: string,
  sort: ReadSort | undefined,
  size: number,
  options: { limit?: number; byCount?: boolean; between?: () => Promise<void> } = {},
): Promise<{ ids: string[]; pages: number; total: number }> {
  const { limit, byCount = false, between } = options;
  const planned = await connection.planPages({ query, ...(sort ? { sort } : {}), size, ...(limit === undefined ? {} : { limit }) });
  const { starts, last } = JSON.parse(JSON.stringify(planned)) as { starts: (PageCursor | null)[]; last: PageCursor | null };
  await between?.();
  const ids: string[] = [];
  for (const [i, after] of starts.entries()) {
    const until = starts[i + 1] ?? last ?? undefined;
    const bound = byCount || !until ? { limit: Math.min(size, planned.total - i * size) } : { until };
    const rows = await connection.readPage({ query, ...(sort ? { sort } : {}), after, ...bound });
    ids.push(...rows.map((r) => String(r['user_id'])));
  }
  return { ids, pages: starts.length, total: planned.total };
}

const SORTS: (ReadSort | undefined)[] = [
  undefined,
  { by: 'nickname', order: 'asc' },
  { by: 'nickname', order: 'desc' },
  { by: 'logins_count', order: 'desc' },
  { by: 'last_login', order: 'asc' },
  { by: 'last_login', order: 'desc' },
  { by: 'user_metadata.plan', order: 'asc' },
  { by: 'user_metadata.plan', order: 'desc' },
  { by: 'user_metadata.seats', order: 'asc' },
];

/** Exports: `planPages` and `readPage` over the built-in users table. */
export function describeRead(factory: ConnectionFactory): void {
  const h = useHarness(factory);
  const seed = async (harness: ConnectionHarness): Promise<void> => {
    const out = await harness.connection.writeBatch(batch(USERS));
    expect(out.inserted).toBe(USERS.length);
  };

  describe('read pages', () => {
    it.each(SORTS.map((sort) => [sort ? `${sort.by} ${sort.order}` : 'the key', sort] as const))(
      'reads every row exactly once, in order (NULLs last, ties by key), whatever the page size: %s',
      async (_name, sort) => {
        await seed(h());
        // `-nickname:zzz` matches every row too, but through a filter: SQLite's planning scan then sorts instead of walking an index.
        for (const query of ['*', '-nickname:zzz'])
          for (const size of [1, 2, 3, 4, 100])
            for (const byCount of [false, true]) {
              const read = await readAll(h().connection, query, sort, size, { byCount });
              expect(read.ids, `${query}, page size ${size}${byCount ? ', by count' : ''}`).toEqual(expectedOrder(sort));
              expect(read.total).toBe(USERS.length);
              expect(read.pages).toBe(Math.ceil(USERS.length / size));
            }
      },
    );

    it.each(SORTS.map((sort) => [sort ? `${sort.by} ${sort.order}` : 'the key', sort] as const))(
      'neither drops nor repeats a row when rows are inserted and deleted between planning and reading: %s',
      async (_name, sort) => {
        await seed(h());
        const planned = expectedOrder(sort);
        const lastPlanned = planned[planned.length - 1]!;
        // Two rows from inside pages go; three arrive, with values among the planned ones, NULLs included.
        const deleted = [planned[2]!, planned[5]!];
        const read = await readAll(h().connection, '*', sort, 3, {
          between: async () => {
            const out = await h().connection.writeBatch(batch(ARRIVALS, { batch: 2 }));
            expect(out.inserted).toBe(ARRIVALS.length);
            await h().exec(`DELETE FROM "users" WHERE "user_id" IN (${deleted.map((id) => `'${id}'`).join(', ')})`);
          },
        });
        // Every row there is when the pages are read, in order, up to the last planned row; each once.
        const now = expectedOrder(sort, [...USERS, ...ARRIVALS]);
        const expected = now.slice(0, now.indexOf(lastPlanned) + 1).filter((id) => !deleted.includes(id));
        expect(read.ids).toEqual(expected);
        expect(new Set(read.ids).size).toBe(read.ids.length);
      },
    );

    it('plans the cursor before each page: null first, then the last row of the previous page', async () => {
      await seed(h());
      const planned = await h().connection.planPages({ query: '*', sort: { by: 'nickname', order: 'asc' }, size: 4 });
      expect(planned.total).toBe(10);
      expect(planned.starts).toEqual([null, { value: 'bob', key: ['u07'] }, { value: null, key: ['u02'] }]);
      expect(planned.last).toEqual({ value: null, key: ['u05'] });
      const tail = await h().connection.planPages({ query: '*', sort: { by: 'nickname', order: 'desc' }, size: 8 });
      expect(tail.starts).toEqual([null, { value: null, key: ['u02'] }]);
    });

    it('filters with the query and stops at the limit (--sample)', async () => {
      await seed(h());
      const sort: ReadSort = { by: 'logins_count', order: 'asc' };
      const pro = USERS.filter((u) => (u['user_metadata'] as { plan?: string } | undefined)?.plan === 'pro');
      expect((await readAll(h().connection, 'user_metadata.plan:pro', sort, 2)).ids).toEqual(expectedOrder(sort, pro));
      const sample = await readAll(h().connection, '-nickname:bob', sort, 3, { limit: 4 });
      expect(sample.total).toBe(4);
      expect(sample.ids).toEqual(
        expectedOrder(
          sort,
          USERS.filter((u) => u['nickname'] !== 'bob'),
        ).slice(0, 4),
      );
      expect(await h().connection.planPages({ query: 'nickname:nobody', size: 10 })).toEqual({ total: 0, starts: [], last: null });
    });

    it('returns rows as plain values: booleans, parsed JSON, ISO timestamps, NULL columns left out', async () => {
      const user = {
        user_id: 'u1',
        email: 'a@x.io',
        email_verified: true,
        blocked: false,
        logins_count: 4,
        last_login: '2024-05-06T07:08:09.000Z',
        app_metadata: { roles: ['admin'], n: 1.5 },
      };
      await h().connection.writeBatch(batch([user]));
      const rows = await h().connection.readPage({ query: '*', after: null, limit: 10 });
      expect(rows).toEqual([{ ...user, phone_verified: false, created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z' }]);
    });

    it('reads only the fields asked for, still filtering and sorting by the others', async () => {
      await seed(h());
      const sort: ReadSort = { by: 'last_login', order: 'desc' };
      const fields = ['nickname', 'user_metadata', 'not_a_column'];
      const rows = await h().connection.readPage({ query: '-nickname:amy', sort, after: null, limit: 3, fields });
      const expected = expectedOrder(
        sort,
        USERS.filter((u) => u['nickname'] !== 'amy'),
      )
        .slice(0, 3)
        .map((id) => USERS.find((u) => u['user_id'] === id)!)
        .map((u) => Object.fromEntries(Object.entries(u).filter(([k, v]) => fields.includes(k) && v !== null)));
      expect(rows).toEqual(expected);
      // No column asked for (a mapping of constants): still one row per match.
      expect(await h().connection.readPage({ query: 'nickname:bob', after: null, limit: 10, fields: [] })).toHaveLength(3);
    });

    it('refuses an unknown field in the query or the sort with a QueryError', async () => {
      const query = h().connection.planPages({ query: 'nick:bob', size: 10 });
      await expect(query).rejects.toBeInstanceOf(QueryError);
      await expect(query).rejects.toThrow(/unknown field "nick"/);
      await expect(h().connection.readPage({ query: '*', sort: { by: 'shoe', order: 'asc' }, after: null, limit: 1 })).rejects.toThrow(/unknown field "shoe"/);
    });
  });
}
