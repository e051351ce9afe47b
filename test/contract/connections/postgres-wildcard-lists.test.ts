import { expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';

/**
 * A thousand wildcard terms on one JSON path (an allow-list of prefixes): each read the array at
 * the path in a subquery of its own, planned and run for every row, and on 20,000 users the
 * statement ran past its 300 s timeout. The terms of one OR on one value are one `LIKE ANY` now.
 */
describePostgres('postgres wildcard lists on a JSON path', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(
    server,
    `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;
     CREATE TABLE docs (id int PRIMARY KEY, meta jsonb, tags text[]);
     INSERT INTO docs SELECT i, jsonb_build_object('s', 'v' || i, 'tags', jsonb_build_array('t' || i, 'U' || (i % 7), i)), ARRAY['r' || i, NULL]
       FROM generate_series(1, 4000) AS i`,
  );

  it('matches each row one of the patterns holds, in a bounded time', { timeout: 60_000 }, async () => {
    const connection = await db.connect('docs');
    // Prefixes of some ids, a few with `?` and upper case (A–Z folds), most matching nothing.
    const prefixes = Array.from({ length: 1000 }, (_, i) => (i % 100 === 0 ? `T${i + 7}?` : i % 10 === 0 ? `u${i % 7}*` : `x${i}*`));
    const ids = (rows: Record<string, unknown>[]): number[] => rows.map((r) => Number(r['id'])).sort((a, b) => a - b);
    const patterns = prefixes.map((p) => new RegExp(`^${p.toLowerCase().replace('*', '.*').replace('?', '.')}$`));
    const matches = (text: string): boolean => patterns.some((p) => p.test(text.toLowerCase()));
    const all = Array.from({ length: 4000 }, (_, i) => i + 1);

    const started = Date.now();
    const tags = await connection.readPage({ query: `meta.tags:(${prefixes.join(' OR ')})`, after: null, limit: 10_000, fields: ['id'] });
    const scalar = await connection.readPage({ query: `meta.s:(${prefixes.join(' OR ')})`, after: null, limit: 10_000, fields: ['id'] });
    const arrays = await connection.readPage({ query: `tags:(${prefixes.join(' OR ')})`, after: null, limit: 10_000, fields: ['id'] });
    // Measured at 2 s for the three on a busy machine; each term in its own subquery took minutes.
    expect(Date.now() - started).toBeLessThan(30_000);

    expect(ids(tags)).toEqual(all.filter((i) => matches(`t${i}`) || matches(`U${i % 7}`)));
    expect(ids(scalar)).toEqual(all.filter((i) => matches(`v${i}`)));
    expect(ids(arrays)).toEqual(all.filter((i) => matches(`r${i}`)));
    expect(ids(tags).length).toBeGreaterThan(0);
  });

  it('a list of a thousand values on a JSON path matches typed values, in a bounded time', { timeout: 60_000 }, async () => {
    const connection = await db.connect('docs');
    // Strings of some ids, numbers of others, a string that is a number (no match: the numbers are JSON numbers).
    const values = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? `t${i * 4}` : i % 3 === 1 ? `${i * 4}` : `"${i * 4}"`));
    const started = Date.now();
    const rows = await connection.readPage({ query: `meta.tags:(${values.join(' OR ')})`, after: null, limit: 10_000, fields: ['id'] });
    expect(Date.now() - started).toBeLessThan(30_000);
    const expected = Array.from({ length: 1000 }, (_, i) => i * 4).filter((id, i) => id >= 1 && id <= 4000 && i % 3 !== 2);
    expect(rows.map((r) => Number(r['id'])).sort((a, b) => a - b)).toEqual(expected);
  });

  it('a list mixed with other terms and fields keeps each one’s meaning', async () => {
    const connection = await db.connect('docs');
    const read = async (query: string): Promise<number[]> =>
      (await connection.readPage({ query, after: null, limit: 10_000, fields: ['id'] })).map((r) => Number(r['id'])).sort((a, b) => a - b);
    expect(await read('meta.s:(v12* OR v3999 OR x*) AND NOT meta.s:v12?')).toEqual([12, ...range(1200, 1299), 3999]);
    expect(await read('meta.s:(v1? OR nope*) OR meta.tags:(T2? OR T3?) OR id:5')).toEqual([...range(5, 5), ...range(10, 39)]);
    expect(await read('meta.s:(v\\%* OR v\\_*)')).toEqual([]);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
