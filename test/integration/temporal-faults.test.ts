import { afterEach, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import {
  jobHistory,
  pendingActivities,
  runBatchActivity,
  runningJobs,
  startRun,
  startWorker,
  taskQueue,
  temporalConfig,
  until,
  type FerryWorker,
} from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Many workers and their failures, on a real Temporal server with real `ferry worker` processes:
 * batches spread over workers, a worker killed mid-batch (several times), the server itself
 * stopped and started again mid-job. Every job must end with exact counts and table.
 */
describeTemporal('Temporal: many workers, killed workers, a restarted server', () => {
  const server = useTemporalServer();
  let p: TestProject;
  const workers: FerryWorker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    p?.cleanup();
  });

  /** A project on its own task queue with `count` users to import; `slow` makes each 1,000-record chunk wait that many ms. */
  async function project(
    name: string,
    count: number,
    options: { workers: number; slow?: number; heartbeatTimeout?: string },
  ): Promise<{ queue: string; env: Record<string, string> }> {
    p = new TestProject();
    const queue = taskQueue(name);
    p.write('ferry.yaml', temporalConfig(server().address, queue, '', options.heartbeatTimeout));
    p.write(
      'users.ndjson',
      generateUsers(count, 11)
        .map((u) => JSON.stringify(u))
        .join('\n') + '\n',
    );
    // Two activities at most per worker: an idle machine would otherwise let the first worker take every batch.
    const env: Record<string, string> = {
      FERRY_WORKER_ACTIVITIES: '2',
      ...(options.slow ? { FERRY_FAILPOINTS: `chunk-before-write=pause:${options.slow}` } : {}),
    };
    workers.push(...(await Promise.all(Array.from({ length: options.workers }, () => startWorker(p.dir, env)))));
    return { queue, env };
  }

  const userCount = (): number => Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);
  const distinctEmails = (): number => Number(p.rows('SELECT count(DISTINCT email) AS n FROM users')[0]!['n']);

  it('scale-out: three workers on one task queue run a 50k-row job at parallelism 4; batches ran on more than one worker', { timeout: 300_000 }, async () => {
    await project('scale', 50_000, { workers: 3 });
    p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 2500, parallelism: 4 }\n');
    const run = p.run('import.yaml');
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.summary).toEqual({ total: 50_000, inserted: 50_000, updated: 0, unchanged: 0, rejected: 0, exported: 0 });
    expect(userCount()).toBe(50_000);
    expect(distinctEmails()).toBe(50_000);
    const batches = runBatchActivity((await jobHistory(server().address, run.report.job)).flat());
    expect(batches.scheduled).toBe(20);
    expect(batches.identities.size).toBeGreaterThan(1);
    const pids = new Set(workers.map((w) => String(w.child.pid)));
    for (const identity of batches.identities) expect(pids.has(identity.split('@')[0]!)).toBe(true);
  });

  it('worker crash: workers SIGKILLed mid-batch three times; the retries resume on other workers and the job ends exact', { timeout: 300_000 }, async () => {
    // A dead worker's batch is retried after 5 s without a heartbeat, not the default 2 minutes
    // (a live worker heartbeats after each chunk: about every second here).
    const { queue, env } = await project('crash', 48_000, { workers: 3, slow: 800, heartbeatTimeout: '5s' });
    p.write(
      'import.yaml',
      'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 3000, parallelism: 2 }\nretry: { max_attempts: 20, initial_interval: 200ms, max_interval: 1s }\n',
    );
    const run = startRun(p.dir, 'import.yaml');
    let job: string | undefined;
    await until(async () => (job = (await runningJobs(server().address, queue))[0]) !== undefined);
    const killed: string[] = [];
    const replacements: Promise<void>[] = [];
    let ended = false;
    void run.exit.then(() => (ended = true));
    while (killed.length < 3 && !ended) {
      // A batch in flight that has committed at least one chunk (it has heartbeat details): kill its worker.
      let victim: FerryWorker | undefined;
      await until(
        async () => {
          const inFlight = (await pendingActivities(server().address, job!)).filter((a) => a.type === 'runBatch' && a.started && a.heartbeat);
          victim = workers.find((w) => w.child.exitCode === null && inFlight.some((a) => a.worker.startsWith(`${w.child.pid}@`)));
          return victim !== undefined || ended;
        },
        120_000,
        100,
      );
      if (!victim) break;
      killed.push(String(victim.child.pid));
      await victim.kill();
      // A replacement, started in the background: the survivors take the retried batch meanwhile.
      replacements.push(startWorker(p.dir, env).then((w) => void workers.push(w)));
    }
    expect(killed).toHaveLength(3);
    await Promise.all(replacements);
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.report().summary).toEqual({ total: 48_000, inserted: 48_000, updated: 0, unchanged: 0, rejected: 0, exported: 0 });
    expect(userCount()).toBe(48_000);
    expect(distinctEmails()).toBe(48_000);
    // Each kill made a batch time out on its heartbeat and run again (attempt 2+) on another worker.
    const events = (await jobHistory(server().address, job!)).flat();
    const retried = events.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
    expect(retried.length).toBeGreaterThanOrEqual(1);
    for (const e of retried) expect(killed).not.toContain(e.activityTaskStartedEventAttributes!.identity!.split('@')[0]);
    const timeouts = events.filter((e) => e.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo);
    expect(timeouts.length).toBeGreaterThanOrEqual(1);
  });

  it('server restart: the Temporal server stopped and started again on the same db file mid-job; the job completes exactly', { timeout: 300_000 }, async () => {
    const { queue } = await project('restart', 12_000, { workers: 2, slow: 1500 });
    p.write(
      'import.yaml',
      'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 2000, parallelism: 2 }\nretry: { max_attempts: 20, initial_interval: 500ms, max_interval: 2s }\n',
    );
    const run = startRun(p.dir, 'import.yaml');
    let job: string | undefined;
    await until(async () => (job = (await runningJobs(server().address, queue))[0]) !== undefined);
    await until(async () => (await pendingActivities(server().address, job!)).some((a) => a.type === 'runBatch' && a.heartbeat), 120_000, 100);
    await server().pause();
    await new Promise((r) => setTimeout(r, 2000));
    await server().resume();
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.report().summary).toEqual({ total: 12_000, inserted: 12_000, updated: 0, unchanged: 0, rejected: 0, exported: 0 });
    expect(userCount()).toBe(12_000);
    expect(distinctEmails()).toBe(12_000);
  });
});
