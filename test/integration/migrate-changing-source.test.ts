import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { repoRoot, runFerry } from '../helpers/cli.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { rawClient } from '../helpers/postgres-raw.js';

/**
 * A migration from PostgreSQL reads its pages from the live table by cursors (no snapshot). A page
 * is cut into chunks that commit one by one (a batch larger than its commit, or records whose
 * mapped values are large: here every record, by FERRY_CHUNK_MAX_MAPPED); killed after a chunk's commit,
 * the resumed batch must cut the same page the same way, although the table changed in the page's
 * range meanwhile: a row that left the query shifted the rest of the page back into the committed
 * chunk (never written), one that arrived shifted a committed row into the next chunk (written
 * twice, with another generated user_id).
 */
const example = join(repoRoot, 'examples', 'migrate-legacy');
const pipeline = 'pipelines/migrate-legacy-users.yaml';
const total = 20;

describePostgres('a migration resumed after its source changed inside a half-written page', () => {
  const server = usePostgresServer();
  let project: TestProject;
  afterEach(() => project?.cleanup());

  async function setUp(): Promise<{ env: Record<string, string>; sql: (text: string) => Promise<void> }> {
    project = new TestProject();
    cpSync(example, project.dir, { recursive: true });
    const url = server().url(await server().createDatabase());
    const sql = async (text: string): Promise<void> => {
      const client = await rawClient(url);
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    };
    await sql(`${readFileSync(join(example, 'legacy_users.sql'), 'utf8').split('INSERT')[0]}
      INSERT INTO legacy_users (id, email_address, first_name, last_name, signed_up_at)
      SELECT i * 10, 'user' || i || '@example.com', 'First' || i, 'Last' || i, timestamptz '2024-01-01T00:00:00Z' + i * interval '1 minute'
        FROM generate_series(1, ${total}) AS i;`);
    const file = join(project.dir, pipeline);
    // Pages of 6 rows by id, each record its own chunk, one batch at a time; an insert-only target.
    const yaml = readFileSync(file, 'utf8').replace('batch: { size: 500, parallelism: 2 }', 'batch: { size: 6, parallelism: 1 }');
    writeFileSync(file, yaml.replace('upsert: true', 'upsert: false').replace('user_metadata:', 'user_id: "\'legacy|\' & $string(id)"\n  user_metadata:'));
    return { env: { LEGACY_DATABASE_URL: url, FERRY_BATCH_THREADS: '1', FERRY_CHUNK_MAX_MAPPED: '1' }, sql };
  }

  it.each([
    ['a row of the committed chunk left the query', `UPDATE legacy_users SET deleted = true WHERE id = 10`],
    ['a row arrived before the committed chunk ends', `INSERT INTO legacy_users (id, email_address) VALUES (15, 'late@example.com')`],
    [
      'rows arrived and left across the page',
      `INSERT INTO legacy_users (id, email_address) VALUES (5, 'early@example.com'), (35, 'mid@example.com'); DELETE FROM legacy_users WHERE id IN (40, 50)`,
    ],
  ])(
    '%s: every row of the page as first read is written once',
    async (_, change) => {
      const { env, sql } = await setUp();
      // The first chunk of the first page commits, then the process dies before the next one.
      const killed = runFerry(['run', pipeline, '--json'], { cwd: project.dir, env: { ...env, FERRY_FAILPOINTS: 'batch-after-commit=1' } });
      expect(killed.code, killed.stderr).not.toBe(0);
      expect(project.rows('SELECT user_id FROM users')).toEqual([{ user_id: 'legacy|10' }]);
      await sql(change);
      const job = (JSON.parse(runFerry(['jobs', 'list', '--json'], { cwd: project.dir, env }).stdout) as { job: string }).job;
      const resumed = runFerry(['jobs', 'resume', job, '--json'], { cwd: project.dir, env });
      expect(resumed.code, resumed.stderr).toBe(0);
      const report = JSON.parse(resumed.stdout) as JobReportJson;
      expect(report.summary).toMatchObject({ inserted: total, rejected: 0 });
      const ids = project.rows('SELECT user_id, email FROM users').map((r) => String(r['user_id']));
      expect(ids.sort()).toEqual(Array.from({ length: total }, (_, i) => `legacy|${(i + 1) * 10}`).sort());
      // The pages kept for the resume go with the succeeded job.
      expect(existsSync(join(project.dir, report.artifacts.dir, 'pages'))).toBe(false);
    },
    120_000,
  );

  it('a kept page damaged since fails the resume, naming its file, and writes nothing more', async () => {
    const { env } = await setUp();
    const killed = runFerry(['run', pipeline, '--json'], { cwd: project.dir, env: { ...env, FERRY_FAILPOINTS: 'batch-after-commit=1' } });
    expect(killed.code, killed.stderr).not.toBe(0);
    const job = (JSON.parse(runFerry(['jobs', 'list', '--json'], { cwd: project.dir, env }).stdout) as { job: string }).job;
    const jobDir = join(project.dir, '.ferry', 'jobs', job);
    const kept = join(jobDir, 'pages', 'page-000000.v8');
    writeFileSync(kept, readFileSync(kept).subarray(0, 40));
    const resumed = runFerry(['jobs', 'resume', job], { cwd: project.dir, env });
    expect(resumed.code).not.toBe(0);
    expect(resumed.stdout + resumed.stderr).toContain(join('pages', 'page-000000.v8'));
    expect(resumed.stdout + resumed.stderr).toContain('run the pipeline again as a new job');
    expect(project.rows('SELECT user_id FROM users')).toEqual([{ user_id: 'legacy|10' }]);
  }, 120_000);
});
