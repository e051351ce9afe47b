import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTableShape } from '../../../../src/connections/sqlite/schema.js';
import { predictStoredRow } from '../../../../src/connections/sqlite/predict.js';
import type { SqliteValue } from '../../../../src/connections/sqlite/values.js';

/**
 * The stored row an insert's backup hashes is predicted instead of read back (RETURNING) where
 * that is certain. Checked against SQLite itself: whenever a prediction is made, it is exactly the
 * row RETURNING gives, over every declared type and a spread of values affinity might convert.
 */
let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
});
afterEach(() => db.close());

const declaredTypes = [
  'TEXT',
  'VARCHAR(10)',
  'INTEGER',
  'INT8',
  'REAL',
  'DOUBLE',
  'NUMERIC',
  'DECIMAL(5,2)',
  'BOOLEAN',
  'JSON',
  'TIMESTAMP',
  'DATE',
  'BLOB',
  '',
];

const values: SqliteValue[] = [
  null,
  '',
  'abc',
  '12',
  ' 12 ',
  '-3.5',
  '+7',
  '.5',
  '1e3',
  '1.',
  '0x10',
  'Inf',
  'NaN',
  '12abc',
  '2026-11-21T10:00:00.000Z',
  '2026',
  '{"a":1}',
  '5',
  '"x"',
  'true',
  0,
  1,
  -1,
  3.25,
  1e20,
  2 ** 53 - 1,
  10n,
  2n ** 60n,
  Buffer.from('bytes'),
];

function returned(table: string, columns: readonly string[], row: readonly SqliteValue[]): unknown[] {
  const names = columns.map((c) => `"${c}"`).join(', ');
  return db
    .prepare(`INSERT INTO ${table} (${names}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING *`)
    .raw(true)
    .get(row) as unknown[];
}

describe('predictStoredRow', () => {
  it('predicts exactly what SQLite stores, for every declared type and value it predicts at all', () => {
    db.exec(`CREATE TABLE t (${declaredTypes.map((type, i) => `c${i} ${type}`).join(', ')})`);
    const shape = loadTableShape(db, 't');
    const all = declaredTypes.map((_, i) => i);
    let predicted = 0;
    for (const value of values) {
      const row = all.map(() => value);
      const stored = returned(
        't',
        all.map((i) => `c${i}`),
        row,
      );
      for (const column of all) {
        // One column at a time: the others NULL, so each prediction is about one (type, value) pair.
        const prediction = predictStoredRow(shape, [column], [value]);
        if (prediction === undefined) continue;
        predicted++;
        expect(prediction[column], `${declaredTypes[column]} ← ${String(value)}`).toEqual(stored[column]);
        expect(prediction.filter((_, i) => i !== column).every((v) => v === null)).toBe(true);
      }
    }
    // Most pairs are predicted (text in text, numbers in numeric columns, non-numeric text anywhere): the saving is real.
    expect(predicted).toBeGreaterThan((values.length * declaredTypes.length) / 2);
  });

  it('predicts the built-in users table row of an import, and refuses what it cannot know', () => {
    db.exec("CREATE TABLE users (email TEXT, logins INTEGER, note TEXT DEFAULT 'n/a')");
    const shape = loadTableShape(db, 'users');
    expect(predictStoredRow(shape, [0, 1, 2], ['a@x.io', 3, 'hi'])).toEqual(['a@x.io', 3, 'hi']);
    expect(predictStoredRow(shape, [0, 1], ['a@x.io', 3])).toBeUndefined(); // note gets its default
    expect(predictStoredRow(shape, [0, 1, 2], ['a@x.io', '3', 'hi'])).toBeUndefined(); // '3' becomes 3
    expect(predictStoredRow(shape, [0, 1, 2], [5, 3, 'hi'])).toBeUndefined(); // 5 becomes '5'

    const builtIn = loadTableShape(db, 'app_users'); // created: the built-in table
    const row = builtIn.columns.map((c) =>
      c.type === 'timestamp'
        ? '2026-11-21T10:00:00.000Z'
        : c.type === 'json'
          ? '{"plan":"pro"}'
          : c.type === 'boolean'
            ? 1
            : c.type === 'integer'
              ? 4
              : `${c.name}-value`,
    );
    const positions = builtIn.columns.map((_, i) => i);
    expect(predictStoredRow(builtIn, positions, row)).toEqual(
      returned(
        'app_users',
        builtIn.columns.map((c) => c.name),
        row,
      ),
    );
  });

  it('never predicts for a table with triggers or an INTEGER PRIMARY KEY left out', () => {
    db.exec('CREATE TABLE a (id INTEGER PRIMARY KEY, email TEXT)');
    expect(predictStoredRow(loadTableShape(db, 'a'), [1], ['a@x.io'])).toBeUndefined();
    expect(predictStoredRow(loadTableShape(db, 'a'), [0, 1], [7, 'a@x.io'])).toEqual([7, 'a@x.io']);
    db.exec("CREATE TABLE b (email TEXT, seen TEXT); CREATE TRIGGER stamp AFTER INSERT ON b BEGIN UPDATE b SET seen = 'yes' WHERE rowid = new.rowid; END");
    expect(predictStoredRow(loadTableShape(db, 'b'), [0, 1], ['a@x.io', null])).toBeUndefined();
  });
});
