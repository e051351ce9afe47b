import { expect, it } from 'vitest';
import { batch } from './contract-harness.js';
import { useForeignSqliteStores } from './foreign-sqlite-store.js';

/**
 * A trigger created while a job runs, after its table's shape was read (which says the table has
 * none, so rows are not read back): a row it skips with RAISE(IGNORE) is still that row's reject,
 * never counted inserted — told by how many rows the insert stored.
 */
const store = useForeignSqliteStores();

const rows = [
  { email: 'a', n: 1 },
  { email: 'b', n: 2 },
  { email: 'c', n: 3 },
];
const notKept = expect.stringMatching(/^rejected by the database: after its insert, table t holds no row with this key/) as unknown;

it.each([
  ['insert mode (the set-based insert)', false],
  ['upsert mode (row by row)', true],
])('%s: a row a trigger made since the shape was read skips is its reject', async (_, upsert) => {
  const { connection, raw } = await store('CREATE TABLE t (email TEXT PRIMARY KEY, n INT)');
  raw.exec('CREATE TRIGGER tr BEFORE INSERT ON t WHEN NEW.n = 2 BEGIN SELECT RAISE(IGNORE); END;');
  const out = await connection.writeBatch(batch(rows, { upsert }));
  expect(out).toMatchObject({ inserted: 2, rejects: [{ row: 2, errors: [{ code: 'INVALID_TYPE', path: '', message: notKept }] }] });
  expect(out.changes.map((c) => c.row)).toEqual([1, 3]);
  expect(raw.prepare('SELECT email FROM t ORDER BY email').all()).toEqual([{ email: 'a' }, { email: 'c' }]);
});
