import { expect, it } from 'vitest';
import { checkQuery } from '../../../src/query/compile-query.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch, output } from './contract-harness.js';

/**
 * Queries on the array columns of a table Ferry did not make (text[], int4[], uuid[], jsonb[]…): each
 * was compared as text with the whole array, and `roles:admin` failed the job ("malformed array
 * literal"). An array holds its elements, as a JSON array does: a term, phrase, wildcard or range
 * matches when one element does (compared as the element's type), `_exists_` when one is not NULL.
 */

interface Person {
  id: number;
  roles?: (string | null)[];
  scores?: (number | null)[] | number[][];
  seen?: (string | null)[];
  flags?: (boolean | null)[];
  ids?: string[];
  docs?: unknown[];
  labels?: string[];
  moods?: string[];
}

const UUID = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

const PEOPLE: Person[] = [
  {
    id: 1,
    roles: ['admin', 'dev'],
    scores: [1, 2, 3],
    seen: ['2024-01-15T10:00:00Z'],
    flags: [true],
    ids: [UUID],
    docs: [{ plan: 'pro' }, 'x'],
    labels: ['a'],
    moods: ['happy'],
  },
  { id: 2, roles: [], scores: [], seen: [], flags: [], ids: [], docs: [], labels: [], moods: [] },
  { id: 3, roles: [null], scores: [null], seen: [null], flags: [null], docs: [null] },
  { id: 4 },
  {
    id: 5,
    roles: ['Admin', 'a b', '', 'ünï'],
    scores: [
      [10, -5],
      [7, 8],
    ],
    seen: ['2024-01-16T00:00:00.000001Z', '1999-12-31T23:59:59Z'],
    flags: [false, null],
    docs: [5, ['pro']],
    labels: ['B', 'b'],
    moods: ['sad', 'happy'],
  },
  { id: 6, roles: ['dev', null, '100%', 'x_y'], scores: [5, null], flags: [true, false], docs: ['pro'] },
];

const flat = (value: unknown): unknown[] => (Array.isArray(value) ? value.flatMap(flat) : [value]);
const some = (p: Person, key: keyof Person, test: (value: unknown) => boolean): boolean => flat(p[key] ?? []).some((v) => v !== null && test(v));
/** A jsonb[] is a JSON array: an element that is itself an array is one value, never looked into. */
const element = (p: Person, test: (value: unknown) => boolean): boolean => (p.docs ?? []).some((v) => v !== null && test(v));
const micros = (text: unknown): number => {
  const [whole = '', fraction = ''] = String(text).replace(/Z$/, '').split('.');
  return Date.parse(`${whole}Z`) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6) || '0');
};

const CASES: [string, (p: Person) => boolean][] = [
  ['roles:admin', (p) => some(p, 'roles', (v) => v === 'admin')],
  ['roles:"a b"', (p) => some(p, 'roles', (v) => v === 'a b')],
  ['roles:""', (p) => some(p, 'roles', (v) => v === '')],
  ['roles:ADMIN', (p) => some(p, 'roles', (v) => v === 'ADMIN')],
  ['roles:adm*', (p) => some(p, 'roles', (v) => /^adm/i.test(String(v)))],
  ['roles:*%', (p) => some(p, 'roles', (v) => String(v).endsWith('%'))],
  ['roles:x?y', (p) => some(p, 'roles', (v) => /^x.y$/.test(String(v)))],
  ['roles:ü*', (p) => some(p, 'roles', (v) => String(v).startsWith('ü'))],
  ['roles:[a TO b]', (p) => some(p, 'roles', (v) => String(v) >= 'a' && String(v) <= 'b')],
  ['roles:>b', (p) => some(p, 'roles', (v) => String(v) > 'b')],
  ['roles:<B', (p) => some(p, 'roles', (v) => String(v) < 'B')],
  ['roles:*', (p) => some(p, 'roles', () => true)],
  ['_exists_:roles', (p) => some(p, 'roles', () => true)],
  ['-_exists_:roles', (p) => !some(p, 'roles', () => true)],
  ['-roles:dev', (p) => !some(p, 'roles', (v) => v === 'dev')],
  ['roles:(admin OR dev)', (p) => some(p, 'roles', (v) => v === 'admin' || v === 'dev')],
  ['scores:5', (p) => some(p, 'scores', (v) => v === 5)],
  ['scores:5.0', (p) => some(p, 'scores', (v) => v === 5)],
  ['scores:8', (p) => some(p, 'scores', (v) => v === 8)],
  ['scores:[2 TO 3]', (p) => some(p, 'scores', (v) => Number(v) >= 2 && Number(v) <= 3)],
  ['scores:[4 TO 6}', (p) => some(p, 'scores', (v) => Number(v) >= 4 && Number(v) < 6)],
  ['scores:>7', (p) => some(p, 'scores', (v) => Number(v) > 7)],
  ['scores:<=-5', (p) => some(p, 'scores', (v) => Number(v) <= -5)],
  ['scores:*', (p) => some(p, 'scores', () => true)],
  ['seen:2024-01-15', (p) => some(p, 'seen', (v) => micros(v) >= Date.UTC(2024, 0, 15) * 1000 && micros(v) < Date.UTC(2024, 0, 16) * 1000)],
  ['seen:"2024-01-15T12:00:00+02:00"', (p) => some(p, 'seen', (v) => micros(v) === Date.UTC(2024, 0, 15, 10) * 1000)],
  ['seen:>"2024-01-16T00:00:00Z"', (p) => some(p, 'seen', (v) => micros(v) > Date.UTC(2024, 0, 16) * 1000)],
  ['seen:[* TO 2000-01-01}', (p) => some(p, 'seen', (v) => micros(v) < Date.UTC(2000, 0, 1) * 1000)],
  ['seen:*', (p) => some(p, 'seen', () => true)],
  ['flags:true', (p) => some(p, 'flags', (v) => v === true)],
  ['flags:false', (p) => some(p, 'flags', (v) => v === false)],
  ['ids:A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', (p) => some(p, 'ids', (v) => v === UUID)],
  ['docs:pro', (p) => element(p, (v) => v === 'pro')],
  ['docs:5', (p) => element(p, (v) => v === 5)],
  ['docs:"5"', (p) => element(p, (v) => v === '5')],
  ['docs:x*', (p) => element(p, (v) => typeof v === 'string' && v.startsWith('x'))],
  ['_exists_:docs', (p) => element(p, () => true)],
  ['docs:(pro OR 5 OR "x")', (p) => element(p, (v) => v === 'pro' || v === 5 || v === 'x')],
  ['docs:(p* OR X*)', (p) => element(p, (v) => typeof v === 'string' && /^[px]/i.test(v))],
  ['roles:(adm* OR x?y OR *%)', (p) => some(p, 'roles', (v) => /^adm|^x.y$|%$/i.test(String(v)))],
  ['roles:(dev OR "a b")', (p) => some(p, 'roles', (v) => v === 'dev' || v === 'a b')],
  ['labels:b', (p) => some(p, 'labels', (v) => v === 'b')],
  ['labels:[a TO a]', (p) => some(p, 'labels', (v) => v === 'a')],
  ['moods:happy', (p) => some(p, 'moods', (v) => v === 'happy')],
  // An enum compares in its declared order (sad < happy), as an enum column does.
  ['moods:<happy', (p) => some(p, 'moods', (v) => v === 'sad')],
  ['moods:>sad', (p) => some(p, 'moods', (v) => v === 'happy')],
];

describePostgres('queries on postgres array columns', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(
    server,
    `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;
     CREATE DOMAIN label AS varchar(5);
     CREATE TYPE mood AS ENUM ('sad', 'happy');
     CREATE TABLE people (id int PRIMARY KEY, roles text[], scores int4[], seen timestamptz[], flags bool[], ids uuid[], docs jsonb[], labels label[], moods mood[])`,
  );

  async function fill(): Promise<void> {
    await db.raw.query(`SET TIME ZONE 'UTC'`);
    for (const p of PEOPLE) {
      const docs = p.docs?.map((d) => (d === null ? null : JSON.stringify(d)));
      await db.raw.query('INSERT INTO people VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb[], $8, $9)', [
        p.id,
        p.roles,
        p.scores,
        p.seen,
        p.flags,
        p.ids,
        docs,
        p.labels,
        p.moods,
      ]);
    }
  }

  it('a query matches a row when one element of the array does', async () => {
    await fill();
    const connection = await db.connect('people');
    const columns = await connection.columns('read');
    for (const [query, expected] of CASES) {
      expect(checkQuery(query, columns), query).toBeUndefined();
      const rows = await connection.readPage({ query, after: null, limit: 100, fields: ['id'] });
      expect(rows.map((r) => r['id']).sort(), query).toEqual(PEOPLE.filter(expected).map((p) => p.id));
    }
  });

  it('refuses what the element type cannot hold, and paths, where the query is written', async () => {
    const connection = await db.connect('people');
    const columns = await connection.columns('read');
    expect(checkQuery('scores:a*', columns)?.message).toMatch(/wildcards only apply to text: scores holds number values/);
    expect(checkQuery('scores:abc', columns)?.message).toMatch(/"abc" is not a number/);
    expect(checkQuery('flags:[a TO b]', columns)?.message).toMatch(/ranges do not apply to flags/);
    expect(checkQuery('roles.x:1', columns)?.message).toMatch(/"roles" is an array column: only JSON columns have paths/);
    // The server parses each value as the element's type, as it does a uuid column's.
    await expect(connection.readPage({ query: 'ids:nope', after: null, limit: 1, fields: ['id'] })).rejects.toThrow(/invalid input syntax for type uuid/);
  });

  it('an export sorted by an array column is refused in words', async () => {
    const connection = await db.connect('people');
    await expect(connection.planPages({ query: '*', size: 2, sort: { by: 'seen', order: 'asc' } })).rejects.toThrow(
      /"seen" is an array column: an export sorts by one value a row/,
    );
  });

  it('lists are still written into the array columns, and found by a query', async () => {
    const connection = await db.connect('people');
    const out = await connection.writeBatch(batch([{ id: 7, roles: ['ops', 'a,b'], scores: [4, 2], moods: ['sad'] }], { key: ['id'] }));
    expect(out).toEqual(output({ inserted: 1 }));
    const rows = await connection.readPage({ query: 'roles:"a,b" AND scores:4 AND moods:sad', after: null, limit: 10, fields: ['id', 'roles'] });
    expect(rows).toEqual([{ id: 7, roles: ['ops', 'a,b'] }]);
  });
});
