import { expect, it } from 'vitest';
import type { Connection, PageCursor, ReadSort } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';

/**
 * An export sorted by a column of a type the driver parses into an object (interval, bytea, a
 * range): its cursor, kept as JSON in the plan, bound back as no such value, and the second page
 * failed ("invalid input syntax for type interval"). The cursor keeps the server's text instead.
 */
describePostgres('postgres sorts by interval, bytea, range and enum columns', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(
    server,
    `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;
     CREATE TYPE mood AS ENUM ('sad', 'happy');
     CREATE TABLE things (id int PRIMARY KEY, dur interval, raw bytea, span int4range, mood mood);
     INSERT INTO things VALUES
       (1, '1 day', '\\x01', '[1,5)', 'happy'), (2, '25 hours', '\\x0100', '[2,3)', 'sad'),
       (3, '1 day 00:00:00.000001', '\\x', 'empty', 'happy'), (4, '-1 mon', '\\x00', '[1,2)', NULL),
       (5, '1 day', '\\x01', '[1,5)', 'sad'), (6, NULL, NULL, NULL, 'happy')`,
  );

  async function paged(connection: Connection, sort: ReadSort, size: number): Promise<number[]> {
    const plan = await connection.planPages({ query: '*', size, sort });
    const starts = JSON.parse(JSON.stringify(plan.starts)) as (PageCursor | null)[];
    const last = JSON.parse(JSON.stringify(plan.last)) as PageCursor | null;
    const out: number[] = [];
    for (const [i, after] of starts.entries()) {
      const rows = await connection.readPage({ query: '*', after, until: starts[i + 1] ?? last!, fields: ['id'], sort });
      out.push(...rows.map((row) => Number(row['id'])));
    }
    return out;
  }

  it.each(['dur', 'raw', 'span', 'mood'])('pages of 1 and 2 read every row once, in order, sorted by %s', async (by) => {
    const connection = await db.connect('things');
    for (const order of ['asc', 'desc'] as const) {
      const sort = { by, order };
      const whole = (await connection.readPage({ query: '*', after: null, limit: 100, fields: ['id'], sort })).map((row) => Number(row['id']));
      expect(whole).toHaveLength(6);
      for (const size of [1, 2]) expect(await paged(connection, sort, size), `${by} ${order}, pages of ${size}`).toEqual(whole);
    }
  });
});
