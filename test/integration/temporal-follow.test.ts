import { afterEach, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { pendingActivities, runningJobs, startCli, startWorker, taskQueue, temporalConfig, until, type FerryWorker } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * `ferry run` following a job on Temporal, as a person at a terminal sees it: a long follow stays
 * quiet, a job no worker takes says so, and a server gone for good ends the follow with what to do.
 */
describeTemporal('Temporal: following a job', () => {
  const server = useTemporalServer();
  let p: TestProject;
  const workers: FerryWorker[] = [];
  /** A command a failed test left running is stopped with its test. */
  const commands: ReturnType<typeof startCli>[] = [];
  afterEach(async () => {
    for (const c of commands.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    p?.cleanup();
  });

  /** A project on its own task queue importing `count` users, 1,000 a batch, one batch at a time. */
  /** `ferry run import.yaml` in the background. */
  function runImport(env: Record<string, string> = {}, ...flags: string[]): ReturnType<typeof startCli> {
    const command = startCli(p.dir, ['run', 'import.yaml', ...flags], env);
    commands.push(command);
    return command;
  }

  function project(name: string, count: number): string {
    p = new TestProject();
    const queue = taskQueue(name);
    p.write('ferry.yaml', temporalConfig(server().address, queue));
    p.write('users.json', generateUsers(count, 3));
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 1000, parallelism: 1 }\n');
    return queue;
  }
  /** Each 1,000-record chunk waits this long in the worker: a job of n batches lasts about n times as long. */
  const slow = (ms: number): Record<string, string> => ({ FERRY_FAILPOINTS: `chunk-before-write=pause:${ms}` });

  it('a follow longer than 11 progress polls adds no abort listener per poll (no MaxListenersExceededWarning)', { timeout: 120_000 }, async () => {
    project('listeners', 10_000);
    workers.push(await startWorker(p.dir, slow(1500)));
    const started = Date.now();
    const run = runImport({}, '--json');
    expect(await run.exit, run.out.stderr).toBe(0);
    // One poll a second: more than 11 of them, the count that made Node warn.
    expect(Date.now() - started).toBeGreaterThan(13_000);
    expect(run.report().summary).toMatchObject({ total: 10_000, inserted: 10_000 });
    expect(run.out.stderr).not.toMatch(/MaxListenersExceededWarning|abort listeners/);
  });

  it('no worker: run says once that none polls the task queue, and Ctrl-C says the job is not running', { timeout: 120_000 }, async () => {
    const queue = project('no-worker', 100);
    const run = runImport();
    const hint = `no worker is polling task queue ${queue} on ${server().address}: start one with \`ferry worker\``;
    await until(() => run.out.stderr.includes(hint), 60_000);
    expect(run.out.stderr).toContain('no worker answered the progress query');
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    // Said once, then quoted once by the Ctrl-C message.
    expect(run.out.stderr.split(hint)).toHaveLength(3);
    expect(run.out.stderr).toContain('the job ends cancelled once a worker takes it');
    expect(run.out.stderr).not.toContain('the batches in flight did not finish');
  });

  it(
    'no worker: jobs cancel says none polls the task queue and returns (it waited for ever); a worker started then ends the job cancelled',
    { timeout: 150_000 },
    async () => {
      const queue = project('cancel-no-worker', 100);
      const started = p.ferry('run', 'import.yaml', '--detach', '--json');
      expect(started.code, started.stderr).toBe(0);
      const id = (JSON.parse(started.stdout) as { job: string }).job;
      const cancel = startCli(p.dir, ['jobs', 'cancel', id]);
      commands.push(cancel);
      const exited = await Promise.race([cancel.exit, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 60_000))]);
      expect(exited, cancel.out.stderr).toBe(0);
      expect(cancel.out.stderr).toContain(`no worker is polling task queue ${queue} on ${server().address}: job ${id} ends cancelled once one takes it`);
      expect(cancel.out.stdout).toBe(`job ${id} running\n`);
      workers.push(await startWorker(p.dir));
      await until(() => p.ferry('jobs', 'show', id).stdout.includes('status     cancelled'), 60_000, 1000);
    },
  );

  it('the server gone for good mid-follow: run ends saying the server cannot be reached and how to follow the job', { timeout: 180_000 }, async () => {
    const queue = project('server-gone', 20_000);
    workers.push(await startWorker(p.dir, slow(1500)));
    const run = runImport({ FERRY_TEMPORAL_OUTAGE_MS: '3000' }, '--json');
    let job: string | undefined;
    await until(async () => (job = (await runningJobs(server().address, queue))[0]) !== undefined);
    await until(async () => (await pendingActivities(server().address, job!)).some((a) => a.type === 'runBatch' && a.started), 60_000, 100);
    await server().pause();
    try {
      expect(await run.exit, run.out.stderr).toBe(1);
    } finally {
      await server().resume();
    }
    const message = `cannot reach Temporal at ${server().address} (namespace default)`;
    expect(run.out.stderr).toContain(message);
    expect(run.out.stderr).toContain(
      `stopped following job ${job}: it goes on on the server's workers once the server is back — ferry jobs show ${job} (or ferry jobs list)`,
    );
    const printed = JSON.parse(run.out.stdout) as { error: { message: string; exit: number } };
    expect(printed.error.message).toContain(message);
    expect(printed.error.exit).toBe(1);
  });
});
