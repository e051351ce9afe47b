import { existsSync, readdirSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { generateUsers } from '../helpers/users.js';

/**
 * The embedded engine runs a multi-batch job's batches on worker threads (FERRY_BATCH_THREADS,
 * default 2), SQLite writes taking turns in batch order. What a job writes and reports must not
 * depend on it.
 */
const USERS = 2400;
let p: TestProject;

beforeEach(() => {
  p = new TestProject();
  // Duplicates stay inside their original's batch (size a multiple of 10): one exact expected table.
  p.write('users.json', generateUsers(USERS, 7, { invalidEvery: 37, duplicateEvery: 50 }));
  p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 4 }\n');
});
afterEach(() => p.cleanup());

function start(project: TestProject, args: string[], env: Record<string, string>) {
  const child = startFerry(args, { cwd: project.dir, env });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit };
}

const table = (project: TestProject): Record<string, unknown>[] =>
  project.rows('SELECT email, given_name, family_name, app_metadata, user_metadata FROM users ORDER BY email');

const hasProc = existsSync('/proc/self/task');

/**
 * The most threads (Linux tasks) a `ferry run` of 800 users in batches of 100 had at once, with
 * `files` added to its project (a ferry.yaml). Each chunk pauses 300 ms before its write, so
 * batches are in flight while the threads are counted.
 */
async function mostTasks(files: Record<string, string>, env: Record<string, string>): Promise<number> {
  const project = new TestProject();
  try {
    for (const [name, text] of Object.entries(files)) project.write(name, text);
    project.write('users.json', generateUsers(800));
    project.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 4 }\n');
    return await tasksUntilExit(start(project, ['run', 'import.yaml'], { ...env, FERRY_FAILPOINTS: 'chunk-before-write=pause:300' }));
  } finally {
    project.cleanup();
  }
}

/** The most threads (Linux tasks) `run`'s process had at once while `counting()` held, sampled every 20 ms; it must exit 0. */
async function tasksUntilExit(run: ReturnType<typeof start>, counting: () => boolean = () => true): Promise<number> {
  let most = 0;
  const sample = setInterval(() => {
    try {
      if (counting()) most = Math.max(most, readdirSync(`/proc/${run.child.pid}/task`).length);
    } catch {
      // The process has just exited.
    }
  }, 20);
  const code = await run.exit;
  clearInterval(sample);
  expect(code, run.out.stderr).toBe(0);
  return most;
}

describe('batch threads', { timeout: 180_000 }, () => {
  it('write the same table, summary and rejects as the main thread alone', async () => {
    const alone = new TestProject();
    try {
      alone.write('users.json', generateUsers(USERS, 7, { invalidEvery: 37, duplicateEvery: 50 }));
      alone.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 4 }\n');
      const [threaded, single] = [
        start(p, ['run', 'import.yaml', '--json'], { FERRY_BATCH_THREADS: '2' }),
        start(alone, ['run', 'import.yaml', '--json'], { FERRY_BATCH_THREADS: '0' }),
      ];
      expect(await threaded.exit, threaded.out.stderr).toBe(0);
      expect(await single.exit, single.out.stderr).toBe(0);
      const [a, b] = [JSON.parse(threaded.out.stdout) as JobReportJson, JSON.parse(single.out.stdout) as JobReportJson];
      expect(a.summary).toEqual(b.summary);
      expect(a.summary.rejected).toBeGreaterThan(0);
      expect(a.summary.inserted).toBeGreaterThan(2000);
      expect(table(p)).toEqual(table(alone));
      const rejects = (project: TestProject, report: JobReportJson) => project.rejects(report).map((r) => ({ row: r.row, codes: r.errors.map((e) => e.code) }));
      expect(rejects(p, a)).toEqual(rejects(alone, b));
      expect(rejects(p, a).flatMap((r) => r.codes)).toContain('DUPLICATE_IN_SOURCE');
    } finally {
      alone.cleanup();
    }
  });

  it('go on when a thread dies in the middle of a write (as out of memory): its batch is retried, nothing lost or doubled', async () => {
    const alone = new TestProject();
    try {
      alone.write('users.json', generateUsers(USERS, 7, { invalidEvery: 37, duplicateEvery: 50 }));
      alone.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 4 }\n');
      const single = start(alone, ['run', 'import.yaml'], { FERRY_BATCH_THREADS: '0' });
      expect(await single.exit, single.out.stderr).toBe(0);
      // The thread that reaches the 3rd batch's commit stops there, holding the write turn.
      const run = start(p, ['run', 'import.yaml', '--json'], { FERRY_BATCH_THREADS: '2', FERRY_FAILPOINTS: 'batch-before-commit=thread:3' });
      expect(await run.exit, run.out.stderr).toBe(0);
      expect(run.out.stderr).toMatch(/runBatch:\d+: attempt 1 failed \(a batch thread stopped: .*\); retrying in \d+ ms/);
      expect(table(p)).toEqual(table(alone));
    } finally {
      alone.cleanup();
    }
  });

  it('give a batch too big for the thread heap limit the heap it needs: its thread runs out, and the retry runs on a thread without the limit', async () => {
    // 8 batches of 300 on 4 threads; the last batch's rows carry 64 KB of metadata each: ~19 MB of
    // text, parsed and encoded again, more than a 16 MB heap. When it runs out, the other threads
    // (with the limit, and idle by then) must not take its retry.
    const users = generateUsers(2400, 5).map((u, i) => (i < 2100 ? u : { ...u, user_metadata: { bio: `${i} `.padEnd(64_000, 'x') } }));
    p.write('users.json', users);
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 300, parallelism: 4 }\n');
    const run = start(p, ['run', 'import.yaml', '--json'], { FERRY_BATCH_THREADS: '4', FERRY_BATCH_THREAD_HEAP_MB: '16' });
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.out.stderr).toMatch(
      /runBatch:7: attempt 1 failed \(a batch thread stopped: it ran out of its 16 MB heap \(FERRY_BATCH_THREAD_HEAP_MB\); threads run without that limit from now on\)/,
    );
    expect(run.out.stderr).not.toMatch(/attempt 2 failed/);
    expect((JSON.parse(run.out.stdout) as JobReportJson).summary).toMatchObject({ total: 2400, inserted: 2400, rejected: 0 });
    const stored = p.rows("SELECT count(*) AS n, sum(length(json_extract(user_metadata, '$.bio'))) AS bytes FROM users WHERE user_metadata LIKE '%bio%'")[0];
    expect(stored).toEqual({ n: 300, bytes: 300 * 64_000 });
    expect(p.rows('SELECT count(*) AS n FROM users')[0]).toEqual({ n: 2400 });
  });

  it.skipIf(!hasProc)('run the batches on threads of their own, by default too (Linux: counted in /proc)', async () => {
    const none = await mostTasks({}, { FERRY_BATCH_THREADS: '0' });
    expect(await mostTasks({}, { FERRY_BATCH_THREADS: '2' })).toBeGreaterThanOrEqual(none + 2);
    expect(await mostTasks({}, {})).toBeGreaterThanOrEqual(none + 2);
  });

  it.skipIf(!hasProc)('start while an export is planned, not after (Linux: counted in /proc); a --sample starts none', async () => {
    const project = new TestProject();
    try {
      project.write('users.json', generateUsers(300));
      project.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
      expect(project.run('import.yaml').code).toBe(0);
      project.write('export.yaml', 'source: { connection: users }\ntarget: { file: out/users.csv }\nbatch: { size: 100 }\n');
      /** The most tasks of a `ferry run` while its plan is held before its scan (plan.json not yet written). */
      const tasksWhilePlanning = async (args: string[], env: Record<string, string>): Promise<number> => {
        // No plan.json of an earlier job: the sampling below stops at this job's.
        rmSync(`${project.dir}/.ferry/jobs`, { recursive: true, force: true });
        const run = start(project, ['run', 'export.yaml', ...args], { ...env, FERRY_FAILPOINTS: 'plan-before-scan=pause:1500' });
        const jobs = `${project.dir}/.ferry/jobs`;
        return tasksUntilExit(run, () => !(existsSync(jobs) && readdirSync(jobs).some((job) => existsSync(`${jobs}/${job}/plan.json`))));
      };
      const none = await tasksWhilePlanning([], { FERRY_BATCH_THREADS: '0' });
      expect(await tasksWhilePlanning([], { FERRY_BATCH_THREADS: '2' })).toBeGreaterThanOrEqual(none + 2);
      expect(await tasksWhilePlanning(['--sample', '5'], { FERRY_BATCH_THREADS: '2' })).toBeLessThan(none + 2);
    } finally {
      project.cleanup();
    }
  });

  it.runIf(hasProc)('stop before the finalize of the last job using them: their heaps are given back before it joins its files', async () => {
    const project = new TestProject();
    try {
      project.write('users.json', generateUsers(800));
      project.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 4 }\n');
      const parts = `${project.dir}/.ferry/jobs`;
      /** Every batch has left its reject part: the finalize, held 2 s at its start, is next. */
      const batchesDone = (): boolean =>
        existsSync(parts) &&
        readdirSync(parts).some(
          (job) => existsSync(`${parts}/${job}/parts`) && readdirSync(`${parts}/${job}/parts`).filter((f) => /^rejects-\d{6}\.ndjson$/.test(f)).length === 8,
        );
      let finishedAt: number | undefined;
      /** Counted 0.5–1.5 s after the last batch: inside the finalize's pause, clear of the batches and of the process's exit. */
      const finalizing = (): boolean => {
        if (finishedAt === undefined && batchesDone()) finishedAt = Date.now();
        return finishedAt !== undefined && Date.now() - finishedAt > 500 && Date.now() - finishedAt < 1500;
      };
      const env = { FERRY_BATCH_THREADS: '2', FERRY_FAILPOINTS: 'chunk-before-write=pause:100,finalize-start=pause:2000' };
      const whileFinalizing = await tasksUntilExit(start(project, ['run', 'import.yaml'], env), finalizing);
      const whileRunning = await mostTasks({}, { FERRY_BATCH_THREADS: '2' });
      expect(whileFinalizing).toBeGreaterThan(0);
      expect(whileFinalizing).toBeLessThanOrEqual(whileRunning - 2);
    } finally {
      project.cleanup();
    }
  });

  it('write batches in order: of a key repeated across batches the first row wins, even when its batch maps last', async () => {
    const users = generateUsers(300);
    users[150] = { ...users[150], email: users[5]!['email'], given_name: 'Later' };
    p.write('users.json', users);
    // Batch 0 waits 1.5 s before each write; batch 1 maps meanwhile, and must not write first.
    const run = start(p, ['run', 'import.yaml', '--json'], { FERRY_BATCH_THREADS: '2', FERRY_FAILPOINTS: 'batch-0-before-write=pause:1500' });
    expect(await run.exit, run.out.stderr).toBe(0);
    const report = JSON.parse(run.out.stdout) as JobReportJson;
    expect(report.summary).toMatchObject({ inserted: 299, rejected: 1 });
    expect(p.rejects(report).map((r) => ({ row: r.row, codes: r.errors.map((e) => e.code) }))).toEqual([{ row: 151, codes: ['DUPLICATE_IN_SOURCE'] }]);
    expect(p.rows("SELECT given_name FROM users WHERE email = 'user5@example.com'")).toEqual([{ given_name: 'Given5' }]);
  });

  it('refuse a thread count that is not a whole number from 0 to 64, as a usage error, before any job', async () => {
    for (const bad of ['abc', '-1', '65', '1.5']) {
      const run = start(p, ['run', 'import.yaml'], { FERRY_BATCH_THREADS: bad });
      expect(await run.exit).toBe(2);
      expect(run.out.stderr.trim()).toBe(`environment FERRY_BATCH_THREADS: must be a whole number from 0 to 64, got ${JSON.stringify(bad)}`);
    }
    for (const bad of ['8', '-1', '64MB']) {
      const run = start(p, ['run', 'import.yaml'], { FERRY_BATCH_THREAD_HEAP_MB: bad });
      expect(await run.exit).toBe(2);
      expect(run.out.stderr.trim()).toBe(`environment FERRY_BATCH_THREAD_HEAP_MB: must be 0 or a whole number of MB from 16, got ${JSON.stringify(bad)}`);
    }
    expect(existsSync(`${p.dir}/.ferry/users.db`)).toBe(false);
  });

  it("carry a failed batch's error to the engine, which retries it: a locked store waits, then the job succeeds", async () => {
    p.write(
      'import.yaml',
      'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 4 }\nretry: { max_attempts: 30, initial_interval: 100ms, max_interval: 400ms }\n',
    );
    // The store exists, with its table, before the lock is taken.
    p.write(
      'seed.json',
      generateUsers(1, 99).map((u) => ({ ...u, email: 'seed@example.com' })),
    );
    p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
    expect(p.run('seed.yaml').code).toBe(0);
    const unlock = p.lockStore();
    const run = start(p, ['run', 'import.yaml', '--json'], { FERRY_BATCH_THREADS: '2', FERRY_SQLITE_BUSY_TIMEOUT_MS: '50' });
    for (const end = Date.now() + 60_000; Date.now() < end && !run.out.stderr.includes('retrying in');) await new Promise((r) => setTimeout(r, 50));
    unlock();
    expect(await run.exit, run.out.stderr).toBe(0);
    expect(run.out.stderr).toMatch(/runBatch:\d+: attempt \d+ failed \(.*locked.*\); retrying in \d+ ms/i);
    const report = JSON.parse(run.out.stdout) as JobReportJson;
    expect(report.summary.inserted + report.summary.rejected).toBe(USERS);
  });
});

describePostgres('batch threads and PostgreSQL', () => {
  const server = usePostgresServer({ passwordEnv: 'FERRY_TEST_PG_PASSWORD' });
  const pgProject = async (): Promise<Record<string, string>> => ({
    'ferry.yaml': usersConnectionYaml(server(), await server().createDatabase(), 'FERRY_TEST_PG_PASSWORD'),
  });

  // A PostgreSQL batch mostly waits on the server: 4 in flight on the main thread beat 2 threads (0.83× measured).
  it.skipIf(!hasProc)('a PostgreSQL job stays on the main thread by default; FERRY_BATCH_THREADS puts it on threads', { timeout: 180_000 }, async () => {
    const byDefault = await mostTasks(await pgProject(), {});
    expect(await mostTasks(await pgProject(), { FERRY_BATCH_THREADS: '2' })).toBeGreaterThanOrEqual(byDefault + 2);
  });
});
