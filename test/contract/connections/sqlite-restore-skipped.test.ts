import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Connection, RestoreEntry, RowChange } from '../../../src/connections/types.js';
import { batch } from './contract-harness.js';
import { useForeignSqliteStores } from './foreign-sqlite-store.js';

/**
 * A rollback's step the store did not apply, without an error — a BEFORE trigger's RAISE(IGNORE),
 * a view's INSTEAD OF trigger writing nothing, an ON CONFLICT IGNORE constraint — must fail the
 * batch, never be counted as a row put back.
 */
const store = useForeignSqliteStores();

function entries(changes: RowChange[] | undefined): RestoreEntry[] {
  return JSON.parse(JSON.stringify((changes ?? []).map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
}

const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (err: unknown) => err as { message: string; retryable: boolean },
  );

const all = (raw: Database.Database) => raw.prepare('SELECT email, n FROM t ORDER BY email').all();

/** An upsert over a, b (updated) and c (inserted): the backup a rollback restores. */
async function upserted(connection: Connection): Promise<RestoreEntry[]> {
  const out = await connection.writeBatch(
    batch(
      [
        { email: 'a', n: 10 },
        { email: 'b', n: 20 },
        { email: 'c', n: 30 },
      ],
      { upsert: true },
    ),
  );
  expect(out).toMatchObject({ inserted: 1, updated: 2, rejects: [] });
  return entries(out.changes);
}

describe('sqlite rollback: a step the store skipped fails the batch', () => {
  const table = "CREATE TABLE t (email TEXT PRIMARY KEY, n INT); INSERT INTO t VALUES ('a', 1), ('b', 2);";

  it('a BEFORE UPDATE trigger that RAISE(IGNORE)s the put-back of an updated row', async () => {
    const { connection, raw } = await store(`${table} CREATE TRIGGER tr BEFORE UPDATE ON t WHEN NEW.n = 2 BEGIN SELECT RAISE(IGNORE); END;`);
    const backup = await upserted(connection);
    const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false }));
    expect(failure?.message).toMatch(/row 2 email="b": table t did not apply the rollback's update, without an error/);
    expect(failure?.retryable).toBe(false);
    // Nothing of the batch restored, no marker: the same batch fails again, never counted.
    expect(all(raw)).toEqual([
      { email: 'a', n: 10 },
      { email: 'b', n: 20 },
      { email: 'c', n: 30 },
    ]);
    expect(raw.prepare("SELECT count(*) AS n FROM ferry_batches WHERE job = 'rollback-1'").get()).toEqual({ n: 0 });
  });

  it('a trigger created after the job read the table (its shape says none): the skipped delete is found too', async () => {
    const { connection, raw } = await store(table);
    const backup = await upserted(connection);
    raw.exec('CREATE TRIGGER tr BEFORE DELETE ON t WHEN OLD.n = 30 BEGIN SELECT RAISE(IGNORE); END;');
    const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false }));
    expect(failure?.message).toMatch(
      /row 3 email="c": after the rollback's delete, table t still holds it: a trigger on it undid the delete \(RAISE\(IGNORE\)/,
    );
    expect(all(raw)).toEqual([
      { email: 'a', n: 10 },
      { email: 'b', n: 20 },
      { email: 'c', n: 30 },
    ]);
  });

  it('a UNIQUE … ON CONFLICT IGNORE column whose old value another row took since: refused, naming the row', async () => {
    const { connection, raw } = await store(
      "CREATE TABLE t (email TEXT PRIMARY KEY, n INT UNIQUE ON CONFLICT IGNORE); INSERT INTO t VALUES ('a', 1), ('b', 2);",
    );
    const backup = await upserted(connection);
    raw.exec("INSERT INTO t VALUES ('z', 1)");
    const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false }));
    expect(failure?.message).toMatch(
      /row 1 email="a": table t refused to have it put back: UNIQUE constraint failed: t\.n, so nothing of this batch was restored/,
    );
    expect(all(raw)).toEqual([
      { email: 'a', n: 10 },
      { email: 'b', n: 20 },
      { email: 'c', n: 30 },
      { email: 'z', n: 1 },
    ]);
  });

  it('a BEFORE INSERT trigger that RAISE(IGNORE)s the put-back of a row deleted since (--force)', async () => {
    const { connection, raw } = await store(table);
    const backup = await upserted(connection);
    raw.exec("DELETE FROM t WHERE email = 'a'; CREATE TRIGGER tr BEFORE INSERT ON t BEGIN SELECT RAISE(IGNORE); END;");
    const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: true }));
    expect(failure?.message).toMatch(/row 1 email="a": table t did not apply the rollback's insert, without an error/);
    expect(all(raw)).toEqual([
      { email: 'b', n: 20 },
      { email: 'c', n: 30 },
    ]);
  });

  it('without such a trigger the same rollback puts every row back', async () => {
    const { connection, raw } = await store(`${table} CREATE TRIGGER tr BEFORE UPDATE ON t WHEN NEW.n = 99 BEGIN SELECT RAISE(IGNORE); END;`);
    const backup = await upserted(connection);
    expect(await connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false })).toEqual({
      restored: 2,
      deleted: 1,
      changed: [],
      replayed: false,
    });
    expect(all(raw)).toEqual([
      { email: 'a', n: 1 },
      { email: 'b', n: 2 },
    ]);
  });

  describe('through a view with INSTEAD OF triggers (SQLite counts no change on one)', () => {
    const view = `CREATE TABLE base (email TEXT PRIMARY KEY, n INT); INSERT INTO base VALUES ('a', 1), ('b', 2); CREATE VIEW t AS SELECT email, n FROM base;
      CREATE TRIGGER vi INSTEAD OF INSERT ON t BEGIN INSERT INTO base VALUES (NEW.email, NEW.n); END;
      CREATE TRIGGER vd INSTEAD OF DELETE ON t BEGIN DELETE FROM base WHERE email = OLD.email; END;`;
    const updates = (when: string) => `CREATE TRIGGER vu INSTEAD OF UPDATE ON t ${when} BEGIN UPDATE base SET n = NEW.n WHERE email = OLD.email; END;`;

    it('puts every row back', async () => {
      const { connection, raw } = await store(`${view} ${updates('')}`);
      const backup = await upserted(connection);
      expect(await connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false })).toEqual({
        restored: 2,
        deleted: 1,
        changed: [],
        replayed: false,
      });
      expect(all(raw)).toEqual([
        { email: 'a', n: 1 },
        { email: 'b', n: 2 },
      ]);
    });

    it('fails, naming the row, where the INSTEAD OF UPDATE trigger writes nothing for it', async () => {
      const { connection, raw } = await store(`${view} ${updates('WHEN NEW.n <> 2')}`);
      const backup = await upserted(connection);
      const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false }));
      expect(failure?.message).toMatch(
        /row 2 email="b": table t did not apply the rollback's update, without an error: its INSTEAD OF UPDATE trigger wrote nothing/,
      );
      expect(all(raw)).toEqual([
        { email: 'a', n: 10 },
        { email: 'b', n: 20 },
        { email: 'c', n: 30 },
      ]);
    });
  });

  describe('a key another writer gave a second row since (a table whose key is not unique)', () => {
    /** An upsert inserting a@x.io and updating b@x.io; then another tool adds a row with each key, another case. */
    async function twoRowsPerKey(): Promise<{ raw: Database.Database; connection: Connection; backup: RestoreEntry[] }> {
      const { connection, raw } = await store("CREATE TABLE t (email TEXT, n INT); INSERT INTO t VALUES ('b@x.io', 5);");
      const out = await connection.writeBatch(
        batch(
          [
            { email: 'a@x.io', n: 1 },
            { email: 'b@x.io', n: 6 },
          ],
          { upsert: true },
        ),
      );
      expect(out).toMatchObject({ inserted: 1, updated: 1 });
      raw.exec("INSERT INTO t VALUES ('A@X.IO', 2), ('B@X.IO', 7)");
      return { raw, connection, backup: entries(out.changes) };
    }
    const untouched = [
      { email: 'A@X.IO', n: 2 },
      { email: 'B@X.IO', n: 7 },
      { email: 'a@x.io', n: 1 },
      { email: 'b@x.io', n: 6 },
    ];

    it('is reported changed since, and neither row is touched (the check finds it too)', async () => {
      const { raw, connection, backup } = await twoRowsPerKey();
      const changed = [
        { row: 1, key: { email: 'a@x.io' }, reason: 'changed' },
        { row: 2, key: { email: 'b@x.io' }, reason: 'changed' },
      ];
      expect(await connection.restoreBatch({ job: 'rollback-0', batch: 0, entries: backup, force: false, check: true })).toMatchObject({ changed });
      expect(await connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: false })).toEqual({
        restored: 0,
        deleted: 0,
        changed,
        replayed: false,
      });
      expect(raw.prepare('SELECT email, n FROM t ORDER BY email').all()).toEqual(untouched);
    });

    it('with --force fails the batch naming the row, instead of deleting or overwriting the other writer’s row', async () => {
      const { raw, connection, backup } = await twoRowsPerKey();
      const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries: backup, force: true }));
      expect(failure?.message).toMatch(/row 1 email="a@x\.io": table t holds more than one row with this key now/);
      expect(failure?.retryable).toBe(false);
      expect(raw.prepare('SELECT email, n FROM t ORDER BY email').all()).toEqual(untouched);
    });
  });
});
