import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { pendingActivities, runningJobs, startRun, startWorker, taskQueue, temporalConfig, until, type FerryWorker } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';
import { startHttp } from '../unit/notify/loopback.js';

/**
 * A worker SIGKILLed while it plans a job (a store's snapshot, minutes for a big table), while
 * it finalizes one (assembling an export file) or while it notifies: those steps did not heartbeat, so the server
 * noticed the dead worker only when the step's start-to-close timeout ran out — two hours for
 * planning, thirty minutes for finalizing and notifying — and the job sat "running" all that time. They now
 * heartbeat like a batch: another worker takes the step over within the heartbeat timeout.
 */
describeTemporal('Temporal: a worker killed while planning or finalizing', { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  const queue = taskQueue('step-crash');
  let p: TestProject;
  const workers: FerryWorker[] = [];
  const USERS = 40;
  const seen = new Set<string>();

  beforeAll(async () => {
    p = new TestProject();
    p.write('ferry.yaml', temporalConfig(server().address, queue, '', '4s'));
    p.write('users.json', generateUsers(USERS));
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 10 }\n');
    const seeding = await startWorker(p.dir);
    const run = startRun(p.dir, 'import.yaml');
    expect(await run.exit, run.out.stderr).toBe(0);
    await seeding.stop();
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) await w.kill();
    p?.cleanup();
  });

  async function crashIn(step: string, pause: string): Promise<void> {
    const doomed = await startWorker(p.dir, { FERRY_FAILPOINTS: `${pause}=pause:600000` });
    workers.push(doomed);
    p.write(`export-${step}.yaml`, `source: { connection: users, query: "*" }\ntarget: { file: out-${step}.csv }\nbatch: { size: 10 }\n`);
    const run = startRun(p.dir, `export-${step}.yaml`);
    let job: string | undefined;
    await until(async () => (job = (await runningJobs(server().address, queue)).find((id) => !seen.has(id))) !== undefined);
    seen.add(job!);
    await until(async () => (await pendingActivities(server().address, job!)).some((a) => a.type === step && a.started));
    await doomed.kill();
    const started = Date.now();
    workers.push(await startWorker(p.dir));
    expect(await run.exit, run.out.stderr).toBe(0);
    // Within a few heartbeat timeouts, not the step's start-to-close timeout.
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(run.report().summary).toMatchObject({ total: USERS, exported: USERS, rejected: 0 });
    const lines = readFileSync(join(p.dir, `out-${step}.csv`), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(USERS + 1);
    expect(new Set(lines).size).toBe(USERS + 1);
    // The next crash needs a queue whose only worker is the one that pauses.
    for (const w of workers.splice(0)) await w.stop();
  }

  it('killed while planning an export from a store: another worker plans it and the job ends exact', async () => {
    await crashIn('planJob', 'plan-before-scan');
  });

  it('killed while finalizing: another worker finalizes it and the job ends exact', async () => {
    await crashIn('finalizeJob', 'finalize-start');
  });

  it('killed while its webhook does not answer: another worker sends it again, with the same delivery id', async () => {
    const hook = await startHttp((n) => (n === 1 ? 'hang' : { status: 200 }));
    try {
      const doomed = await startWorker(p.dir);
      workers.push(doomed);
      p.write('notified.yaml', `source: { file: users.json }\ntarget: { connection: users, upsert: true }\nnotify:\n  - webhook: ${hook.url}/hook\n`);
      const run = startRun(p.dir, 'notified.yaml');
      await until(() => hook.requests.length === 1);
      await doomed.kill();
      const started = Date.now();
      workers.push(await startWorker(p.dir));
      expect(await run.exit, run.out.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(120_000);
      expect(run.report().summary).toMatchObject({ total: USERS, unchanged: USERS, rejected: 0 });
      expect(hook.requests).toHaveLength(2);
      expect(hook.requests[1]!.headers['ferry-delivery-id']).toBe(hook.requests[0]!.headers['ferry-delivery-id']);
    } finally {
      for (const w of workers.splice(0)) await w.stop();
      await hook.close();
    }
  });
});
