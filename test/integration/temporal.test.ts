import type { ChildProcess } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startFerry } from '../helpers/cli.js';
import { exportPipeline } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { startRun, temporalConfig, until } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * End to end on a real Temporal server (`temporal server start-dev`, see test/helpers/temporal-server.ts)
 * with a real `ferry worker`: the example import and an export give the same summaries, table and
 * files as on the embedded engine, and two jobs writing one table take turns (unless both are
 * `batch.exclusive: false`).
 */
describeTemporal('Temporal engine end to end', () => {
  const server = useTemporalServer();
  let address: string;
  let worker: ChildProcess | undefined;
  let embedded: TestProject;
  let temporal: TestProject;

  beforeAll(async () => {
    embedded = new TestProject();
    temporal = new TestProject();
    address = server().address;
    const taskQueue = `ferry-e2e-${process.pid}`;
    temporal.write('ferry.yaml', temporalConfig(address, taskQueue));
    for (const p of [embedded, temporal]) cpSync(join(repoRoot, 'pipelines', 'examples'), join(p.dir, 'pipelines', 'examples'), { recursive: true });
    worker = startFerry(['worker'], { cwd: temporal.dir });
    await outputLine(worker, /ferry worker: /);
  }, 180_000);

  afterAll(async () => {
    worker?.kill('SIGTERM');
    await new Promise((r) => (worker ? worker.once('exit', r) : r(null)));
    embedded?.cleanup();
    temporal?.cleanup();
  });

  it('imports the example users with the same summary, table and rejects as the embedded engine', () => {
    const a = embedded.run('pipelines/examples/import-users.yaml');
    const b = temporal.run('pipelines/examples/import-users.yaml');
    expect(b.code, b.stderr).toBe(a.code);
    expect(b.report.engine).toBe('temporal');
    expect(b.report.status).toBe(a.report.status);
    expect(b.report.summary).toEqual(a.report.summary);
    const users = 'SELECT email, given_name, family_name, name, email_verified, user_metadata, app_metadata FROM users ORDER BY email';
    expect(temporal.rows(users)).toEqual(embedded.rows(users));
    const codes = (p: TestProject, r: typeof a.report) => p.rejects(r).map((x) => [x.row, x.errors.map((e) => e.code)]);
    expect(codes(temporal, b.report)).toEqual(codes(embedded, a.report));
  });

  it('exports the users with the same file as the embedded engine', () => {
    for (const p of [embedded, temporal]) p.write('export.yaml', exportPipeline({ file: 'out/users.ndjson', query: '_exists_:email', sort: '{ by: email }' }));
    const a = embedded.run('export.yaml');
    const b = temporal.run('export.yaml');
    expect(b.code, b.stderr).toBe(a.code);
    expect(b.report.summary).toEqual(a.report.summary);
    const file = (p: TestProject) => readFileSync(join(p.dir, 'out', 'users.ndjson'), 'utf8').replace(/"(user_id|created_at|updated_at)":"[^"]*"/g, '"$1":"…"');
    expect(file(temporal)).toEqual(file(embedded));
  });

  it('jobs list and show read the jobs from Temporal visibility and results', () => {
    const listed = temporal.ferry('jobs', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const jobs = listed.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { job: string; status: string; engine: string });
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(jobs.every((j) => j.engine === 'temporal' && j.status === 'succeeded')).toBe(true);
    const shown = temporal.ferry('jobs', 'show', jobs[0]!.job, '--json');
    expect(JSON.parse(shown.stdout)).toMatchObject({ job: jobs[0]!.job, engine: 'temporal', status: 'succeeded' });
  });

  /**
   * One writer per table, as on the embedded engine (test/integration/submissions.test.ts): the
   * test holds the store's write lock, so the first job retries its first batch (a long retry
   * policy, a short busy timeout on the worker) for as long as the test needs, holding the table.
   */
  describe('one writer per table (batch.exclusive)', { timeout: 180_000 }, () => {
    const USERS = 200;
    let p: TestProject;
    let lockWorker: ChildProcess | undefined;

    beforeAll(async () => {
      p = new TestProject();
      p.write('ferry.yaml', temporalConfig(address, `ferry-tables-${process.pid}`));
      p.write('users.ndjson', ndjson(generateUsers(USERS, 5)));
      p.write('others.ndjson', ndjson(generateUsers(USERS, 7).map((u, i) => ({ ...u, email: `other${i}@example.com` }))));
      p.write('seed.json', [{ email: 'seed@example.com' }]);
      p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
      lockWorker = startFerry(['worker'], { cwd: p.dir, env: { FERRY_SQLITE_BUSY_TIMEOUT_MS: '50' } });
      await outputLine(lockWorker, /ferry worker: /);
      expect(p.run('seed.yaml').report.status).toBe('succeeded');
    }, 120_000);

    afterAll(async () => {
      lockWorker?.kill('SIGTERM');
      await new Promise((r) => (lockWorker ? lockWorker.once('exit', r) : r(null)));
      p?.cleanup();
    });

    const pipeline = (file: string, source: string, batch = 'batch: { size: 50, parallelism: 1 }'): void =>
      void p.write(
        file,
        `source: { file: ${source} }\ntarget: { connection: users, upsert: true }\n${batch}\nretry: { max_attempts: 100, initial_interval: 500ms, max_interval: 1s }\n`,
      );
    const userCount = (): number => Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);
    const statusOf = (id: string): string => (JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { status: string }).status;
    const jobOf = (pipelineName: string): string | undefined =>
      p
        .ferry('jobs', 'list', '--json')
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { job: string; pipeline: string; status: string })
        .find((j) => j.pipeline === pipelineName && j.status === 'running')?.job;
    /** `ferry run <file> --json` in the background; resolves once its job holds the table (running, not pending). */
    const startHolding = async (file: string, name: string) => {
      const run = startRun(p.dir, file);
      let id: string | undefined;
      await until(() => (id ??= jobOf(name)) !== undefined && statusOf(id) === 'running');
      return { ...run, id: id! };
    };

    it('a second job writing the same table is pending, says whom it waits for, and runs once the first ends', async () => {
      pipeline('import.yaml', 'users.ndjson');
      pipeline('other.yaml', 'others.ndjson');
      const unlock = p.lockStore();
      const first = await startHolding('import.yaml', 'import');
      const second = startRun(p.dir, 'other.yaml');
      const line = `waiting for job ${first.id}, which is writing to users table users (set batch.exclusive: false in both pipelines to let them run together)`;
      await until(() => second.out.stderr.includes(line));
      let waitingId: string | undefined;
      await until(() => (waitingId ??= jobOf('other')) !== undefined);
      expect(statusOf(waitingId!)).toBe('pending');
      expect(second.out.stderr.split(line)).toHaveLength(2); // said once
      unlock();
      expect([await first.exit, await second.exit]).toEqual([0, 0]);
      expect(second.report().summary).toMatchObject({ total: USERS, inserted: USERS });
      expect(userCount()).toBe(2 * USERS + 1);
    });

    it('with batch.exclusive: false in both pipelines, both write at once', async () => {
      const shared = 'batch: { size: 50, parallelism: 1, exclusive: false }';
      pipeline('import2.yaml', 'users.ndjson', shared);
      pipeline('other2.yaml', 'others.ndjson', shared);
      const unlock = p.lockStore();
      const first = await startHolding('import2.yaml', 'import2');
      const second = await startHolding('other2.yaml', 'other2');
      expect(second.out.stderr).not.toContain('waiting for job');
      unlock();
      expect([await first.exit, await second.exit]).toEqual([0, 0]);
    });

    it('Ctrl-C while waiting cancels the waiting job without running anything; the first goes on', async () => {
      pipeline('import3.yaml', 'users.ndjson');
      pipeline('other3.yaml', 'others.ndjson');
      const unlock = p.lockStore();
      const first = await startHolding('import3.yaml', 'import3');
      const second = startRun(p.dir, 'other3.yaml');
      await until(() => second.out.stderr.includes('waiting for job'));
      second.child.kill('SIGINT');
      expect(await second.exit).toBe(1);
      expect(second.report()).toMatchObject({ status: 'cancelled', summary: { total: 0, inserted: 0 } });
      expect(statusOf(first.id)).toBe('running');
      unlock();
      expect(await first.exit).toBe(0);
    });
  });
});

function ndjson(records: object[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function outputLine(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`ferry worker exited (${code}) before it was ready:\n${seen}`)));
  });
}
