import { expect, it } from 'vitest';
import { checkQuery } from '../../../src/query/compile-query.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch, output } from './contract-harness.js';

/**
 * Columns of types with no equality or order of their own (no default btree operator class: point,
 * line, box, circle, polygon, path, xml, a composite type, and arrays of them), beside types that
 * have one but that Ferry reads as text (money, bit, tsvector, inet, interval, ranges…). A term on
 * a point failed the job at planning ("operator does not exist: point = unknown"), an upsert of a
 * row holding one failed its whole batch, a box's `=` compared areas (a new box of the same area
 * was kept out as unchanged), and an export wrote pg's objects ({"x":1,"y":2}) for a point.
 */

const TABLE = `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;
  CREATE TYPE address AS (street text, zip int);
  CREATE TABLE shapes (
    id int PRIMARY KEY, pt point, ln line, bx box, ci circle, pg polygon, pa path, doc xml, home address,
    price money, bits bit(4), tsv tsvector, ip inet, dur interval, r4 int4range,
    pts point[], docs xml[], homes address[], durs interval[], nums numeric[], days date[])`;

const ROW_1 = `(1, '(1,2)', '{1,-1,0}', '(1,1),(0,0)', '<(0,0),1>', '((0,0),(1,0),(0,1))', '[(0,0),(1,1)]', '<a>1</a>',
  '("Main St",12345)', '12.50', B'1010', 'fat cat', '10.0.0.1', '1 day 2 hours', '[1,5)',
  '{{"(1,2)",NULL},{"(3,4)","(5,6)"}}', '{"<a/>"}', '{"(Elm,1)"}', '{"1 day",NULL}',
  '{0.10000000000000000001,12345678901234567890,NaN,NULL,1.5}', '{2024-01-15,NULL}')`;
/** Row 2's box has row 1's area (1), in another place. */
const ROW_2 = `(2, '(3,4)', NULL, '(6,6),(5,5)', '<(1,1),1>', NULL, NULL, '<b/>', '(Elm,1)', NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL, NULL, NULL)`;

describePostgres('postgres columns of types without an order', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, `${TABLE}; INSERT INTO shapes VALUES ${ROW_1}, ${ROW_2}`);

  async function ids(query: string): Promise<unknown[]> {
    const connection = await db.connect('shapes');
    const rows = await connection.readPage({ query, after: null, limit: 10, fields: ['id'] });
    return rows.map((r) => r['id']).sort();
  }

  it('a term or phrase matches the value by the text the server gives for it', async () => {
    const connection = await db.connect('shapes');
    const columns = await connection.columns('read');
    const cases: [string, number[]][] = [
      ['pt:"(1, 2)"', [1]],
      ['pt:"(1,3)"', []],
      ['-pt:"(1,2)"', [2]],
      ['ln:"{1,-1,0}"', [1]],
      // Not row 2, whose box has the same area (`=` on boxes compares areas).
      ['bx:"(0,0),(1,1)"', [1]],
      ['ci:"<(0,0),1>"', [1]],
      ['pg:"((0,0),(1,0),(0,1))"', [1]],
      ['pa:"[(0,0),(1,1)]"', [1]],
      ['doc:"<a>1</a>"', [1]],
      ['doc:(x OR "<b/>")', [2]],
      ['home:"(Main St,12345)"', [1]],
      ['home:"(Elm,1)"', [2]],
      ['pts:"(5,6)"', [1]],
      ['pts:"(3,5)"', []],
      ['docs:"<a/>"', [1]],
      ['homes:"(Elm,1)"', [1]],
      ['pt:*2*', [1]],
      ['doc:*a*', [1]],
      ['pts:*5*', [1]],
      ['_exists_:pts', [1]],
      ['pt:* AND _exists_:home', [1, 2]],
      // Types with an order of their own still compare in it.
      ['bits:[0000 TO 1011]', [1]],
      ['ip:[10.0.0.0 TO 10.0.0.5]', [1]],
      ['dur:>"1 day"', [1]],
      ['r4:"[1,4]"', [1]],
      ['durs:"24 hours"', [1]],
    ];
    for (const [query, expected] of cases) {
      expect(checkQuery(query, columns), query).toBeUndefined();
      expect(await ids(query), query).toEqual(expected);
    }
  });

  it('refuses a range or a sort on such a column before any job, naming its type', async () => {
    const connection = await db.connect('shapes');
    const columns = await connection.columns('read');
    expect(checkQuery('pt:>1', columns)).toMatchObject({
      offset: 3,
      message: expect.stringMatching(/^ranges do not apply to pt: its type, point, has no order in PostgreSQL/),
    });
    expect(checkQuery('id:1 AND doc:[a TO b]', columns)).toMatchObject({
      offset: 13,
      message: expect.stringMatching(/ranges do not apply to doc: its type, xml,/),
    });
    expect(checkQuery('home:{a TO *]', columns)?.message).toMatch(/its type, address, has no order/);
    expect(checkQuery('pts:[a TO b]', columns)?.message).toMatch(/ranges do not apply to pts: its elements' type, point, has no order/);
    await expect(connection.planPages({ query: '*', size: 2, sort: { by: 'bx', order: 'asc' } })).rejects.toThrow(
      /"bx" cannot order an export: its type, box, has no order in PostgreSQL/,
    );
    // A value the type refuses is the server's data error (validate's probe reports it at its place).
    await expect(ids('home:x')).rejects.toThrow(/malformed record literal/);
    await expect(ids('pts:x')).rejects.toThrow(/invalid input syntax for type point/);
  });

  it('reads each value as the text the server gives, an array element by element', async () => {
    const connection = await db.connect('shapes');
    const fields = ['id', 'pt', 'ci', 'bx', 'doc', 'home', 'price', 'bits', 'tsv', 'ip', 'dur', 'r4', 'pts', 'durs', 'docs', 'nums', 'days'];
    const [row] = await connection.readPage({ query: 'id:1', after: null, limit: 1, fields });
    expect(row).toEqual({
      id: 1,
      pt: '(1,2)',
      ci: '<(0,0),1>',
      bx: '(1,1),(0,0)',
      doc: '<a>1</a>',
      home: '("Main St",12345)',
      price: expect.stringMatching(/12\.50/),
      bits: '1010',
      tsv: "'cat' 'fat'",
      ip: '10.0.0.1',
      dur: '1 day 02:00:00',
      r4: '[1,5)',
      pts: [
        ['(1,2)', null],
        ['(3,4)', '(5,6)'],
      ],
      durs: ['1 day', null],
      docs: '{<a/>}',
      // pg read each as a double (0.1, NaN as null) and each date as a Date at the process's local midnight.
      nums: ['0.10000000000000000001', '12345678901234567890', 'NaN', null, 1.5],
      days: ['2024-01-15', null],
    });
  });

  it('an upsert tells a change of such a value by its text, and a value the type refuses rejects its row', async () => {
    const connection = await db.connect('shapes');
    const same = {
      id: 1,
      pt: '(1, 2)',
      bx: '(0,0),(1,1)',
      doc: '<a>1</a>',
      home: '("Main St",12345)',
      pts: [
        ['(1,2)', null],
        ['(3,4)', '(5,6)'],
      ],
    };
    expect(await connection.writeBatch(batch([same], { key: ['id'], upsert: true }))).toEqual(output({ unchanged: 1 }));
    // Row 2's box has the same area as this one.
    const moved = { id: 1, pt: '(1,3)', bx: '(6,6),(5,5)', doc: '<a>2</a>', home: '(Elm,1)', pts: ['(7,8)'] };
    const out = await connection.writeBatch(batch([moved, { id: 2, pt: 'nowhere' }, { id: 3, home: '(x,y)' }], { job: 'job-2', key: ['id'], upsert: true }));
    expect(out).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
    expect(out.rejects).toEqual([
      { row: 2, errors: [expect.objectContaining({ path: 'pt', message: expect.stringMatching(/invalid input syntax for type point/) })] },
      { row: 3, errors: [expect.objectContaining({ path: 'home', message: expect.stringMatching(/invalid input syntax for type integer: "y"/) })] },
    ]);
    const { rows } = await db.raw.query<Record<string, string>>('SELECT pt::text, bx::text, doc::text, home::text, pts::text FROM shapes WHERE id = 1');
    expect(rows).toEqual([{ pt: '(1,3)', bx: '(6,6),(5,5)', doc: '<a>2</a>', home: '(Elm,1)', pts: '{"(7,8)"}' }]);
  });
  it('a key column of a type without equality is refused in words; a composite key matches field by field', async () => {
    const connection = await db.connect('shapes');
    await expect(connection.writeBatch(batch([{ id: 9, pt: '(1,2)' }], { key: ['pt'], upsert: true }))).rejects.toThrow(
      /: key column pt of table shapes is of type point, which has no equality in PostgreSQL \(no btree operator class\): no row can be matched by it\. Hint: key on another column/,
    );
    await expect(connection.writeBatch(batch([{ id: 9, doc: '<a>1</a>' }], { job: 'job-2', key: ['doc'], upsert: true }))).rejects.toThrow(
      /key column doc of table shapes is of type xml/,
    );
    const out = await connection.writeBatch(batch([{ home: '(Elm,1)', pt: '(0,0)' }], { job: 'job-3', key: ['home'], upsert: true }));
    expect(out).toEqual(output({ updated: 1 }));
    const { rows } = await db.raw.query<{ id: number }>(`SELECT id FROM shapes WHERE pt::text = '(0,0)'`);
    expect(rows).toEqual([{ id: 2 }]);
  });
});
