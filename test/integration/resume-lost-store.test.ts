import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { TestProject } from '../helpers/project.js';
import { interruptedImport, interruptedTotal, lastJob, resumeJob, type Interrupted, type Resumed } from '../helpers/interrupted-import.js';

/**
 * A resume after the store lost the job's batch markers along with its rows: the SQLite store file
 * deleted (Ferry creates it again, empty), the PostgreSQL schema holding `ferry_batches` dropped.
 * The check of the rows the job wrote before reads them from its markers; with none, it passed,
 * and the resume counted the batches the journal had done: "inserted 300" over a table holding 200.
 */

function expectRefused(resumed: Resumed): void {
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
    expectRefused(resumeJob(job));
    expect(job.p.rows('SELECT count(*) AS n FROM ferry_batches')[0]!['n']).toBe(0);
  }, 60_000);

  it('fails when it was stopped in its finalize, every batch done: no batch runs to notice, the finish does', () => {
    job = interruptedImport(undefined, 'finalize-part=1');
    rmSync(join(job.p.dir, '.ferry/users.db'));
    expectRefused(resumeJob(job));
  }, 60_000);

  it('resumes exactly when the store is still there', () => {
    job = interruptedImport();
    expect(resumeJob(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: interruptedTotal });
    expect(job.p.rows('SELECT count(*) AS n FROM users')[0]!['n']).toBe(interruptedTotal);
  }, 60_000);

  it('resumes exactly when every row the job wrote before was rejected (markers without changes)', () => {
    const p = new TestProject();
    const users = Array.from({ length: interruptedTotal }, (_, i) =>
      JSON.stringify(i < 150 ? { email: `not an email ${i}` } : { email: `user${i}@example.com` }),
    );
    p.write('users.ndjson', users.join('\n') + '\n');
    p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 50, parallelism: 1 }\n');
    const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=3' } });
    expect(killed.code).not.toBe(0);
    const id = lastJob(p);
    job = { p, id };
    expect(resumeJob(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: 150 });
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
    expectRefused(resumeJob(job));
  }, 120_000);
});
