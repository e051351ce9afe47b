import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ferryBin, startFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * The embedded engine's lease, with real processes: a job belongs to the process that runs it for
 * as long as that process exists — a stopped owner keeps it (however stale its heartbeat), a killed
 * one gives it up at once (even while it is a zombie), and many processes submitting the same work
 * at once all follow the one job that runs it.
 */

const USERS = 300;
/** Every chunk waits this long before writing: the job runs for a few seconds on any machine. */
const SLOW = { FERRY_FAILPOINTS: 'chunk-before-write=pause:1500' };
let p: TestProject;

beforeEach(() => {
  p = new TestProject();
  p.write(
    'users.ndjson',
    generateUsers(USERS, 11)
      .map((u) => JSON.stringify(u))
      .join('\n') + '\n',
  );
  p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users, upsert: true }\nbatch: { size: 50, parallelism: 1 }\n');
});
afterEach(() => p.cleanup());

const jobs = (): { job: string; status: string }[] =>
  p
    .ferry('jobs', 'list', '--json')
    .stdout.split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { job: string; status: string })
    .map(({ job, status }) => ({ job, status }));
const userCount = (): number => Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);
const until = async (what: () => boolean, ms = 60_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (what()) return;
  throw new Error('timed out waiting');
};
const procState = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.charAt(0);

describe.skipIf(process.platform !== 'linux')('the embedded lease', () => {
  it('a stopped owner keeps its job: resume is refused, saying so, and the job ends exactly once continued', async () => {
    const owner = startFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: SLOW });
    let stdout = '';
    owner.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => owner.on('exit', resolve));
    await until(() => jobs()[0]?.status === 'running');
    const id = jobs()[0]!.job;
    owner.kill('SIGSTOP');
    try {
      // Longer than 5 heartbeats: the old rule took a silent owner for dead and ran the job twice.
      await new Promise((r) => setTimeout(r, 11_000));
      expect(jobs()[0]).toEqual({ job: id, status: 'running' });
      // Its progress so far is in the journal for other processes to show.
      const shown = JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { summary: { total: number }; batches: { total: number } };
      expect(shown).toMatchObject({ summary: { total: USERS }, batches: { total: USERS / 50 } });
      // …but no ETA: a stopped process makes no progress. It names the holder and what to do instead.
      const show = p.ferry('jobs', 'show', id).stdout;
      expect(show).not.toContain('ETA');
      expect(show).toContain(`held by    process ${owner.pid}, which is stopped (SIGSTOP or Ctrl-Z): kill -CONT ${owner.pid} continues it`);
      const resumed = p.ferry('jobs', 'resume', id);
      expect(resumed.code).toBe(1);
      expect(resumed.stderr).toContain(`job ${id} is held by process ${owner.pid}, which is stopped`);
    } finally {
      owner.kill('SIGCONT');
    }
    expect(await exited).toBe(0);
    const report = JSON.parse(stdout) as JobReportJson;
    expect(report).toMatchObject({ job: id, status: 'succeeded', summary: { total: USERS, inserted: USERS } });
    expect(userCount()).toBe(USERS);
  }, 120_000);

  it('a job waiting for the table of a stopped owner says the owner is stopped, and runs once it is continued', async () => {
    const owner = startFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: SLOW });
    const exited = new Promise<number | null>((resolve) => owner.on('exit', resolve));
    owner.stdout.resume();
    await until(() => jobs()[0]?.status === 'running');
    const id = jobs()[0]!.job;
    p.write('other.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users, upsert: true }\n');
    owner.kill('SIGSTOP');
    let stderr = '';
    let stdout = '';
    let waiter: ReturnType<typeof startFerry> | undefined;
    try {
      waiter = startFerry(['run', 'other.yaml', '--json'], { cwd: p.dir });
      waiter.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      waiter.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      await until(() => stderr.includes(`job ${id} is held by process ${owner.pid}, which is stopped (SIGSTOP or Ctrl-Z)`), 20_000);
      expect(stderr).toContain(`this job waits until it continues (kill -CONT ${owner.pid}) or ends`);
    } finally {
      owner.kill('SIGCONT');
    }
    expect(await exited).toBe(0);
    const waited = await new Promise<number | null>((resolve) => (waiter!.exitCode !== null ? resolve(waiter!.exitCode) : waiter!.on('exit', resolve)));
    expect(waited).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'succeeded', summary: { total: USERS, unchanged: USERS } });
    expect(stderr.split('which is stopped')).toHaveLength(2); // said once
  }, 120_000);

  it('a run following the same submission of a stopped owner says the owner is stopped, and ends with it once continued', async () => {
    const owner = startFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: SLOW });
    const exited = new Promise<number | null>((resolve) => owner.on('exit', resolve));
    owner.stdout.resume();
    await until(() => jobs()[0]?.status === 'running');
    const id = jobs()[0]!.job;
    owner.kill('SIGSTOP');
    let stderr = '';
    let follower: ReturnType<typeof startFerry> | undefined;
    try {
      follower = startFerry(['run', 'import.yaml', '--json'], { cwd: p.dir });
      follower.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      follower.stdout.resume();
      await until(() => stderr.includes(`job ${id} is held by process ${owner.pid}, which is stopped (SIGSTOP or Ctrl-Z)`), 20_000);
      expect(stderr).toContain(`it goes on once continued (kill -CONT ${owner.pid})`);
    } finally {
      owner.kill('SIGCONT');
    }
    expect(await exited).toBe(0);
    const followed = await new Promise<number | null>((resolve) => (follower!.exitCode !== null ? resolve(follower!.exitCode) : follower!.on('exit', resolve)));
    expect(followed).toBe(0);
    expect(stderr.split('which is stopped')).toHaveLength(2); // said once
  }, 120_000);

  it('a killed owner gives its job up at once, even while it is a zombie not yet reaped', async () => {
    // The owner's parent is `sleep`, which never reaps it: killed, it stays a zombie.
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${ferryBin}" run import.yaml --json >/dev/null 2>&1 & echo $!; exec sleep 120`], {
      cwd: p.dir,
      env: { ...process.env, ...SLOW },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const pid = Number(await new Promise<string>((resolve) => shell.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
      await until(() => jobs()[0]?.status === 'running');
      const id = jobs()[0]!.job;
      process.kill(pid, 'SIGKILL');
      await until(() => procState(pid) === 'Z', 10_000);
      expect(jobs()[0]).toEqual({ job: id, status: 'interrupted' });
      const resumed = p.run('import.yaml'); // a new submission of the same work does not follow a dead job
      expect(resumed.report.job).not.toBe(id);
      const again = p.ferry('jobs', 'resume', id, '--json');
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ job: id, status: 'succeeded' });
      expect(userCount()).toBe(USERS);
    } finally {
      shell.kill('SIGKILL');
    }
  }, 120_000);

  it('many processes submitting the same work at once all follow the one job that runs it', async () => {
    // Slow enough (6 batches of 2 s) that every process starts while the job still runs.
    const starts = Array.from({ length: 24 }, () => {
      const child = startFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'chunk-before-write=pause:2000' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
    });
    const results = await Promise.all(starts);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const reports = results.map((r) => JSON.parse(r.stdout) as JobReportJson & { existing?: boolean });
    expect(new Set(reports.map((r) => r.job)).size).toBe(1);
    expect(reports.every((r) => r.status === 'succeeded' && r.summary.total === USERS)).toBe(true);
    expect(reports.filter((r) => !r.existing)).toHaveLength(1);
    expect(jobs()).toHaveLength(1);
    expect(userCount()).toBe(USERS);
  }, 180_000);
});
