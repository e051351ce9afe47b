import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerryAsync } from '../helpers/cli.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/**
 * A source reads a table that is there: an export of a misspelled table created an empty built-in
 * users table of that name in the store (a write, from a job that only reads) and succeeded with
 * 0 users exported. Now validate says so at the pipeline, the run fails, and nothing is created.
 */
const exportOf = (table: string) => ({ name: 'exp', source: { connection: 'users', table }, target: { file: 'out/users.csv' } });

describe('a source table that does not exist (SQLite)', () => {
  let p: TestProject | undefined;
  afterEach(() => p?.cleanup());

  function project(): TestProject {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: store.db, table: users }\n');
    const db = new Database(join(p.dir, 'store.db'));
    db.exec("CREATE TABLE users (user_id TEXT PRIMARY KEY, email TEXT); INSERT INTO users VALUES ('u1', 'a@x.io')");
    db.close();
    return p;
  }

  const tables = (p: TestProject) => p.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name", 'store.db').map((r) => r['name']);

  it('is refused by validate, at the pipeline, naming the table', () => {
    const p = project();
    p.write('export.yaml', exportOf('userz'));
    const result = p.ferry('validate', 'export.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/export\.yaml:\d+:\d+ .*table userz does not exist in .*store\.db/);
    expect(tables(p)).not.toContain('userz');
  });

  it('fails the run without creating the table or an output', () => {
    const p = project();
    p.write('export.yaml', exportOf('userz'));
    const result = p.ferry('run', 'export.yaml');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('table userz does not exist');
    expect(tables(p)).not.toContain('userz');
    expect(existsSync(join(p.dir, 'out', 'users.csv'))).toBe(false);
  });

  it('passes validate when the store is not made yet (a fresh clone), and fails its run without making the store', () => {
    const p = project();
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: data/elsewhere.db, table: users }\n');
    p.write('export.yaml', exportOf('users'));
    expect(p.ferry('validate', 'export.yaml').code).toBe(0);
    const result = p.ferry('run', 'export.yaml');
    expect(result.code).not.toBe(0);
    // The run made an empty store (with Ferry's bookkeeping tables), and its folder, before it said so.
    expect(result.stdout).toMatch(/cannot open .*elsewhere\.db: the store file does not exist, and reading creates none/);
    expect(existsSync(join(p.dir, 'data'))).toBe(false);
    expect(existsSync(join(p.dir, 'out', 'users.csv'))).toBe(false);
  });

  it('still exports a table that is there, and an import still creates its missing table', () => {
    const p = project();
    p.write('export.yaml', exportOf('users'));
    const exported = p.run('export.yaml');
    expect(exported.report.summary.exported).toBe(1);
    p.write('people.csv', 'email\nb@x.io\n');
    p.write('import.yaml', { name: 'imp', source: { file: 'people.csv' }, target: { connection: 'users', table: 'people', key: ['email'] } });
    expect(p.run('import.yaml').report.summary.inserted).toBe(1);
    expect(tables(p)).toContain('people');
  });
});

const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('a source table that does not exist (PostgreSQL)', () => {
  const server = usePostgresServer({ passwordEnv });
  let p: TestProject | undefined;
  afterEach(() => p?.cleanup());

  it('is refused by validate and fails the run, creating nothing', async () => {
    const database = await server().createDatabase();
    p = new TestProject();
    const url = `postgres://${server().user}:\${${passwordEnv}}@127.0.0.1:${server().port}/${database}`;
    p.write('ferry.yaml', `connections:\n  users: { driver: postgres, url: "${url}", table: users, pool: 1 }\n`);
    p.write('export.yaml', exportOf('userz'));
    const env = { [passwordEnv]: server().password };
    const validated = await runFerryAsync(['validate', 'export.yaml'], { cwd: p.dir, env });
    expect(validated.code).toBe(1);
    expect(validated.stdout + validated.stderr).toMatch(/export\.yaml:\d+:\d+ .*table userz does not exist in the PostgreSQL database/);
    const run = await runFerryAsync(['run', 'export.yaml'], { cwd: p.dir, env });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('table userz does not exist');
    const db = await rawClient(server().url(database));
    try {
      const found = await db.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'userz'");
      expect(found.rows[0]).toEqual({ n: 0 });
    } finally {
      await db.end();
    }
    expect(existsSync(join(p.dir, 'out', 'users.csv'))).toBe(false);
  });
});
