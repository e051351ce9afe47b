import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/**
 * A mapping that names a generated column: the database computes it, so no job can write it.
 * SQLite's column list leaves such columns out (validate said "has no column"), PostgreSQL's keeps
 * them (validate said nothing, and the job failed at its first batch): both now say what it is, at
 * the column's place in the pipeline, and `run` stops there.
 */
const pipeline = 'source: { file: users.csv }\ntarget: { connection: crm }\ncolumns:\n  email: email\n  full_name: name\n';
const expected = 'pipelines/import.yaml:5:3 columns.full_name: full_name is a generated column of table people';

function expectRefused(p: TestProject): void {
  const r = p.ferry('validate');
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(`${expected}: the database computes it, so nothing may write it. Leave it out of the pipeline's columns`);
  expect(r.stdout).not.toContain('has no column');
  const run = p.ferry('run', 'pipelines/import.yaml');
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toContain(expected);
}

describe('validate names a mapped generated column (SQLite)', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it.each(['VIRTUAL', 'STORED'])('%s: refused at its mapping, and nothing is written', (kind) => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  crm: { driver: sqlite, path: crm.db, table: people }\n');
    const db = new Database(join(p.dir, 'crm.db'));
    db.exec(`CREATE TABLE people (email TEXT PRIMARY KEY, first TEXT, full_name TEXT GENERATED ALWAYS AS (upper(first)) ${kind})`);
    db.close();
    p.write('pipelines/users.csv', 'email,name\na@x.io,Ann\n');
    p.write('pipelines/import.yaml', pipeline);
    expectRefused(p);
    expect(p.rows('SELECT count(*) AS n FROM people', 'crm.db')).toEqual([{ n: 0 }]);
  });

  it('a plain column beside a generated one still maps', () => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  crm: { driver: sqlite, path: crm.db, table: people }\n');
    const db = new Database(join(p.dir, 'crm.db'));
    db.exec(`CREATE TABLE people (email TEXT PRIMARY KEY, first TEXT, full_name TEXT GENERATED ALWAYS AS (upper(first)) VIRTUAL)`);
    db.close();
    p.write('pipelines/users.csv', 'email,name\na@x.io,Ann\n');
    p.write('pipelines/import.yaml', pipeline.replace('full_name: name', 'first: name'));
    expect(p.ferry('validate')).toMatchObject({ code: 0, stdout: 'ok pipelines/import.yaml\n' });
  });
});

describePostgres('validate names a mapped generated column (PostgreSQL)', () => {
  const server = usePostgresServer({ passwordEnv: 'FERRY_TEST_GENERATED_PW' });
  let database = '';
  let p: TestProject;
  beforeAll(async () => {
    database = await server().createDatabase();
    const raw = await rawClient(server().url(database));
    await raw.query(`CREATE TABLE people (email text PRIMARY KEY, first text, full_name text GENERATED ALWAYS AS (upper(first)) STORED)`);
    await raw.end();
  });
  afterEach(() => p?.cleanup());

  it('refused at its mapping before the job starts', () => {
    p = new TestProject();
    const url = `postgres://${server().user}:\${FERRY_TEST_GENERATED_PW}@127.0.0.1:${server().port}/${database}`;
    p.write('ferry.yaml', `connections:\n  crm: { driver: postgres, url: "${url}", table: people }\n`);
    p.write('pipelines/users.csv', 'email,name\na@x.io,Ann\n');
    p.write('pipelines/import.yaml', pipeline);
    expectRefused(p);
  });
});
