import { expect, it } from 'vitest';
import type { Connection, RestoreEntry } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/** Target tables another tool made, with types and triggers the built-in table never has. */
describePostgres('postgres hostile tables', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');
  const connect = async (ddl: string): Promise<Connection> => {
    await db.raw.query(ddl);
    const connection = await db.connect('t');
    await connection.columns();
    return connection;
  };
  const stored = async (): Promise<unknown[]> => (await db.raw.query('SELECT * FROM t ORDER BY email')).rows;

  it('stores char(n) and bit(n) values whole, and rejects one longer than the column, never cut to its first character', async () => {
    const connection = await connect(
      'CREATE DOMAIN c3 AS char(3); CREATE TABLE t (email text PRIMARY KEY, ch char(5), b bit(3), d c3, ca char(4)[], ba bit(2)[])',
    );
    const out = await connection.writeBatch(
      batch([
        { email: 'a', ch: 'abcde', b: '101', d: 'xyz', ca: ['abcd', 'ab'], ba: ['10', '01'] },
        { email: 'b', ch: 'abcdefg' },
        { email: 'c', d: 'wxyz' },
        { email: 'd', ca: ['abcdef'] },
        { email: 'e', b: '1' },
        { email: 'f', ch: 'ab' },
      ]),
    );
    expect(out.inserted).toBe(2);
    expect(out.rejects.map((r) => [r.row, r.errors.map((e) => [e.code, e.path, e.message])])).toEqual([
      [2, [['INVALID_TYPE', 'ch', 'rejected by the database: value too long for type character(5)']]],
      [3, [['INVALID_TYPE', 'd', 'rejected by the database: value too long for type character(3)']]],
      [4, [['INVALID_TYPE', 'ca', 'rejected by the database: value too long for type character(4)']]],
      [5, [['INVALID_TYPE', 'b', 'rejected by the database: bit string length 1 does not match type bit(3)']]],
    ]);
    expect(await stored()).toEqual([
      { email: 'a', ch: 'abcde', b: '101', d: 'xyz', ca: ['abcd', 'ab  '], ba: '{10,01}' },
      { email: 'f', ch: 'ab   ', b: null, d: null, ca: null, ba: null },
    ]);
    // The same values again: unchanged, not an update of every row.
    const again = await connection.writeBatch(
      batch(
        [
          { email: 'a', ch: 'abcde', b: '101', d: 'xyz' },
          { email: 'f', ch: 'ab' },
        ],
        { job: 'job-2', upsert: true },
      ),
    );
    expect(again).toMatchObject({ unchanged: 2, updated: 0, rejects: [] });
  });

  const afterInsert = (body: string) => `CREATE TABLE t (email text PRIMARY KEY, n int);
    CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NULL; END $$;
    CREATE TRIGGER tr AFTER INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();`;
  const rows = [
    { email: 'a', n: 1 },
    { email: 'b', n: 2 },
    { email: 'c', n: 3 },
  ];

  it.each([
    ['deletes', 'IF NEW.n = 2 THEN DELETE FROM t WHERE email = NEW.email; END IF'],
    ['changes the key of', "IF NEW.n = 2 AND NEW.email NOT LIKE 'x%' THEN UPDATE t SET email = 'x' || email WHERE email = NEW.email; END IF"],
  ])('fails a batch an AFTER trigger %s a written row of, not retryable, naming the table; nothing of it is written', async (_, body) => {
    const connection = await connect(afterInsert(body));
    const failure = await connection.writeBatch(batch(rows)).then(
      () => undefined,
      (err: unknown) => err as { message: string; retryable: boolean },
    );
    expect(failure?.message).toMatch(
      /1 of the \d rows written are not in public\.t by their key once written: an AFTER trigger \(or a rule\) on it deleted them or changed their key/,
    );
    expect(failure?.retryable).toBe(false);
    expect(await stored()).toEqual([]);
  });

  it('records a row an AFTER trigger changed as stored (insert and upsert), so the rollback finds it unchanged and puts it back', async () => {
    const connection = await connect(
      `${afterInsert('IF NEW.n < 100 AND NEW.n > 0 THEN UPDATE t SET n = NEW.n * 100 WHERE email = NEW.email; END IF')} INSERT INTO t VALUES ('b', 0)`,
    );
    expect(await stored()).toEqual([{ email: 'b', n: 0 }]);
    const out = await connection.writeBatch(batch([rows[0]!, rows[1]!], { upsert: true }));
    expect(out).toMatchObject({ inserted: 1, updated: 1, rejects: [] });
    expect(await stored()).toEqual([
      { email: 'a', n: 100 },
      { email: 'b', n: 200 },
    ]);
    const entries = JSON.parse(JSON.stringify(out.changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
    const restored = await connection.restoreBatch({ job: 'rollback-1', batch: 1, entries, force: false });
    expect(restored).toMatchObject({ deleted: 1, restored: 1, changed: [] });
    expect(await stored()).toEqual([{ email: 'b', n: 0 }]);
  });

  it('writes a table whose AFTER trigger keeps the rows as written (an audit), whole batches at once', async () => {
    const connection = await connect(`CREATE TABLE audit (email text); ${afterInsert('INSERT INTO audit VALUES (NEW.email)')}`);
    expect(await connection.writeBatch(batch(rows))).toMatchObject({ inserted: 3, rejects: [] });
    expect(
      await connection.writeBatch(
        batch(
          rows.map((r) => ({ ...r, n: r.n + 10 })),
          { job: 'job-2', upsert: true },
        ),
      ),
    ).toMatchObject({ updated: 3, rejects: [] });
    expect((await db.raw.query('SELECT count(*)::int AS n FROM audit')).rows).toEqual([{ n: 6 }]);
  });

  const failureOf = (write: Promise<unknown>) =>
    write.then(
      () => undefined,
      (err: unknown) => err as { message: string; retryable: boolean },
    );

  it.each([
    [
      'unique',
      'CREATE TABLE t (email text PRIMARY KEY, n int UNIQUE DEFERRABLE INITIALLY DEFERRED)',
      [
        { email: 'a', n: 1 },
        { email: 'b', n: 1 },
      ],
    ],
    [
      'foreign key',
      'CREATE TABLE org (id int PRIMARY KEY); CREATE TABLE t (email text PRIMARY KEY, n int REFERENCES org (id) DEFERRABLE INITIALLY DEFERRED)',
      [{ email: 'a', n: 1 }],
    ],
  ])('says a deferred %s constraint refused the batch at commit, naming the table, and what to change; nothing written', async (_, ddl, values) => {
    const connection = await connect(ddl);
    const failure = await failureOf(connection.writeBatch(batch(values)));
    expect(failure?.message).toMatch(/found when the batch committed: a DEFERRABLE INITIALLY DEFERRED constraint of public\.t is checked then/);
    expect(failure?.retryable).toBe(false);
    expect(await stored()).toEqual([]);
  });

  it('says a DO INSTEAD rule is why the table takes no write, not that its columns changed', async () => {
    const connection = await connect(
      'CREATE TABLE t (email text PRIMARY KEY, n int); CREATE TABLE other (email text, n int); CREATE RULE r AS ON INSERT TO t DO INSTEAD INSERT INTO other VALUES (NEW.email, NEW.n)',
    );
    const failure = await failureOf(connection.writeBatch(batch(rows)));
    expect(failure?.message).toMatch(/Hint: the table has a DO INSTEAD rule/);
    expect(failure?.message).not.toMatch(/columns changed/);
  });

  it.each([
    ['DELETE', 'an inserted row', []],
    ['UPDATE', 'an updated row', [{ email: 'b', n: 0 }]],
  ])('fails a rollback whose %s a trigger skips (RETURN NULL), instead of counting %s put back; nothing restored', async (verb, _, seed) => {
    const connection = await connect(`CREATE TABLE t (email text PRIMARY KEY, n int);
      CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF OLD.n = 2 THEN RETURN NULL; END IF; RETURN COALESCE(NEW, OLD); END $$;
      CREATE TRIGGER tr BEFORE ${verb} ON t FOR EACH ROW EXECUTE FUNCTION f();`);
    for (const row of seed) await db.raw.query('INSERT INTO t VALUES ($1, $2)', [row.email, row.n]);
    const out = await connection.writeBatch(batch([rows[0]!, rows[1]!], { upsert: true }));
    const entries = JSON.parse(JSON.stringify(out.changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash })))) as RestoreEntry[];
    const before = await stored();
    const failure = await failureOf(connection.restoreBatch({ job: 'rollback-1', batch: 1, entries, force: false }));
    expect(failure?.message).toMatch(
      new RegExp(`a BEFORE ${verb} trigger on public\\.t that returns NULL \\(or a rule\\) skipped the others, so nothing of this batch was restored`),
    );
    expect(failure?.retryable).toBe(false);
    expect(await stored()).toEqual(before);
  });
});
