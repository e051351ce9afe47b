import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/engine/embedded/journal.js';
import { REPEAT_WINDOW_MS } from '../../src/cli/interrupt.js';
import { startFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Outages and operators: a locked database is retried with backoff and the job succeeds once the
 * lock goes; a lock that stays fails the job cleanly, and it resumes later. Ctrl-C stops after the
 * batches in flight; a second Ctrl-C stops at once; either way the table is consistent and the job
 * resumes to the exact result.
 */

const USERS = 4000;
let p: TestProject;

beforeEach(() => {
  p = new TestProject();
  p.write('seed.json', [{ email: 'seed@example.com' }]);
  p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
  p.write('users.json', generateUsers(USERS, 5));
  expect(p.run('seed.yaml').report.status).toBe('succeeded');
});
afterEach(() => p.cleanup());

const pipeline = (retry: string, batch = 'batch: { size: 50, parallelism: 1 }'): void => {
  p.write('import.yaml', `source: { file: users.json }\ntarget: { connection: users }\n${batch}\nretry: ${retry}\n`);
};

/** Starts `ferry <args>` with a short SQLite busy timeout, so a held lock surfaces quickly as SQLITE_BUSY. */
function start(args: string[], env: Record<string, string> = {}) {
  const child = startFerry(args, { cwd: p.dir, env: { FERRY_SQLITE_BUSY_TIMEOUT_MS: '50', ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, out, exit };
}

const userCount = (): number => Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);
const finishedBatches = (): number => {
  const journal = new Database(join(p.dir, '.ferry/journal.db'), { readonly: true });
  try {
    // The import's batches only, not the seed job's.
    return Number((journal.prepare(`SELECT count(*) AS n FROM steps WHERE key LIKE 'runBatch:%' AND job LIKE 'import-%'`).get() as { n: number }).n);
  } finally {
    journal.close();
  }
};
const until = async (what: () => boolean, ms = 60_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (what()) return;
  throw new Error('timed out waiting');
};
const jobOf = (stderr: string): string => /job (\S+) started/.exec(stderr)![1]!;

describe('a locked database', { timeout: 180_000 }, () => {
  it('is retried with backoff, and the job succeeds once the lock goes', async () => {
    pipeline('{ max_attempts: 30, initial_interval: 100ms, max_interval: 400ms }');
    const unlock = p.lockStore();
    const run = start(['run', 'import.yaml']);
    await until(() => run.out.stderr.includes('retrying in'));
    unlock();
    const { code } = await run.exit;
    expect(run.out.stderr).toMatch(/runBatch:0: attempt \d+ failed \(.*locked.*\); retrying in \d+ ms/i);
    expect(code).toBe(0);
    expect(userCount()).toBe(USERS + 1);
  });

  it('fails the job cleanly when the lock stays, and the job resumes once it is gone', async () => {
    pipeline('{ max_attempts: 3, initial_interval: 50ms, max_interval: 100ms }');
    const unlock = p.lockStore();
    const run = start(['run', 'import.yaml', '--json']);
    const { code } = await run.exit;
    unlock();
    expect(code).toBe(1);
    const report = JSON.parse(run.out.stdout) as JobReportJson;
    expect(report.status).toBe('failed');
    const show = JSON.parse(p.ferry('jobs', 'show', report.job, '--json').stdout) as { error: string };
    expect(show.error).toMatch(/^batch 0: .*locked/i);
    expect(userCount()).toBe(1);
    const resumed = p.ferry('jobs', 'resume', report.job, '--json');
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.stdout) as JobReportJson).summary).toMatchObject({ total: USERS, inserted: USERS, rejected: 0 });
    expect(userCount()).toBe(USERS + 1);
  });
});

describe('Ctrl-C and cancel', { timeout: 180_000 }, () => {
  beforeEach(() => pipeline('{ max_attempts: 2 }'));

  it('a first Ctrl-C stops after the batch in flight: cancelled, consistent, resumable', async () => {
    // Each chunk waits 200 ms, so the job is still running when the signal comes, however fast the machine.
    const run = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:200' });
    await until(() => finishedBatches() >= 2);
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(1);
    expect(run.out.stderr).toContain('stopping after the batches in flight');
    const id = jobOf(run.out.stderr);
    const show = JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as {
      status: string;
      summary: { inserted: number };
      batches: { done: number; total: number };
    };
    expect(show.status).toBe('cancelled');
    expect(show.batches.done).toBeLessThan(show.batches.total);
    expect(userCount()).toBe(show.summary.inserted + 1);
    expect(p.ferry('jobs', 'resume', id).code).toBe(0);
    expect(userCount()).toBe(USERS + 1);
  });

  it('a second Ctrl-C stops at once: interrupted, consistent, resumable to the exact result', async () => {
    // Each chunk waits 2 s before writing: the batch is surely in flight when the second Ctrl-C comes.
    pipeline('{ max_attempts: 2 }', 'batch: { size: 1000, parallelism: 1 }');
    const run = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:2000' });
    await until(() => finishedBatches() >= 1);
    run.child.kill('SIGINT');
    // Two signals sent back to back may arrive as one, and one within REPEAT_WINDOW_MS of the first
    // is taken for it delivered twice: send the second once the first was seen, a moment later.
    await until(() => run.out.stderr.includes('stopping after the batches in flight'));
    await new Promise((r) => setTimeout(r, REPEAT_WINDOW_MS + 100));
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(130);
    const id = jobOf(run.out.stderr);
    const list = p.ferry('jobs', 'list').stdout;
    expect(list).toMatch(new RegExp(`${id}\\s+interrupted`));
    // Whole batches only: the one in flight either committed completely or not at all.
    expect((userCount() - 1) % 1000).toBe(0);
    expect(userCount() - 1).toBeGreaterThanOrEqual(finishedBatches() * 1000);
    const resumed = p.ferry('jobs', 'resume', id, '--json');
    expect((JSON.parse(resumed.stdout) as JobReportJson).summary).toMatchObject({ total: USERS, inserted: USERS });
    expect(userCount()).toBe(USERS + 1);
  });

  it('with --json, a run a second Ctrl-C stops prints the error object a script reads: exit 130 and how to resume', async () => {
    pipeline('{ max_attempts: 2 }', 'batch: { size: 1000, parallelism: 1 }');
    const run = start(['run', 'import.yaml', '--json'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:2000' });
    await until(() => finishedBatches() >= 1);
    run.child.kill('SIGINT');
    await until(() => run.out.stderr.includes('stopping after the batches in flight'));
    await new Promise((r) => setTimeout(r, REPEAT_WINDOW_MS + 100));
    run.child.kill('SIGINT');
    expect((await run.exit).code).toBe(130);
    const id = /^(import-\S+)\s+interrupted/m.exec(p.ferry('jobs', 'list').stdout)![1]!;
    expect(JSON.parse(run.out.stdout)).toEqual({
      error: { message: `stopped by a second SIGINT: job ${id} did not end; ferry jobs resume ${id} continues it`, exit: 130 },
    });
  });

  it('one SIGTERM delivered twice (timeout, a process-group kill, npx) stops gracefully, as one: cancelled, not interrupted', async () => {
    const run = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' });
    await until(() => finishedBatches() >= 2 && run.out.stderr.includes(' started'));
    // As coreutils `timeout` does: to the child, then to its process group, a few milliseconds apart.
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code).toBe(1);
    const id = jobOf(run.out.stderr);
    expect((JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { status: string }).status).toBe('cancelled');
    expect(run.out.stderr.match(/stopping after the batches in flight/g)).toHaveLength(1);
  });

  it('Ctrl-C on a run that follows the same submission running in another process detaches; the job keeps running', async () => {
    pipeline('{ max_attempts: 2 }', 'batch: { size: 500, parallelism: 1 }');
    const owner = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' });
    await until(() => finishedBatches() >= 1 && owner.out.stderr.includes(' started'));
    const id = jobOf(owner.out.stderr);
    const follower = start(['run', 'import.yaml']);
    await until(() => follower.out.stderr.includes('already running this submission'));
    follower.child.kill('SIGINT');
    expect((await follower.exit).code).toBe(130);
    expect(follower.out.stderr).toContain(
      `stopped following job ${id}; it keeps running (run 1, process ${owner.child.pid}) — ferry jobs cancel ${id} stops it`,
    );
    expect(follower.out.stderr).not.toContain('stopping after the batches in flight');
    // The owner was not asked to stop: it runs to the end.
    expect((await owner.exit).code).toBe(0);
    expect(owner.out.stderr).not.toContain('cancel');
    expect(userCount()).toBe(USERS + 1);
  });

  it('a cancel request stops the job after the batch in flight, not at the next heartbeat', async () => {
    // 300 ms a batch, one at a time: waiting for the 2 s heartbeat would let about 7 more batches start.
    pipeline('{ max_attempts: 2 }', 'batch: { size: 50, parallelism: 1 }');
    const run = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' });
    await until(() => finishedBatches() >= 2 && run.out.stderr.includes(' started'));
    const id = jobOf(run.out.stderr);
    // The request as `ferry jobs cancel` writes it, at a known moment (the CLI's own start-up would blur it).
    const journal = new Journal(join(p.dir, '.ferry'));
    const atRequest = finishedBatches();
    journal.requestCancel(id);
    journal.close();
    expect((await run.exit).code).toBe(1);
    const show = JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { status: string; batches: { done: number } };
    expect(show.status).toBe('cancelled');
    // The batch in flight at the request, and at most one that started just before it was read.
    expect(show.batches.done - atRequest).toBeLessThanOrEqual(2);
  });

  it('ferry jobs cancel of a job whose process is stopped says so at once, and the job obeys once continued', async () => {
    pipeline('{ max_attempts: 2 }', 'batch: { size: 50, parallelism: 1 }');
    const run = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' });
    await until(() => finishedBatches() >= 1 && run.out.stderr.includes(' started'));
    const id = jobOf(run.out.stderr);
    const pid = run.child.pid!;
    run.child.kill('SIGSTOP');
    try {
      const list = p.ferry('jobs', 'list');
      expect(list.stdout).toMatch(
        new RegExp(`${id}\\s+stopped\\s.*\\(process ${pid}, which is stopped \\(SIGSTOP or Ctrl-Z\\): kill -CONT ${pid} continues it\\)`),
      );
      expect(list.stdout).not.toContain('ETA');
      const show = p.ferry('jobs', 'show', id);
      expect(show.stdout).toContain(`held by    process ${pid}, which is stopped`);
      expect(show.stdout).not.toContain('ETA');
      expect((JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { stopped_process?: number }).stopped_process).toBe(pid);
      // Before: cancel waited for ever on a process that could not act on the request.
      const cancel = start(['jobs', 'cancel', id]);
      const ended = await Promise.race([cancel.exit, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000))]);
      if (ended === 'hung') cancel.child.kill('SIGKILL');
      expect(ended).toEqual({ code: 1, signal: null });
      expect(cancel.out.stderr).toContain(`cancel requested, but job ${id} is held by process ${pid}, which is stopped (SIGSTOP or Ctrl-Z)`);
      expect(cancel.out.stderr).toContain(`kill -CONT ${pid}`);
    } finally {
      run.child.kill('SIGCONT');
    }
    // The request was recorded: continued, the job stops after its batch in flight.
    expect((await run.exit).code).toBe(1);
    expect((JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { status: string }).status).toBe('cancelled');
  });

  it('ferry jobs cancel stops a job running in another process', async () => {
    // Each chunk waits 300 ms: the job (80 batches) surely outlasts starting a second CLI process.
    pipeline('{ max_attempts: 2 }', 'batch: { size: 50, parallelism: 1 }');
    const run = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' });
    await until(() => finishedBatches() >= 1 && run.out.stderr.includes(' started'));
    const id = jobOf(run.out.stderr);
    const cancel = p.ferry('jobs', 'cancel', id);
    expect(cancel.stdout + cancel.stderr).toContain(`job ${id} cancelled`);
    // Said at once, not only when the job has ended: a job finishing its notifications can take a while.
    expect(cancel.stderr).toContain(`cancel requested: job ${id} stops before its next batch; waiting for it to end…`);
    expect((await run.exit).code).toBe(1);
    expect(p.ferry('jobs', 'resume', id).code).toBe(0);
    expect(userCount()).toBe(USERS + 1);
  });
});
