import { describe, expect, it } from 'vitest';
import { batch } from './contract-harness.js';
import { useForeignSqliteStores } from './foreign-sqlite-store.js';

/**
 * A key of several columns is compared across a job's rows as its parts joined by U+0000, which a
 * JSON source's text may hold: `["x\u0000y", "z"]` and `["x", "y\u0000z"]` joined the same, so the
 * second of two different users was rejected as DUPLICATE_IN_SOURCE of the first, and not written.
 */
describe('sqlite composite key whose parts hold U+0000', () => {
  const store = useForeignSqliteStores();

  it.each([false, true])('two different keys are two users (upsert %s), and a true repeat is still DUPLICATE_IN_SOURCE', async (upsert) => {
    const { connection, raw } = await store('CREATE TABLE t (a TEXT NOT NULL, b TEXT NOT NULL, n INTEGER, PRIMARY KEY (a, b))');
    const out = await connection.writeBatch(
      batch(
        [
          { a: 'x\u0000y', b: 'z', n: 1 },
          { a: 'x', b: 'y\u0000z', n: 2 },
          { a: 'x\u0000y', b: 'z', n: 3 },
        ],
        { key: ['a', 'b'], upsert },
      ),
    );
    expect(out).toMatchObject({ inserted: 2, rejects: [{ row: 3, errors: [{ code: 'DUPLICATE_IN_SOURCE' }] }] });
    expect(raw.prepare('SELECT a, b, n FROM t ORDER BY n').all()).toEqual([
      { a: 'x\u0000y', b: 'z', n: 1 },
      { a: 'x', b: 'y\u0000z', n: 2 },
    ]);
  });
});
