import Database from 'better-sqlite3';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * One job per submission, and one writer per table (`batch.exclusive`), end to end with real
 * processes. The first job is held deterministically: the test holds the store's write lock, so
 * the job retries its first batch (a long retry policy) until the test lets go — it is running,
 * past the target gate, for as long as the test needs, whatever the machine's speed.
 */

const USERS = 300;
const RETRY = 'retry: { max_attempts: 100, initial_interval: 500ms, max_interval: 1s }';
let p: TestProject;

beforeEach(() => {
  p = new TestProject();
  p.write('seed.json', [{ email: 'seed@example.com' }]);
  p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
  expect(p.run('seed.yaml').report.status).toBe('succeeded');
  p.write('users.ndjson', ndjson(generateUsers(USERS, 5)));
  p.write('others.ndjson', ndjson(generateUsers(USERS, 7).map((u, i) => ({ ...u, email: `other${i}@example.com` }))));
  pipeline('import.yaml', 'users.ndjson');
  pipeline('other.yaml', 'others.ndjson');
});
afterEach(() => p.cleanup());

function ndjson(records: object[]): string {
  return records.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

function pipeline(file: string, source: string, batch = 'batch: { size: 100, parallelism: 1 }'): void {
  p.write(file, `source: { file: ${source} }\ntarget: { connection: users, upsert: true }\n${batch}\n${RETRY}\n`);
}

/** `ferry <args>` in the background, with a short SQLite busy timeout so the held lock surfaces as a retry. */
function start(...args: string[]) {
  const child = startFerry(args, { cwd: p.dir, env: { FERRY_SQLITE_BUSY_TIMEOUT_MS: '50' } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exit, report: () => JSON.parse(out.stdout) as JobReportJson & { existing?: boolean } };
}

/** `ferry jobs list --json` of one pipeline: id and shown status, oldest first. */
function jobsOf(pipelineName: string): { job: string; status: string }[] {
  const lines = p.ferry('jobs', 'list', '--json').stdout.split('\n').filter(Boolean);
  return lines
    .map((l) => JSON.parse(l) as { job: string; pipeline: string; status: string; started_at: string })
    .filter((j) => j.pipeline === pipelineName)
    .sort((a, b) => a.started_at.localeCompare(b.started_at))
    .map(({ job, status }) => ({ job, status }));
}

/** The id of the one job of a pipeline. */
function onlyJob(pipelineName: string): string {
  const jobs = jobsOf(pipelineName);
  expect(jobs).toHaveLength(1);
  return jobs[0]!.job;
}

function journalRow(sql: string, ...params: unknown[]): Record<string, unknown> {
  const db = new Database(join(p.dir, '.ferry/journal.db'), { readonly: true });
  try {
    return db.prepare(sql).get(...params) as Record<string, unknown>;
  } finally {
    db.close();
  }
}

const userCount = (): number => Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);
const until = async (what: () => boolean, ms = 60_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (what()) return;
  throw new Error('timed out waiting');
};
/** Runs `import.yaml` and waits until it is writing (retrying its first batch against the held lock). */
async function startHeld(file = 'import.yaml', ...flags: string[]) {
  const run = start('run', file, '--json', ...flags);
  await until(() => run.out.stderr.includes('retrying in'));
  return run;
}
const waitingLine = (id: string): string =>
  `waiting for job ${id}, which is writing to users table users (set batch.exclusive: false in both pipelines to let them run together)`;

describe('one job per submission', { timeout: 180_000 }, () => {
  it('a second identical submission follows the running job: one job, each row once, exit 0', async () => {
    const unlock = p.lockStore();
    const first = await startHeld();
    const id = onlyJob('import');
    const second = start('run', 'import.yaml', '--json');
    await until(() => second.out.stderr.includes('already running'));
    expect(second.out.stderr).toContain(`job ${id} is already running this submission (same pipeline and source); following it`);
    expect(jobsOf('import')).toEqual([{ job: id, status: 'running' }]);
    unlock();
    expect(await first.exit).toBe(0);
    expect(await second.exit).toBe(0);
    expect(second.report()).toEqual({ ...first.report(), existing: true });
    expect(first.report().summary).toMatchObject({ total: USERS, inserted: USERS, rejected: 0 });
    expect(jobsOf('import')).toEqual([{ job: id, status: 'succeeded' }]);
    expect(userCount()).toBe(USERS + 1);
  });

  it('two submissions at the same moment start one job', async () => {
    const unlock = p.lockStore();
    const a = start('run', 'import.yaml', '--json');
    const b = start('run', 'import.yaml', '--json');
    await until(() => (a.out.stderr + b.out.stderr).includes('already running'));
    unlock();
    expect([await a.exit, await b.exit]).toEqual([0, 0]);
    expect(a.report().job).toBe(b.report().job);
    expect(jobsOf('import')).toHaveLength(1);
    expect(userCount()).toBe(USERS + 1);
  });

  it('--force-new starts a second job, which waits for the first to finish writing the table', async () => {
    const unlock = p.lockStore();
    const first = await startHeld();
    const id = onlyJob('import');
    const second = start('run', 'import.yaml', '--json', '--force-new');
    await until(() => second.out.stderr.includes('waiting for job'));
    expect(second.out.stderr).not.toContain('already running');
    expect(jobsOf('import')).toEqual([
      { job: id, status: 'running' },
      { job: expect.not.stringMatching(id) as unknown as string, status: 'pending' },
    ]);
    unlock();
    expect([await first.exit, await second.exit]).toEqual([0, 0]);
    expect(second.report().job).not.toBe(id);
    expect(second.report().summary).toMatchObject({ total: USERS, inserted: 0, unchanged: USERS });
    expect(userCount()).toBe(USERS + 1);
  });

  it('a changed source file is another submission', async () => {
    const unlock = p.lockStore();
    const first = await startHeld();
    const id = onlyJob('import');
    // Appended past the batches the first job planned, which it therefore does not read.
    appendFileSync(join(p.dir, 'users.ndjson'), JSON.stringify({ email: 'late@example.com' }) + '\n');
    const second = start('run', 'import.yaml', '--json');
    await until(() => second.out.stderr.includes('waiting for job'));
    expect(second.out.stderr).not.toContain('already running');
    expect(jobsOf('import')).toHaveLength(2);
    unlock();
    expect([await first.exit, await second.exit]).toEqual([0, 0]);
    expect(first.report().summary).toMatchObject({ total: USERS, inserted: USERS });
    expect(second.report()).toMatchObject({ summary: { total: USERS + 1, inserted: 1, unchanged: USERS } });
    expect(second.report().job).not.toBe(id);
    expect(userCount()).toBe(USERS + 2);
  });
});

describe('one writer per table (batch.exclusive)', { timeout: 180_000 }, () => {
  it('a second pipeline writing the same table waits for the first, then completes', async () => {
    const unlock = p.lockStore();
    const first = await startHeld();
    const id = onlyJob('import');
    const second = start('run', 'other.yaml', '--json');
    await until(() => second.out.stderr.includes('waiting for job'));
    expect(second.out.stderr).toContain(waitingLine(id));
    expect(second.out.stderr.split(waitingLine(id))).toHaveLength(2); // said once
    expect(jobsOf('other')).toEqual([{ job: expect.any(String) as unknown as string, status: 'pending' }]);
    unlock();
    expect([await first.exit, await second.exit]).toEqual([0, 0]);
    expect(second.report().summary).toMatchObject({ total: USERS, inserted: USERS });
    // The second planned (its first step) only after the first had ended.
    const firstEnded = journalRow('SELECT ended_at AS t FROM jobs WHERE id = ?', id)['t'] as string;
    const secondPlanned = journalRow(`SELECT recorded_at AS t FROM steps WHERE job = ? AND key = 'planJob'`, second.report().job)['t'] as string;
    expect(secondPlanned >= firstEnded).toBe(true);
    expect(userCount()).toBe(2 * USERS + 1);
  });

  it('with batch.exclusive: false in both pipelines, both write at once', async () => {
    const shared = 'batch: { size: 100, parallelism: 1, exclusive: false }';
    pipeline('import.yaml', 'users.ndjson', shared);
    pipeline('other.yaml', 'others.ndjson', shared);
    const unlock = p.lockStore();
    const first = await startHeld();
    const second = await startHeld('other.yaml');
    // Both past the gate and retrying their first batch against the held lock, at the same time.
    expect([...jobsOf('import'), ...jobsOf('other')].map((j) => j.status)).toEqual(['running', 'running']);
    expect(second.out.stderr).not.toContain('waiting for job');
    unlock();
    expect([await first.exit, await second.exit]).toEqual([0, 0]);
    expect(userCount()).toBe(2 * USERS + 1);
  });

  it('only one of the two being non-exclusive is not enough', async () => {
    pipeline('other.yaml', 'others.ndjson', 'batch: { size: 100, parallelism: 1, exclusive: false }');
    const unlock = p.lockStore();
    const first = await startHeld();
    const second = start('run', 'other.yaml', '--json');
    await until(() => second.out.stderr.includes('waiting for job'));
    unlock();
    expect([await first.exit, await second.exit]).toEqual([0, 0]);
  });

  it('Ctrl-C while waiting cancels the waiting job only; it resumes later', async () => {
    const unlock = p.lockStore();
    const first = await startHeld();
    const second = start('run', 'other.yaml', '--json');
    await until(() => second.out.stderr.includes('waiting for job'));
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(1);
    const cancelled = second.report();
    expect(cancelled.status).toBe('cancelled');
    expect(jobsOf('import')[0]!.status).toBe('running');
    unlock();
    expect(await first.exit).toBe(0);
    const resumed = p.ferry('jobs', 'resume', cancelled.job, '--json');
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.stdout) as JobReportJson).summary).toMatchObject({ total: USERS, inserted: USERS });
    expect(userCount()).toBe(2 * USERS + 1);
  });
});
