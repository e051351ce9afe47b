import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFerry, tempDir } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { listJobs, startWorker, taskQueue, temporalConfig, until, withTestClient, type FerryWorker } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Workers on other machines (README "Running on Temporal"): a worker needs its own copy of the
 * project (the same ferry.yaml, pipelines and source files at the same relative paths), the shared
 * state dir, and a store it can reach — not the submitting machine's folder.
 */
describeTemporal('Temporal: workers in another folder', () => {
  const server = useTemporalServer();
  let shared: { dir: string; cleanup: () => void };
  let submitter: TestProject;
  let remote: TestProject;
  let worker: FerryWorker | undefined;

  beforeAll(() => {
    shared = tempDir('ferry-shared-');
  });
  afterAll(async () => {
    await worker?.kill();
    submitter?.cleanup();
    remote?.cleanup();
    shared?.cleanup();
  });

  /** The same project content in `p`: ferry.yaml (state dir and store on the shared volume), pipeline, source. */
  function layOut(p: TestProject, queue: string): void {
    p.write(
      'ferry.yaml',
      temporalConfig(
        server().address,
        queue,
        `state_dir: ${join(shared.dir, 'state')}\nconnections:\n  users: { driver: sqlite, path: ${join(shared.dir, 'users.db')} }\n`,
      ),
    );
    p.write('pipelines/import.yaml', 'source: { file: ../data/users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 2 }\n');
    p.write('data/users.json', generateUsers(500, 8, { invalidEvery: 100 }));
  }

  it('a job submitted from a folder that is gone since runs on a worker started in another folder', { timeout: 240_000 }, async () => {
    const queue = taskQueue('deploy');
    submitter = new TestProject();
    remote = new TestProject();
    layOut(submitter, queue);
    layOut(remote, queue);
    // Submitted before any worker polls; then the submitting folder is removed, so only the worker's copy can be read.
    const started = submitter.ferry('run', 'pipelines/import.yaml', '--detach', '--json');
    expect(started.code, started.stderr).toBe(0);
    const { job } = JSON.parse(started.stdout) as { job: string };
    rmSync(submitter.dir, { recursive: true, force: true });
    // Started from a subfolder: the worker finds ferry.yaml upwards and works in the project folder.
    worker = await startWorker(join(remote.dir, 'pipelines'));
    await until(() => withTestClient(server().address, async (c) => (await c.workflow.getHandle(job).describe()).status.name !== 'RUNNING'), 180_000, 500);
    const shown = remote.ferry('jobs', 'show', job, '--json');
    expect(shown.code, shown.stderr).toBe(0);
    const report = JSON.parse(shown.stdout) as JobReportJson;
    expect(report).toMatchObject({ status: 'succeeded', summary: { total: 500, inserted: 495, rejected: 5 } });
    expect(remote.rows('SELECT count(*) AS n FROM users', relative(remote.dir, join(shared.dir, 'users.db')))[0]!['n']).toBe(495);
    const errors = remote.ferry('jobs', 'errors', job);
    expect(errors.code, errors.stderr).toBe(0);
    expect(errors.stdout).toContain('5 rejected record(s)');
  });

  it('a worker refuses a job another project put on its task queue, before planning or writing anything', { timeout: 240_000 }, async () => {
    // Two projects alike but for their data, on one server and one queue: the worker runs in x.
    const queue = taskQueue('two-projects');
    const x = new TestProject();
    const y = new TestProject();
    let xWorker: FerryWorker | undefined;
    try {
      for (const [p, users] of [
        [x, '{"email":"x-only@example.com"}\n'],
        [y, '{"email":"y-only@example.com"}\n'],
      ] as const) {
        p.write('ferry.yaml', temporalConfig(server().address, queue));
        p.write('pipelines/import.yaml', 'source: { file: ../data/users.ndjson }\ntarget: { connection: users }\n');
        p.write('data/users.ndjson', users);
      }
      xWorker = await startWorker(x.dir);
      const run = y.ferry('run', 'pipelines/import.yaml', '--json');
      expect(run.code, run.stderr).toBe(1);
      const report = JSON.parse(run.stdout) as JobReportJson & { error: { message: string } };
      expect(report.status).toBe('failed');
      expect(report.error.message).toContain(`was submitted by project "${basename(y.dir)}", but this worker serves project "${basename(x.dir)}"`);
      expect(report.error.message).toContain('its source data/users.ndjson is not the file the submitter read');
      expect(report.error.message).toContain('give each its own temporal.task_queue in ferry.yaml');
      // x's store has none of y's rows, and x has no folder of y's job.
      const xRows = existsSync(join(x.dir, '.ferry', 'users.db')) ? x.rows("SELECT count(*) AS n FROM users WHERE email LIKE 'y-only%'") : [{ n: 0 }];
      expect(xRows[0]!['n']).toBe(0);
      expect(existsSync(join(x.dir, '.ferry', 'jobs', report.job))).toBe(false);
    } finally {
      await xWorker?.kill();
      x.cleanup();
      y.cleanup();
    }
  });

  it('two projects with queues of their own in one namespace: each lists, shows and acts on its own jobs only', { timeout: 120_000 }, () => {
    // The same pipeline over the same data in both, submitted before any worker polls: the jobs stay running.
    const x = new TestProject();
    const y = new TestProject();
    try {
      const jobs = [x, y].map((p, i) => {
        p.write('ferry.yaml', temporalConfig(server().address, taskQueue(`own-${i}`)));
        p.write('pipelines/import.yaml', 'source: { file: ../data/users.ndjson }\ntarget: { connection: users }\n');
        p.write('data/users.ndjson', '{"email":"ada@example.com"}\n');
        const started = p.ferry('run', 'pipelines/import.yaml', '--detach', '--json');
        expect(started.code, started.stderr).toBe(0);
        return (JSON.parse(started.stdout) as { job: string }).job;
      });
      const [xJob, yJob] = jobs as [string, string];
      // The same work in another project is another submission, not x's running job.
      expect(yJob).not.toBe(xJob);
      expect(listJobs(x).map((j) => j.job)).toEqual([xJob]);
      expect(listJobs(y).map((j) => j.job)).toEqual([yJob]);
      for (const args of [
        ['jobs', 'show', yJob],
        ['jobs', 'rollback', yJob],
        ['jobs', 'cancel', yJob],
        ['jobs', 'errors', yJob],
        ['jobs', 'resume', yJob],
      ]) {
        const refused = x.ferry(...args);
        expect(refused.code, `${args.join(' ')}: ${refused.stderr}`).toBe(2);
        expect(refused.stderr).toContain(`job ${yJob} is another project's: it runs on task queue ferry-own-1-`);
      }
    } finally {
      x.cleanup();
      y.cleanup();
    }
  });

  it('ferry worker refuses a SQLite connection it cannot open, and says which and why', () => {
    const p = new TestProject();
    try {
      p.write('ferry.yaml', temporalConfig(server().address, taskQueue('refuse'), 'connections:\n  crm: { driver: sqlite, path: crm.db }\n'));
      writeFileSync(join(p.dir, 'crm.db'), 'this is not a database, but a text file left here by mistake\n'.repeat(100));
      const refused = runFerry(['worker'], { cwd: p.dir });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`cannot open the SQLite connection "crm" (${join(p.dir, 'crm.db')}): `);
      expect(refused.stderr).toContain('file is not a database');
      expect(refused.stderr).toContain('workers on several machines need a store they all reach (PostgreSQL)');
    } finally {
      p.cleanup();
    }
  });
});
