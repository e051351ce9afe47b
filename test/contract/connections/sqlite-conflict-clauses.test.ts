import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { batch } from './contract-harness.js';
import { useForeignSqliteStores } from './foreign-sqlite-store.js';

/**
 * A table another tool made with a constraint that declares its own conflict resolution. Followed
 * by a plain INSERT or UPDATE, `UNIQUE ON CONFLICT REPLACE` deleted the other user holding the value,
 * `IGNORE` dropped the row while it was counted inserted, `ROLLBACK` was reported as a trigger's.
 * Each conflict is the row's CONFLICT reject, as on a table without such a clause.
 */
const store = useForeignSqliteStores();

const all = (raw: Database.Database) => raw.prepare('SELECT email, n FROM t ORDER BY email').all();
const conflictOnN = [{ code: 'CONFLICT', path: 'n', message: 'n already belongs to another user' }];
const seeded = [
  { email: 'y', n: 5 },
  { email: 'z', n: 1 },
];

describe.each(['REPLACE', 'IGNORE', 'FAIL', 'ROLLBACK', 'ABORT'])('sqlite target whose unique column says ON CONFLICT %s', (clause) => {
  const ddl = `CREATE TABLE t (email TEXT PRIMARY KEY, n INT UNIQUE ON CONFLICT ${clause}); INSERT INTO t VALUES ('z', 1), ('y', 5);`;

  it('an inserted row taking another user’s value is its CONFLICT reject; the other user stays', async () => {
    const { connection, raw } = await store(ddl);
    const out = await connection.writeBatch(
      batch([
        { email: 'a', n: 1 },
        { email: 'b', n: 2 },
      ]),
    );
    expect(out).toMatchObject({ inserted: 1, rejects: [{ row: 1, errors: conflictOnN }] });
    expect(all(raw)).toEqual([{ email: 'b', n: 2 }, ...seeded]);
  });

  it('an update taking another user’s value is its CONFLICT reject; the other user stays', async () => {
    const { connection, raw } = await store(ddl);
    const out = await connection.writeBatch(batch([{ email: 'y', n: 1 }], { upsert: true }));
    expect(out).toMatchObject({ updated: 0, rejects: [{ row: 1, errors: conflictOnN }] });
    expect(all(raw)).toEqual(seeded);
  });

  it('a dry run counts the same: the row taking another user’s value is rejected, not inserted', async () => {
    const { connection, raw } = await store(ddl);
    const out = await connection.preview(() =>
      connection.writeBatch(
        batch(
          [
            { email: 'p', n: 5 },
            { email: 'q', n: 7 },
          ],
          { preview: true },
        ),
      ),
    );
    expect(out).toMatchObject({ inserted: 1, rejects: [{ row: 1, errors: conflictOnN }] });
    expect(all(raw)).toEqual(seeded);
  });
});
