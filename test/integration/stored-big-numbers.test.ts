import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { rawClient } from '../helpers/postgres-raw.js';

/**
 * Numbers PostgreSQL holds exactly (jsonb, numeric) beyond what a double keeps: an export or a
 * migration that reads them writes them exactly, or rejects the row at the number's path when its
 * mapping reads it; never the nearest double in their place.
 */
describePostgres('stored numbers beyond ±2^53 in exports and migrations', () => {
  const server = usePostgresServer({ passwordEnv: 'FERRY_TEST_BIG_PG' });
  let project: TestProject;
  afterEach(() => project?.cleanup());

  async function setup(): Promise<void> {
    project = new TestProject();
    const database = await server().createDatabase();
    const client = await rawClient(server().url(database));
    try {
      await client.query(`
        CREATE TABLE crm_users (id int PRIMARY KEY, email text NOT NULL, meta jsonb, prefs json, balance numeric(40,2));
        INSERT INTO crm_users VALUES
          (1, 'big@x.io', '{"tw": 12345678901234567890123, "plan": "pro"}', '{"n": 9007199254740993}', 12345678901234567890.12),
          (2, 'small@x.io', '{"tw": 42, "plan": "free"}', '{"n": 1}', 1.5)`);
    } finally {
      await client.end();
    }
    const url = `postgres://${server().user}:\${FERRY_TEST_BIG_PG}@127.0.0.1:${server().port}/${database}`;
    project.write(
      'ferry.yaml',
      `connections:\n  users: { driver: sqlite, path: .ferry/users.db, table: users }\n  crm: { driver: postgres, url: "${url}", table: crm_users }\n`,
    );
  }

  function run(pipeline: string): { report: JobReportJson; rejects: { row: number; errors: { code: string; path: string; message: string }[] }[] } {
    const result = runFerry(['run', pipeline, '--json'], { cwd: project.dir });
    expect(result.stdout + result.stderr).not.toContain(server().password);
    const report = JSON.parse(result.stdout) as JobReportJson;
    const file = report.artifacts.rejects;
    const rejects = file
      ? readFileSync(join(project.dir, file), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as never)
      : [];
    return { report, rejects };
  }

  it('exports a numeric exactly and rejects a row whose mapped JSON holds a number a double would round', async () => {
    await setup();
    project.write(
      'pipelines/export.yaml',
      "name: export\nsource: { connection: crm, query: '*', sort: { by: id } }\ntarget: { file: ../out/users.ndjson }\ncolumns: { email: email, meta: meta, balance: balance }\n",
    );
    const { report, rejects } = run('pipelines/export.yaml');
    expect(report.summary).toMatchObject({ total: 2, exported: 1, rejected: 1 });
    expect(rejects).toEqual([
      expect.objectContaining({
        row: 1,
        errors: [expect.objectContaining({ code: 'FORMAT', path: 'meta.tw', message: expect.stringContaining('12345678901234567890123') })],
      }),
    ]);
    expect(readFileSync(join(project.dir, 'out/users.ndjson'), 'utf8')).toBe('{"email":"small@x.io","meta":{"tw":42,"plan":"free"},"balance":1.5}\n');

    // A mapping that never reads the big numbers exports the row; the numeric keeps every digit.
    project.write(
      'pipelines/export-plain.yaml',
      "name: export-plain\nsource: { connection: crm, query: '*', sort: { by: id } }\ntarget: { file: ../out/plain.ndjson }\ncolumns: { email: email, balance: balance }\n",
    );
    expect(run('pipelines/export-plain.yaml').report.summary).toMatchObject({ exported: 2, rejected: 0 });
    expect(readFileSync(join(project.dir, 'out/plain.ndjson'), 'utf8')).toBe(
      '{"email":"big@x.io","balance":"12345678901234567890.12"}\n{"email":"small@x.io","balance":1.5}\n',
    );
  });

  it('rejects a migrated row whose mapped JSON holds such a number, and writes the others', async () => {
    await setup();
    project.write(
      'pipelines/migrate.yaml',
      "name: migrate\nsource: { connection: crm, query: '*', sort: { by: id } }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, user_metadata: prefs }\n",
    );
    const { report, rejects } = run('pipelines/migrate.yaml');
    expect(report.summary).toMatchObject({ total: 2, inserted: 1, rejected: 1 });
    expect(rejects).toEqual([expect.objectContaining({ row: 1, errors: [expect.objectContaining({ code: 'FORMAT', path: 'prefs.n' })] })]);
    expect(project.rows('SELECT email, user_metadata FROM users')).toEqual([{ email: 'small@x.io', user_metadata: '{"n":1}' }]);
  });

  it('reads JSON text of the SQLite store the same way', async () => {
    project = new TestProject();
    project.write('data/users.ndjson', '{"email":"big@x.io","user_metadata":{"tw":"1"}}\n{"email":"small@x.io","user_metadata":{"tw":2}}\n');
    project.write('pipelines/import.yaml', 'name: import\nsource: { file: ../data/users.ndjson }\ntarget: { connection: users, key: [email] }\n');
    expect(project.run('pipelines/import.yaml').report.summary).toMatchObject({ inserted: 2 });
    // Another writer stores a number beyond 2^53 in the JSON text.
    const db = new Database(join(project.dir, '.ferry/users.db'));
    db.prepare("UPDATE users SET user_metadata = '{\"tw\":12345678901234567891}' WHERE email = 'big@x.io'").run();
    db.close();
    project.write(
      'pipelines/export.yaml',
      "name: export\nsource: { connection: users, query: '*', sort: { by: email } }\ntarget: { file: ../out/users.ndjson }\ncolumns: { email: email, tw: user_metadata.tw }\n",
    );
    const { report, rejects } = run('pipelines/export.yaml');
    expect(report.summary).toMatchObject({ exported: 1, rejected: 1 });
    expect(rejects).toEqual([expect.objectContaining({ row: 1, errors: [expect.objectContaining({ code: 'FORMAT', path: 'user_metadata.tw' })] })]);
    expect(readFileSync(join(project.dir, 'out/users.ndjson'), 'utf8')).toBe('{"email":"small@x.io","tw":2}\n');
  });
});

/**
 * The same numbers in the SQLite store's JSON text (another writer put them there): an upsert
 * never rewrites them rounded by merging into their document, and a rollback puts them back exactly.
 */
describe('stored numbers beyond ±2^53 in a SQLite store', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());
  const big = '{"tw":12345678901234567891,"plan":"pro"}';

  function seeded(): void {
    p = new TestProject();
    p.write('seed.ndjson', '{"email":"a@x.io"}\n{"email":"b@x.io"}\n');
    p.write('seed.yaml', 'source: { file: seed.ndjson }\ntarget: { connection: users, key: [email] }\n');
    expect(p.run('seed.yaml').report.summary).toMatchObject({ inserted: 2 });
    const db = new Database(join(p.dir, '.ferry/users.db'));
    db.prepare('UPDATE users SET user_metadata = ? WHERE email = ?').run(big, 'a@x.io');
    db.close();
    p.write('users.ndjson', '{"email":"a@x.io","user_metadata":{"y":1}}\n{"email":"b@x.io","user_metadata":{"y":2}}\n');
  }

  const metadataOf = (email: string): unknown => p.rows(`SELECT user_metadata FROM users WHERE email = '${email}'`)[0]?.['user_metadata'];

  it('an upsert that would merge into such a document rejects its row, naming the digits, and leaves it as stored', () => {
    seeded();
    p.write('merge.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users, key: [email], upsert: true, metadata: merge }\n');
    const { report } = p.run('merge.yaml');
    expect(report.summary).toMatchObject({ total: 2, updated: 1, rejected: 1 });
    expect(p.rejects(report).map((r) => [r.row, r.errors])).toEqual([
      [
        1,
        [{ code: 'FORMAT', path: 'user_metadata.tw', message: expect.stringContaining('is 12345678901234567891, beyond ±2^53: a merge would write it back') }],
      ],
    ]);
    expect(metadataOf('a@x.io')).toBe(big);
    expect(metadataOf('b@x.io')).toBe('{"y":2}');
  });

  it('a rollback of a replace puts such a document back digit for digit', () => {
    seeded();
    p.write('replace.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users, key: [email], upsert: true, metadata: replace }\n');
    const { report } = p.run('replace.yaml');
    expect(report.summary).toMatchObject({ updated: 2, rejected: 0 });
    expect(metadataOf('a@x.io')).toBe('{"y":1}');
    expect(p.ferry('jobs', 'rollback', report.job).code).toBe(0);
    expect(metadataOf('a@x.io')).toBe(big);
    expect(metadataOf('b@x.io')).toBe(null);
  });
});
