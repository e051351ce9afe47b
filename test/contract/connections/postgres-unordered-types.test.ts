import { expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';

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
    pts point[], docs xml[], homes address[], durs interval[])`;

const ROW_1 = `(1, '(1,2)', '{1,-1,0}', '(1,1),(0,0)', '<(0,0),1>', '((0,0),(1,0),(0,1))', '[(0,0),(1,1)]', '<a>1</a>',
  '("Main St",12345)', '12.50', B'1010', 'fat cat', '10.0.0.1', '1 day 2 hours', '[1,5)',
  '{{"(1,2)",NULL},{"(3,4)","(5,6)"}}', '{"<a/>"}', '{"(Elm,1)"}', '{"1 day",NULL}')`;
/** Row 2's box has row 1's area (1), in another place. */
const ROW_2 = `(2, '(3,4)', NULL, '(6,6),(5,5)', '<(1,1),1>', NULL, NULL, '<b/>', '(Elm,1)', NULL, NULL, NULL, NULL, NULL, NULL, '{}', NULL, NULL, NULL)`;

describePostgres('postgres columns of types without an order', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, `${TABLE}; INSERT INTO shapes VALUES ${ROW_1}, ${ROW_2}`);

  it('reads each value as the text the server gives, an array element by element', async () => {
    const connection = await db.connect('shapes');
    const fields = ['id', 'pt', 'ci', 'bx', 'doc', 'home', 'price', 'bits', 'tsv', 'ip', 'dur', 'r4', 'pts', 'durs', 'docs'];
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
    });
  });
});
