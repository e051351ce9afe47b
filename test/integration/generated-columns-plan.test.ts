import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionPool, createActivities } from '../../activities/index.js';
import { buildJobPlan } from '../../src/plan/job-plan.js';
import { SecretMasker } from '../../src/spec/secrets.js';
import type { Pipeline } from '../../src/spec/pipeline-schema.js';
import { tempDir } from '../helpers/cli.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/**
 * A mapping that names a GENERATED column of the target table: the database computes it, so the
 * job is refused at planning, saying so — not "table t has no column twice" (SQLite lists no
 * generated column), nor a job whose every row the server refuses (PostgreSQL lists them).
 */
describe('planning a job whose mapping names a generated column of a SQLite table', () => {
  let dir: string;
  let cleanup: () => void;
  let pool: ConnectionPool;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    writeFileSync(join(dir, 'u.json'), JSON.stringify([{ email: 'a@example.com', n: 1 }]));
    const db = new Database(join(dir, 's.db'));
    db.exec('CREATE TABLE t (email TEXT PRIMARY KEY, n INT, twice INT GENERATED ALWAYS AS (n * 2) VIRTUAL, thrice INT GENERATED ALWAYS AS (n * 3) STORED)');
    db.close();
    pool = new ConnectionPool({ users: { driver: 'sqlite', path: 's.db', table: 't' } }, dir);
  });
  afterEach(async () => {
    await pool.closeAll();
    cleanup();
  });

  const plan = (columns: Record<string, string>) =>
    buildJobPlan(
      {
        source: { file: 'u.json' },
        target: { connection: 'users', key: ['email'], upsert: false, metadata: 'merge' },
        validate: { schema: 'none', rules: [] },
        columns,
      } as unknown as Pipeline,
      {
        jobId: 'job-1',
        pipeline: 'p',
        pipelineFile: join(dir, 'p.yaml'),
        pipelineHash: 'h',
        startedAt: '2026-01-01T00:00:00.000Z',
        jobDir: join(dir, 'jobs', 'job-1'),
        sourcePath: join(dir, 'u.json'),
        sourceFormat: 'json',
      },
    );
  const planned = (columns: Record<string, string>) =>
    createActivities({ connections: {}, baseDir: dir, masker: new SecretMasker(), pool }).planJob({ plan: plan(columns) });

  it.each([
    [{ email: 'email', n: 'n', twice: 'n' }, /twice is a generated column of table t: the database computes it, so nothing may write it\. Hint: leave it out/],
    [
      { email: 'email', twice: 'n', thrice: 'n' },
      /twice, thrice are generated columns of table t: the database computes them, so nothing may write them\. Hint: leave them out/,
    ],
  ])('%j is refused, saying the column is generated', async (columns, message) => {
    await expect(planned(columns)).rejects.toThrow(message);
  });

  it('a column that is neither is still said to be missing', async () => {
    await expect(planned({ email: 'email', nope: 'n' })).rejects.toThrow(/table t has no column nope/);
  });

  it('a mapping of the stored columns only plans', async () => {
    await expect(planned({ email: 'email', n: 'n' })).resolves.toMatchObject({ total: 1 });
  });
});

const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('ferry run whose mapping names a generated column of a PostgreSQL table', () => {
  const server = usePostgresServer({ passwordEnv });
  let p: TestProject | undefined;
  afterEach(() => p?.cleanup());

  it('fails at planning, saying the column is generated, and writes no row', async () => {
    const database = await server().createDatabase();
    const raw = await rawClient(server().url(database));
    try {
      await raw.query('CREATE TABLE users (email text PRIMARY KEY, n int, twice int GENERATED ALWAYS AS (n * 2) STORED)');
      p = new TestProject();
      p.write('ferry.yaml', usersConnectionYaml(server(), database, passwordEnv));
      p.write('u.json', [{ email: 'a@example.com', n: 1 }]);
      p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\nvalidate: { schema: none }\ncolumns:\n  email: email\n  n: n\n  twice: n\n');
      const result = p.ferry('run', 'p.yaml');
      expect(result.code, result.stdout + result.stderr).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/twice is a generated column of table users: the database computes it, so nothing may write it/);
      expect((await raw.query('SELECT count(*)::int AS n FROM users')).rows).toEqual([{ n: 0 }]);
    } finally {
      await raw.end();
    }
  });
});
