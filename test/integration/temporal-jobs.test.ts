import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import {
  listJobs,
  pendingActivities,
  runningJobs,
  startCli,
  startRun,
  startWorker,
  taskQueue,
  temporalConfig,
  until,
  withTestClient,
  type FerryWorker,
  type HistoryEvent,
} from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Jobs on a real Temporal server, through the CLI: visibility (jobs list/show/errors with the
 * FerryPipeline attribute), duplicate submission, cancel, resume of a failed job (a reset that
 * redoes no finished batch), and a worker killed mid-batch. Each chunk of 1,000 records waits
 * on the workers (a fail point), so jobs run long enough to be acted on
 * (1.5 s; a 10 s heartbeat timeout notices the killed worker).
 *
 * FERRY_RECORD_HISTORIES=1 also saves these jobs' histories as the fixtures
 * test/fixtures/temporal-histories/*.json that test/unit/temporal/recorded-replay.test.ts replays.
 */
const record = process.env['FERRY_RECORD_HISTORIES'] === '1';
const fixtures = join(repoRoot, 'test', 'fixtures', 'temporal-histories');

describeTemporal('Temporal jobs through the CLI: visibility, duplicates, cancel, resume, a killed worker', { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;
  let queue: string;
  const workers: FerryWorker[] = [];
  const env = { FERRY_FAILPOINTS: 'chunk-before-write=pause:1500', FERRY_SQLITE_BUSY_TIMEOUT_MS: '50' };

  beforeAll(async () => {
    p = new TestProject();
    queue = taskQueue('jobs');
    p.write('ferry.yaml', temporalConfig(server().address, queue, '', '10s'));
    p.write('small.json', generateUsers(30, 2, { invalidEvery: 10 }));
    p.write('small.yaml', 'source: { file: small.json }\ntarget: { connection: users }\nbatch: { size: 10, parallelism: 1 }\n');
    p.write('long.json', generateUsers(4000, 3));
    // Batches of one chunk (500 records), except `kill`: two chunks, so a batch heartbeats mid-way.
    for (const [name, size] of [
      ['cancel', 250],
      ['dup', 500],
      ['fail', 500],
      ['kill', 2000],
    ] as const) {
      p.write(
        `${name}.yaml`,
        `source: { file: long.json }\ntarget: { connection: users, upsert: true }\nbatch: { size: ${size}, parallelism: 1 }\nretry: { max_attempts: 2, initial_interval: 200ms, max_interval: 200ms }\n`,
      );
    }
    workers.push(await startWorker(p.dir, env), await startWorker(p.dir, env));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    p?.cleanup();
  });

  const history = (id: string): Promise<HistoryEvent[]> =>
    withTestClient(server().address, async (c) => (await c.workflow.getHandle(id).fetchHistory()).events ?? []);
  const save = async (name: string, id: string): Promise<void> => {
    if (!record) return;
    const events = await withTestClient(server().address, (c) => c.workflow.getHandle(id).fetchHistory());
    mkdirSync(fixtures, { recursive: true });
    writeFileSync(join(fixtures, `${name}.json`), JSON.stringify({ workflowId: id, history: JSON.parse(historyToJSON(events)) as unknown }, null, 1) + '\n');
  };
  /** The batch numbers of the runBatch activities a history scheduled, in order. */
  const scheduledBatches = (events: HistoryEvent[]): number[] =>
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runBatch')
      .map((e) => (JSON.parse(Buffer.from(e.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString('utf8')) as { batch: number }).batch);
  const show = (id: string): JobReportJson & { status: string; batches: { done: number; total: number } } =>
    JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as never;
  const runningJob = async (pipeline: string): Promise<string> => {
    let id: string | undefined;
    await until(async () => (id = (await runningJobs(server().address, queue)).find((j) => j.startsWith(`${pipeline}-`))) !== undefined);
    return id!;
  };
  const userCount = (): number => Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);

  it('jobs list, show and errors read a finished job through visibility, found by its FerryPipeline attribute', async () => {
    const run = p.run('small.yaml');
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.summary).toMatchObject({ total: 30, inserted: 27, rejected: 3 });
    const byAttribute = await withTestClient(server().address, async (c) => {
      const ids: string[] = [];
      for await (const w of c.workflow.list({ query: `FerryPipeline = 'small'` })) ids.push(w.workflowId);
      return ids;
    });
    expect(byAttribute).toEqual([run.report.job]);
    // The list carries each job's counts and batches (read from its result), like the embedded engine's.
    expect(listJobs(p).find((j) => j.job === run.report.job)).toMatchObject({
      pipeline: 'small',
      engine: 'temporal',
      status: 'succeeded',
      summary: run.report.summary,
      batches: { done: 3, total: 3 },
    });
    expect(show(run.report.job)).toMatchObject({ status: 'succeeded', summary: run.report.summary, batches: { done: 3, total: 3 } });
    const errors = p.ferry('jobs', 'errors', run.report.job, '--json');
    expect(errors.code, errors.stderr).toBe(0);
    expect(
      errors.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { row: number }).row),
    ).toEqual([10, 20, 30]);
    expect(scheduledBatches(await history(run.report.job))).toEqual([0, 1, 2]);
    // Said in Ferry's words, as the embedded engine says it (it said Temporal's "completed").
    expect(p.ferry('jobs', 'cancel', run.report.job)).toMatchObject({ code: 1, stderr: `job ${run.report.job} already ended (succeeded)\n` });
    await save('succeeded', run.report.job);
  });

  it('a second submission of the same pipeline and source returns the running job', async () => {
    const first = startRun(p.dir, 'dup.yaml');
    const id = await runningJob('dup');
    const again = p.ferry('run', 'dup.yaml', '--detach', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ job: id, existing: true });
    expect(await first.exit, first.out.stderr).toBe(0);
    expect(first.report()).toMatchObject({ job: id, summary: { total: 4000, inserted: 3973, updated: 27 } }); // 30 of them came with small.json
    expect(listJobs(p).filter((j) => j.pipeline === 'dup')).toHaveLength(1);
  });

  it('jobs cancel stops after the batch in flight; the job ends cancelled with what it wrote', async () => {
    const run = startRun(p.dir, 'cancel.yaml');
    const id = await runningJob('cancel');
    await until(async () => (await pendingActivities(server().address, id)).some((a) => a.type === 'runBatch' && a.started), 120_000, 100);
    const cancelled = p.ferry('jobs', 'cancel', id);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`job ${id} cancelled`);
    expect(await run.exit).toBe(1);
    const shown = show(id);
    expect(shown.status).toBe('cancelled');
    expect(shown.batches.done).toBeLessThan(16);
    expect(shown.summary.inserted + shown.summary.updated + shown.summary.unchanged).toBe(shown.batches.done * 250);
    await save('cancelled', id);
  });

  it('jobs resume of a failed job resets it and redoes no finished batch', async () => {
    const run = startRun(p.dir, 'fail.yaml');
    const id = await runningJob('fail');
    await until(() => show(id).batches.done >= 2);
    // Another writer holds the store: the next batch fails its two attempts, and the job fails.
    const unlock = p.lockStore();
    expect(await run.exit).toBe(1);
    unlock();
    const failed = show(id);
    expect(failed.status).toBe('failed');
    const done = failed.batches.done;
    const resumed = startCli(p.dir, ['jobs', 'resume', id, '--json']);
    expect(await resumed.exit, resumed.out.stderr).toBe(0);
    expect(resumed.report().summary.inserted + resumed.report().summary.updated + resumed.report().summary.unchanged).toBe(4000);
    const batches = scheduledBatches(await history(id));
    expect([...batches].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // each batch scheduled once in the reset run
    expect(done).toBeGreaterThanOrEqual(2);
    await save('reset', id);
  });

  it('a worker SIGKILLed mid-batch: the batch times out on its heartbeat and finishes on the other worker', async () => {
    const run = startRun(p.dir, 'kill.yaml');
    const id = await runningJob('kill');
    let victim: FerryWorker | undefined;
    await until(
      async () => {
        const inFlight = (await pendingActivities(server().address, id)).filter((a) => a.type === 'runBatch' && a.started && a.heartbeat);
        victim = workers.find((w) => w.child.exitCode === null && inFlight.some((a) => a.worker.startsWith(`${w.child.pid}@`)));
        return victim !== undefined;
      },
      120_000,
      100,
    );
    await victim!.kill();
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.report().summary.inserted + run.report().summary.updated + run.report().summary.unchanged).toBe(4000);
    const events = await history(id);
    expect(events.some((e) => e.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo)).toBe(true);
    expect(userCount()).toBe(4000); // small.json's users are among them
    workers.push(await startWorker(p.dir, env));
    await save('worker-killed', id);
  });
});
