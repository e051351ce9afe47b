import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteConnection } from '../../../src/connections/sqlite.js';
import type { RestoreEntry, RowChange } from '../../../src/connections/types.js';
import { batch } from './contract-harness.js';
import { useForeignSqliteStores } from './foreign-sqlite-store.js';

/**
 * Tables another tool made with triggers: a row the table did not keep must never be counted
 * written, and a trigger that ends the transaction must leave nothing of the batch behind.
 */
const store = useForeignSqliteStores();

const rows = [
  { email: 'a', n: 1 },
  { email: 'b', n: 2 },
  { email: 'c', n: 3 },
];
const notKept = expect.stringMatching(/^rejected by the database: after its (insert|update), table \S+ holds no row with this key/) as unknown;

function entries(changes: RowChange[] | undefined): RestoreEntry[] {
  return JSON.parse(JSON.stringify((changes ?? []).map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
}

describe('sqlite target with triggers', () => {
  it.each([
    ['a BEFORE INSERT trigger that RAISE(IGNORE)s it', 'CREATE TRIGGER tr BEFORE INSERT ON t WHEN NEW.n = 2 BEGIN SELECT RAISE(IGNORE); END;'],
    ['an AFTER INSERT trigger that deletes it', 'CREATE TRIGGER tr AFTER INSERT ON t WHEN NEW.n = 2 BEGIN DELETE FROM t WHERE email = NEW.email; END;'],
    [
      'an AFTER INSERT trigger that changes its key',
      "CREATE TRIGGER tr AFTER INSERT ON t WHEN NEW.n = 2 BEGIN UPDATE t SET email = 'x' || email WHERE email = NEW.email; END;",
    ],
  ])('a row %s is its reject, undone with what the trigger did, and the rest are written', async (_, trigger) => {
    const { connection, raw } = await store(`CREATE TABLE t (email TEXT PRIMARY KEY, n INT); CREATE TABLE audit (email TEXT); ${trigger}
      CREATE TRIGGER au AFTER INSERT ON t BEGIN INSERT INTO audit VALUES (NEW.email); END;`);
    const out = await connection.writeBatch(batch(rows));
    expect(out.inserted).toBe(2);
    expect(out.rejects).toEqual([{ row: 2, errors: [{ code: 'INVALID_TYPE', path: '', message: notKept }] }]);
    expect(raw.prepare('SELECT email, n FROM t ORDER BY email').all()).toEqual([
      { email: 'a', n: 1 },
      { email: 'c', n: 3 },
    ]);
    expect(raw.prepare('SELECT email FROM audit ORDER BY email').all()).toEqual([{ email: 'a' }, { email: 'c' }]);
  });

  it('an upsert whose BEFORE UPDATE trigger RAISE(IGNORE)s it is that row’s reject, not an update', async () => {
    const { connection, raw } = await store(`CREATE TABLE t (email TEXT PRIMARY KEY, n INT); INSERT INTO t VALUES ('a', 0), ('b', 0);
      CREATE TRIGGER tr BEFORE UPDATE ON t WHEN NEW.n = 2 BEGIN SELECT RAISE(IGNORE); END;`);
    const out = await connection.writeBatch(batch(rows.slice(0, 2), { upsert: true }));
    expect(out).toMatchObject({ inserted: 0, updated: 1, rejects: [{ row: 2, errors: [{ code: 'INVALID_TYPE', message: notKept }] }] });
    expect(raw.prepare('SELECT email, n FROM t ORDER BY email').all()).toEqual([
      { email: 'a', n: 1 },
      { email: 'b', n: 0 },
    ]);
  });

  it('a users VIEW whose INSTEAD OF trigger writes nothing for a row rejects that row', async () => {
    const { connection, raw } = await store(
      `CREATE TABLE base (email TEXT PRIMARY KEY, n INT); CREATE VIEW users AS SELECT email, n FROM base;
       CREATE TRIGGER vi INSTEAD OF INSERT ON users WHEN NEW.n <> 2 BEGIN INSERT INTO base VALUES (NEW.email, NEW.n); END;`,
      'users',
    );
    const out = await connection.writeBatch(batch(rows));
    expect(out.inserted).toBe(2);
    expect(out.rejects).toEqual([{ row: 2, errors: [{ code: 'INVALID_TYPE', path: '', message: notKept }] }]);
    expect(raw.prepare('SELECT email FROM base ORDER BY email').all()).toEqual([{ email: 'a' }, { email: 'c' }]);
  });

  it('a trigger’s RAISE(ROLLBACK) fails the batch, not retried, and leaves none of it written (no marker either)', async () => {
    const { connection, raw } = await store(
      `CREATE TABLE t (email TEXT PRIMARY KEY, n INT); CREATE TRIGGER tr BEFORE INSERT ON t WHEN NEW.n = 2 BEGIN SELECT RAISE(ROLLBACK, 'no twos'); END;`,
    );
    const failure = await connection.writeBatch(batch(rows)).then(
      () => undefined,
      (err: unknown) => err as { message: string; retryable: boolean },
    );
    expect(failure?.message).toMatch(/a trigger on table t ended the batch's transaction \(RAISE\(ROLLBACK\)\): no twos/);
    expect(failure?.retryable).toBe(false);
    expect(raw.prepare('SELECT * FROM t').all()).toEqual([]);
    expect(raw.prepare('SELECT * FROM ferry_batches').all()).toEqual([]);
  });

  it('records a row an AFTER trigger changed as stored, so the rollback finds it unchanged and deletes it', async () => {
    const { connection, raw } = await store(
      `CREATE TABLE t (email TEXT PRIMARY KEY, n INT); CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET n = n * 10 WHERE email = NEW.email; END;`,
    );
    const out = await connection.writeBatch(batch([{ email: 'a', n: 1 }]));
    expect(raw.prepare('SELECT email, n FROM t').all()).toEqual([{ email: 'a', n: 10 }]);
    const restored = await connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: entries(out.changes), force: false });
    expect(restored).toEqual({ restored: 0, deleted: 1, changed: [], replayed: false });
    expect(raw.prepare('SELECT * FROM t').all()).toEqual([]);
  });

  it('says a deferred foreign key refused the batch at commit, naming the table; nothing written, not retried', async () => {
    const { connection, raw } = await store(
      'CREATE TABLE org (id INTEGER PRIMARY KEY); INSERT INTO org VALUES (1); CREATE TABLE t (email TEXT PRIMARY KEY, n INT REFERENCES org (id) DEFERRABLE INITIALLY DEFERRED);',
    );
    const failure = await connection.writeBatch(batch(rows.slice(0, 2))).then(
      () => undefined,
      (err: unknown) => err as { message: string; retryable: boolean },
    );
    expect(failure?.message).toMatch(/FOREIGN KEY constraint failed, found when the batch committed: a DEFERRABLE INITIALLY DEFERRED foreign key of table t/);
    expect(failure?.retryable).toBe(false);
    expect(raw.prepare('SELECT * FROM t').all()).toEqual([]);
    // An immediate one is the row's reject, the rest written.
    raw.exec('CREATE TABLE u (email TEXT PRIMARY KEY, n INT REFERENCES org (id))');
    const immediate = await sqliteConnection.open({ driver: 'sqlite', path: 's.db', table: 'u' }, { baseDir: dirname(raw.name) });
    try {
      const out = await immediate.writeBatch(batch(rows.slice(0, 2)));
      expect(out).toMatchObject({
        inserted: 1,
        rejects: [{ row: 2, errors: [{ code: 'INVALID_TYPE', message: 'rejected by the database: FOREIGN KEY constraint failed' }] }],
      });
    } finally {
      await immediate.close();
    }
  });
});

describe('sqlite target with generated columns', () => {
  const ddl = 'CREATE TABLE t (email TEXT PRIMARY KEY, n INT, twice INT GENERATED ALWAYS AS (n * 2) VIRTUAL, thrice INT GENERATED ALWAYS AS (n * 3) STORED);';

  it('rejects a row giving a generated column a value, saying the database computes it', async () => {
    const { connection, raw } = await store(ddl);
    const out = await connection.writeBatch(
      batch([
        { email: 'a', n: 1, twice: 5 },
        { email: 'b', n: 2, thrice: 7 },
        { email: 'c', n: 3 },
      ]),
    );
    const computed = (column: string) => ({
      code: 'UNKNOWN_FIELD',
      path: column,
      message: `${column} is a generated column of table t: the database computes it, so nothing may write it. Leave it out of the pipeline's columns`,
    });
    expect(out).toMatchObject({
      inserted: 1,
      rejects: [
        { row: 1, errors: [computed('twice')] },
        { row: 2, errors: [computed('thrice')] },
      ],
    });
    expect(raw.prepare('SELECT * FROM t').all()).toEqual([{ email: 'c', n: 3, twice: 6, thrice: 9 }]);
  });

  it('rolls back an upsert over them: the stored columns are put back, the generated ones computed again', async () => {
    const { connection, raw } = await store(`${ddl} INSERT INTO t (email, n) VALUES ('a', 1);`);
    const out = await connection.writeBatch(
      batch(
        [
          { email: 'a', n: 10 },
          { email: 'b', n: 2 },
        ],
        { upsert: true },
      ),
    );
    expect(out).toMatchObject({ inserted: 1, updated: 1, rejects: [] });
    const restored = await connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: entries(out.changes), force: false });
    expect(restored).toEqual({ restored: 1, deleted: 1, changed: [], replayed: false });
    expect(raw.prepare('SELECT * FROM t').all()).toEqual([{ email: 'a', n: 1, twice: 2, thrice: 3 }]);
  });
});

describe('sqlite source that is a view', () => {
  it('says a view has no rowid to page by, instead of SQLite’s “no such column: rowid”', async () => {
    const { connection } = await store('CREATE TABLE base (email TEXT, n INT); CREATE VIEW v AS SELECT email, n FROM base;', 'v');
    await expect(connection.planPages({ query: '*', size: 10 })).rejects.toThrow(/v is a view: it has no rowid or primary key for an export to read it by/);
  });
});

describe('sqlite rollback over triggers and foreign keys', () => {
  const failureOf = (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      (err: unknown) => err as { message: string; retryable: boolean },
    );

  it('fails, naming the row, where a trigger RAISE(IGNORE)s its delete, instead of counting the row deleted', async () => {
    const { connection, raw } = await store(
      'CREATE TABLE t (email TEXT PRIMARY KEY, n INT); CREATE TRIGGER tr BEFORE DELETE ON t WHEN OLD.n = 2 BEGIN SELECT RAISE(IGNORE); END;',
    );
    const out = await connection.writeBatch(batch(rows.slice(0, 2)));
    const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: entries(out.changes), force: false }));
    expect(failure?.message).toMatch(/row 2 email="b": after the rollback's delete, table t still holds it: a trigger on it undid the delete/);
    expect(failure?.retryable).toBe(false);
    expect(raw.prepare('SELECT email FROM t ORDER BY email').all()).toEqual([{ email: 'a' }, { email: 'b' }]);
  });

  it('names the row a foreign key of another table keeps from being deleted; nothing of the batch restored', async () => {
    const { connection, raw } = await store('CREATE TABLE t (email TEXT PRIMARY KEY, n INT); CREATE TABLE child (e TEXT REFERENCES t (email));');
    const out = await connection.writeBatch(batch(rows.slice(0, 2)));
    raw.exec("INSERT INTO child VALUES ('b')");
    const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: entries(out.changes), force: false }));
    expect(failure?.message).toMatch(/row 2 email="b": table t refused to have it put back: FOREIGN KEY constraint failed/);
    expect(raw.prepare('SELECT email FROM t ORDER BY email').all()).toEqual([{ email: 'a' }, { email: 'b' }]);
  });
});
