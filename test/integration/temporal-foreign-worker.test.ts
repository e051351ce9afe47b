import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { pendingActivities, startRun, startWorker, taskQueue, temporalConfig, until, withTestClient, type FerryWorker } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Two projects on one task queue, sharing a state dir (as workers on several machines do), with
 * stores of their own: once project A's worker planned a job, a batch that lands on project B's
 * worker (A's worker died mid-batch) must not write into B's store. It did: planJob was the only
 * step that compared projects, so the job succeeded with part of its rows in the other project's
 * database.
 */
/**
 * Users in the source: 10 batches of 2000, each chunk held 1 s before its write, so the job runs for
 * 20 s or more and the kill lands mid-job however fast the other worker starts (with 4,000 users the
 * job could end before the kill, and the run exited 0).
 */
const USERS = 20_000;

describeTemporal('A worker of another project on the queue writes no batch of the job', { timeout: 240_000 }, () => {
  const server = useTemporalServer();
  const shared = tempDir('ferry-shared-state-');
  let a: TestProject;
  let b: TestProject;
  const workers: FerryWorker[] = [];

  beforeAll(() => {
    const queue = taskQueue('foreign');
    const state = `state_dir: ${JSON.stringify(join(shared.dir, 'state'))}\n`;
    const store = (file: string): string => `connections:\n  users: { driver: sqlite, path: ${file}, table: users }\n`;
    a = new TestProject();
    b = new TestProject();
    // A 3 s heartbeat timeout: the batch of a killed worker is retried soon, on the worker left.
    a.write('ferry.yaml', temporalConfig(server().address, queue, state + store('.ferry/users.db'), '3s'));
    b.write('ferry.yaml', temporalConfig(server().address, queue, state + store('.ferry/other.db'), '3s'));
    // The same pipeline and source in both: only where the rows go differs.
    for (const p of [a, b]) {
      p.write('users.json', generateUsers(USERS, 9));
      p.write(
        'k.yaml',
        'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 2000, parallelism: 1 }\nretry: { max_attempts: 3, initial_interval: 200ms, max_interval: 200ms }\n',
      );
    }
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    a?.cleanup();
    b?.cleanup();
    shared.cleanup();
  });

  const count = (p: TestProject, db: string): number =>
    existsSync(join(p.dir, db)) && p.rows("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'users'", db)[0]!['n'] === 1
      ? Number(p.rows('SELECT count(*) AS n FROM users', db)[0]!['n'])
      : 0;

  it('the batch fails on the other project’s worker, naming the projects; a resume on the job’s own worker finishes it', async () => {
    const own = await startWorker(a.dir, { FERRY_FAILPOINTS: 'chunk-before-write=pause:1000' });
    workers.push(own);
    const run = startRun(a.dir, 'k.yaml');
    let id: string | undefined;
    await until(async () => {
      id = await withTestClient(server().address, async (c) => {
        for await (const w of c.workflow.list({ query: `ExecutionStatus = 'Running' AND WorkflowType = 'pipelineWorkflow'` })) return w.workflowId;
        return undefined;
      });
      return id !== undefined && (await pendingActivities(server().address, id)).some((x) => x.type === 'runBatch' && x.started && x.heartbeat);
    });
    const other = await startWorker(b.dir);
    workers.push(other);
    await own.kill(); // mid-batch: its first chunk committed, the second not yet

    expect(await run.exit, run.out.stderr).toBe(1);
    const failed = run.report() as ReturnType<typeof run.report> & { error: { message: string } };
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toMatch(/this worker serves project "[^"]+": its ferry\.yaml has other stores/);
    expect(count(b, '.ferry/other.db')).toBe(0);

    await other.kill();
    workers.push(await startWorker(a.dir));
    const resumed = a.ferry('jobs', 'resume', id!, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'succeeded', summary: { total: USERS, inserted: USERS, rejected: 0 } });
    expect(count(a, '.ferry/users.db')).toBe(USERS);
    expect(count(b, '.ferry/other.db')).toBe(0);
  });

  it('a copy of the project whose state dir is its own fails the batch saying so, not ENOENT', async () => {
    const queue = taskQueue('unshared');
    const [c, d] = [new TestProject(), new TestProject()];
    try {
      for (const p of [c, d]) {
        p.write('ferry.yaml', temporalConfig(server().address, queue, '', '3s'));
        p.write('users.json', generateUsers(USERS, 10));
        p.write(
          'k.yaml',
          'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 2000, parallelism: 1 }\nretry: { max_attempts: 3, initial_interval: 200ms, max_interval: 200ms }\n',
        );
      }
      const own = await startWorker(c.dir, { FERRY_FAILPOINTS: 'chunk-before-write=pause:1000' });
      workers.push(own);
      const run = startRun(c.dir, 'k.yaml');
      let id: string | undefined;
      await until(async () => {
        id = await withTestClient(server().address, async (client) => {
          for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running' AND TaskQueue = '${queue}' AND WorkflowType = 'pipelineWorkflow'` }))
            return w.workflowId;
          return undefined;
        });
        return id !== undefined && (await pendingActivities(server().address, id)).some((x) => x.type === 'runBatch' && x.started && x.heartbeat);
      });
      workers.push(await startWorker(d.dir));
      await own.kill();
      expect(await run.exit, run.out.stderr).toBe(1);
      const failed = run.report() as ReturnType<typeof run.report> & { error: { message: string } };
      expect(failed.error.message).toMatch(/was planned on a worker whose state dir this worker does not share: its plan \S+plan\.json is not here/);
      expect(failed.error.message).not.toContain('ENOENT');
    } finally {
      c.cleanup();
      d.cleanup();
    }
  });
});
