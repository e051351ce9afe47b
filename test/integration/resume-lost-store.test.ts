import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { TestProject } from '../helpers/project.js';

/**
 * A resume after the store lost the job's batch markers along with its rows: the SQLite store file
 * deleted (Ferry creates it again, empty), the PostgreSQL schema holding `ferry_batches` dropped.
 * The check of the rows the job wrote before reads them from its markers; with none, it passed,
 * and the resume counted the batches the journal had done: "inserted 300" over a table holding 200.
 */
const total = 300;

interface Interrupted {
  p: TestProject;
  id: string;
}

/** An import of `total` users, 50 a batch, killed after its third batch committed (batches 0 and 1 done in the journal). */
function interruptedImport(ferryYaml?: string, failpoint = 'batch-after-commit=3'): Interrupted {
  const p = new TestProject();
  if (ferryYaml !== undefined) p.write('ferry.yaml', ferryYaml);
  const users = Array.from({ length: total }, (_, i) => JSON.stringify({ email: `user${i}@example.com`, given_name: `G${i}` }));
  p.write('users.ndjson', users.join('\n') + '\n');
  p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 50, parallelism: 1 }\n');
  const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: failpoint } });
  expect(killed.code).not.toBe(0);
  const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
  return { p, id };
}

function resume({ p, id }: Interrupted): { code: number; status: string; message: string; inserted: number } {
  const result = p.ferry('jobs', 'resume', id, '--json');
  const report = JSON.parse(result.stdout) as { status: string; summary: { inserted: number }; error?: { message: string } };
  return { code: result.code, status: report.status, message: report.error?.message ?? '', inserted: report.summary.inserted };
}

function expectRefused(resumed: ReturnType<typeof resume>): void {
  expect(resumed).toMatchObject({ code: 1, status: 'failed' });
  expect(resumed.message).toMatch(/job \S+ wrote batches before it stopped, but the store holds none of its batch markers/);
  expect(resumed.message).toContain('run the pipeline as a new job');
}

describe('a resume on SQLite after the store file was deleted', () => {
  let job: Interrupted | undefined;
  afterEach(() => job?.p.cleanup());

  it('fails instead of counting the batches done before over an empty table', () => {
    job = interruptedImport();
    rmSync(join(job.p.dir, '.ferry/users.db'));
    expectRefused(resume(job));
    expect(job.p.rows('SELECT count(*) AS n FROM ferry_batches')[0]!['n']).toBe(0);
  }, 60_000);

  it('fails when it was stopped in its finalize, every batch done: no batch runs to notice, the finish does', () => {
    job = interruptedImport(undefined, 'finalize-part=1');
    rmSync(join(job.p.dir, '.ferry/users.db'));
    expectRefused(resume(job));
  }, 60_000);

  it('resumes exactly when the store is still there', () => {
    job = interruptedImport();
    expect(resume(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: total });
    expect(job.p.rows('SELECT count(*) AS n FROM users')[0]!['n']).toBe(total);
  }, 60_000);

  it('resumes exactly when every row the job wrote before was rejected (markers without changes)', () => {
    const p = new TestProject();
    const users = Array.from({ length: total }, (_, i) => JSON.stringify(i < 150 ? { email: `not an email ${i}` } : { email: `user${i}@example.com` }));
    p.write('users.ndjson', users.join('\n') + '\n');
    p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 50, parallelism: 1 }\n');
    const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=3' } });
    expect(killed.code).not.toBe(0);
    const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
    job = { p, id };
    expect(resume(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: 150 });
  }, 60_000);
});

const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('a resume on PostgreSQL after the table and its batch markers were dropped', () => {
  const server = usePostgresServer({ passwordEnv });
  let job: Interrupted | undefined;
  afterEach(() => job?.p.cleanup());

  it('fails instead of counting the batches done before over an empty table', async () => {
    const database = await server().createDatabase();
    job = interruptedImport(usersConnectionYaml(server(), database, passwordEnv));
    const client = await rawClient(server().url(database));
    try {
      // As a restore of a backup older than the job would leave it, or the schema dropped and created again.
      await client.query('DROP TABLE users, ferry_batches, ferry_job_keys');
    } finally {
      await client.end();
    }
    expectRefused(resume(job));
  }, 120_000);
});
