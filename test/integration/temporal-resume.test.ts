import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import {
  listJobs,
  pendingActivities,
  runningJobs,
  startCli,
  startWorker,
  taskQueue,
  temporalConfig,
  until,
  type FerryWorker,
} from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';
import { startHttp } from '../unit/notify/loopback.js';

/**
 * `ferry jobs resume` on a real Temporal server, in the cases where a Temporal resume used to part
 * from the embedded engine's: a job whose planning failed (planned again from the fixed source),
 * a ferry.yaml whose heartbeat timeout changed between the run and the resume, a cancelled job
 * whose resumed run fails (it counts the batches that finished after the cancel); and a batch
 * being retried, which `jobs show` and the run's progress say. Each ending of a resumed job
 * notifies with new delivery ids.
 */
/**
 * The array with its end past the first megabyte after its first record, which is all validate
 * reads of a JSON file: a small file cut short fails validate, before any job (this one must fail
 * at planning). Validate reads a first record to its end however far it lies, so the spaces come
 * after it.
 */
const pastHead = (json: string): string => {
  const first = JSON.stringify((JSON.parse(json) as unknown[])[0]);
  return `[${first},${' '.repeat(1_100_000)}${json.slice(first.length + 2)}`;
};

describeTemporal('Temporal jobs resume: a failed planning, a changed heartbeat timeout; retries shown', { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;
  let queue: string;
  let worker: FerryWorker;

  beforeAll(async () => {
    p = new TestProject();
    queue = taskQueue('resume');
    p.write('ferry.yaml', temporalConfig(server().address, queue, '', '10s'));
    // A batch that meets the store locked fails at once instead of waiting 5 s for it.
    // Each chunk waits 300 ms, so a job of many batches is still running when it is cancelled; an
    // export's page waits 2 s before it reads, long enough to delete what it reads.
    worker = await startWorker(p.dir, { FERRY_SQLITE_BUSY_TIMEOUT_MS: '50', FERRY_FAILPOINTS: 'chunk-before-write=pause:300,page-before-read=pause:2000' });
  }, 180_000);

  afterAll(async () => {
    await worker?.kill();
    p?.cleanup();
  });

  const failureOf = (id: string): unknown => (JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { failure?: unknown }).failure;

  const resume = (id: string): { code: number; report: JobReportJson; stderr: string } => {
    const r = p.ferry('jobs', 'resume', id, '--json');
    try {
      return { code: r.code, report: JSON.parse(r.stdout) as JobReportJson, stderr: r.stderr };
    } catch {
      throw new Error(`ferry jobs resume printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
  };

  it('a job whose source did not parse is planned again from the fixed file, as on the embedded engine', () => {
    const users = JSON.stringify(generateUsers(20, 5));
    p.write('cut.json', pastHead(users).slice(0, -1)); // cut short: no closing ]
    p.write('cut.yaml', 'source: { file: cut.json }\ntarget: { connection: users }\nbatch: { size: 10, parallelism: 1 }\n');
    const failed = p.run('cut.yaml');
    expect(failed.code).toBe(1);
    expect(failed.report.status).toBe('failed');
    // The workflow's outcome keeps the failing step and that its error was not retryable (the activity's ApplicationFailure).
    expect(failureOf(failed.report.job)).toEqual({ step: 'plan', retryable: false });
    p.write('cut.json', users);
    const resumed = resume(failed.report.job);
    // It was refused on the worker as "submitted by another project": the first run's input kept the broken file's digest.
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.report).toMatchObject({ job: failed.report.job, status: 'succeeded', summary: { total: 20, inserted: 20, rejected: 0 } });
    expect(p.rows("SELECT count(*) AS n FROM users WHERE email LIKE 'user%'")[0]).toEqual({ n: 20 });
    // One job, its latest run listed.
    expect(listJobs(p).filter((j) => j.job === failed.report.job)).toMatchObject([{ status: 'succeeded' }]);
  });

  // A worker that dies is replaced within its workflow run (same delivery id); a resume is a run of its own, and ends the job anew.
  it('each ending of a job notifies with new delivery ids: failed, resumed and failed again, resumed and succeeded', async () => {
    const hook = await startHttp(() => ({ status: 200 }));
    try {
      const users = JSON.stringify(generateUsers(5, 9));
      p.write('hooked.json', pastHead(users).slice(0, -1)); // cut short: planning fails
      p.write('hooked.yaml', `source: { file: hooked.json }\ntarget: { connection: users, upsert: true }\nnotify:\n  - webhook: ${hook.url}/hook\n`);
      // In the background: a blocking spawn would stop this process's loopback server from answering.
      const first = startCli(p.dir, ['run', 'hooked.yaml', '--json']);
      expect(await first.exit, first.out.stderr).toBe(1);
      const id = first.report().job;
      const again = startCli(p.dir, ['jobs', 'resume', id, '--json']);
      expect(await again.exit, again.out.stderr).toBe(1);
      p.write('hooked.json', users);
      const last = startCli(p.dir, ['jobs', 'resume', id, '--json']);
      expect(await last.exit, last.out.stderr).toBe(0);
      const ids = hook.requests.map((r) => String(r.headers['ferry-delivery-id']));
      expect(new Set(ids).size).toBe(3);
      expect(ids.map((i) => i.replace(/\.[0-9a-f-]{36}\./, '.<run>.'))).toEqual([`${id}.<run>.0.failed`, `${id}.<run>.0.failed`, `${id}.<run>.0.succeeded`]);
    } finally {
      await hook.close();
    }
  });

  it('a heartbeat timeout changed in ferry.yaml since the run does not refuse the resume', () => {
    p.write(
      'hb.json',
      generateUsers(30, 6).map((u, i) => ({ ...u, email: `hb${i}@example.com` })),
    );
    p.write('hb.yaml', 'source: { file: hb.json }\ntarget: { connection: users }\nbatch: { size: 10, parallelism: 1 }\nretry: { max_attempts: 1 }\n');
    // Another writer holds the store: the first batch fails, and so the job.
    const unlock = p.lockStore();
    let failed: ReturnType<TestProject['run']>;
    try {
      failed = p.run('hb.yaml');
    } finally {
      unlock();
    }
    expect(failed.report.status, failed.stderr).toBe('failed');
    // Its last attempt's error was retryable: a resume may pass.
    expect(failureOf(failed.report.job)).toEqual({ step: 'batch', retryable: true });
    p.write('ferry.yaml', temporalConfig(server().address, queue, '', '25s'));
    try {
      const resumed = resume(failed.report.job);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.report).toMatchObject({ status: 'succeeded', summary: { total: 30, inserted: 30 } });
    } finally {
      p.write('ferry.yaml', temporalConfig(server().address, queue, '', '10s'));
    }
  });

  it('a batch being retried after a failed attempt shows in jobs show and in the progress of the run', async () => {
    p.write(
      'rt.json',
      generateUsers(30, 7).map((u, i) => ({ ...u, email: `rt${i}@example.com` })),
    );
    p.write(
      'rt.yaml',
      'source: { file: rt.json }\ntarget: { connection: users }\nbatch: { size: 10, parallelism: 1 }\nretry: { max_attempts: 6, initial_interval: 1s, max_interval: 1s }\n',
    );
    const unlock = p.lockStore();
    let run: ReturnType<typeof startCli> | undefined;
    try {
      run = startCli(p.dir, ['run', 'rt.yaml']);
      let id: string | undefined;
      await until(async () => (id = (await runningJobs(server().address, queue)).find((j) => j.startsWith('rt-'))) !== undefined);
      // Before, a retried batch showed as a job that does not move.
      await until(
        () => /^waiting +batch 0: attempt \d of 6 failed \(.*database is locked.*\); retrying$/m.test(p.ferry('jobs', 'show', id!).stdout),
        30_000,
        300,
      );
    } finally {
      unlock();
    }
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.out.stderr).toMatch(/^batch 0: attempt 1 of 6 failed \(.*database is locked.*\); retrying$/m);
  });

  it('a cancelled job goes on after every batch it finished: a resumed run that fails still counts the batches in flight at the cancel', async () => {
    p.write(
      'cn.json',
      // 120 batches: the cancel (a CLI of its own, a second or two to start) lands while most are still to run.
      generateUsers(30_000, 8).map((u, i) => ({ ...u, email: `cn${i}@example.com` })),
    );
    p.write('cn.yaml', 'source: { file: cn.json }\ntarget: { connection: users }\nbatch: { size: 250, parallelism: 3 }\nretry: { max_attempts: 1 }\n');
    const written = (): number => Number(p.rows("SELECT count(*) AS n FROM users WHERE email LIKE 'cn%'")[0]!['n']);
    const shown = (id: string): JobReportJson & { status: string } => JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as never;
    const run = startCli(p.dir, ['run', 'cn.yaml', '--json']);
    let id: string | undefined;
    await until(async () => (id = (await runningJobs(server().address, queue)).find((j) => j.startsWith('cn-'))) !== undefined);
    await until(async () => (await pendingActivities(server().address, id!)).filter((a) => a.type === 'runBatch' && a.started).length >= 2, 60_000, 100);
    const cancel = p.ferry('jobs', 'cancel', id!);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(await run.exit, run.out.stdout + run.out.stderr).toBe(1);
    const cancelled = shown(id!);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.summary.inserted).toBe(written());
    expect(written()).toBeLessThan(30_000);
    // The resumed run's first batch meets the store locked and fails the job.
    const unlock = p.lockStore();
    let failed: ReturnType<typeof resume>;
    try {
      failed = resume(id!);
    } finally {
      unlock();
    }
    expect(failed.report.status).toBe('failed');
    // Before, the resume reset the job to before the cancel request: the batches that finished after it ran again, failed, and went uncounted.
    expect(failed.report.summary.inserted).toBe(written());
    const done = resume(id!);
    expect(done.code, done.stderr).toBe(0);
    expect(done.report.summary).toMatchObject({ total: 30_000, inserted: 30_000, rejected: 0 });
    expect(written()).toBe(30_000);
  });

  /**
   * A batch whose error the worker marked non-retryable, in words no pattern of the CLI matched: the
   * run ended with "ferry jobs resume <id> continues it" under an error saying run it anew.
   */
  it("an export whose snapshot is deleted under it: the last line says a new job, from the workflow's outcome", async () => {
    p.write(
      'ex-seed.json',
      generateUsers(5, 11).map((u, i) => ({ ...u, email: `ex${i}@example.com` })),
    );
    p.write('ex-seed.yaml', 'source: { file: ex-seed.json }\ntarget: { connection: users }\n');
    expect(p.run('ex-seed.yaml').code).toBe(0);
    p.write(
      'ex.yaml',
      'source: { connection: users, sort: { by: email } }\ntarget: { file: out/ex.csv }\ncolumns:\n  email: email\nbatch: { size: 2, parallelism: 1 }\n',
    );
    const run = startCli(p.dir, ['run', 'ex.yaml']);
    let id: string | undefined;
    await until(async () => (id = (await runningJobs(server().address, queue)).find((j) => j.startsWith('ex-'))) !== undefined);
    const folder = join(p.dir, '.ferry', 'jobs', id!);
    // Planned (its plan.json written after the snapshot); its first page waits before reading it.
    await until(() => existsSync(join(folder, 'plan.json')), 30_000, 50);
    rmSync(join(folder, 'snapshot.db'));
    expect(await run.exit, run.out.stderr).toBe(1);
    expect(run.out.stdout).toContain('cannot read the rows the job copied at planning');
    expect(run.out.stderr).toContain(
      `job ${id} failed, and a resume as things are would fail the same way: do what the error says (fix its cause, then ferry jobs resume ${id} continues it; where it says the job cannot go on, ferry run ex.yaml runs the pipeline as a new job)`,
    );
    expect(run.out.stderr).not.toMatch(/continues it$/m);
    expect(failureOf(id!)).toEqual({ step: 'batch', retryable: false });
  });
});
