import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerryAsync, startFerry } from '../helpers/cli.js';
import { exportPipeline, read, seed } from '../helpers/exports.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/**
 * A schedule that comes due while `ferry run` of the same pipeline is running: serve follows that
 * job, as a second `ferry run` would, rather than start another export into the same file.
 */
describe('ferry serve while a run of the same submission is in progress', () => {
  let p: TestProject;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    p = new TestProject();
    seed(p);
    p.write(
      'pipelines/every-second.yaml',
      exportPipeline({ file: '../out/users.ndjson', extra: 'columns:\n  id: user_id\nschedule: "* * * * * *"\ntimezone: UTC\n' }),
    );
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    p.cleanup();
  });

  const jobs = (): JobReportJson[] =>
    p
      .ferry('jobs', 'list', '--json')
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JobReportJson);

  /** `ferry serve` with `args`, once it follows another process's job; `out()` is its stdout so far. */
  async function serveFollowing(args: string[]): Promise<{ serve: ChildProcess; exit: Promise<number | null>; out: () => string }> {
    const serve = startFerry(args, { cwd: p.dir });
    children.push(serve);
    let stdout = '';
    serve.stderr.resume();
    const exit = new Promise<number | null>((resolve) => serve.on('exit', resolve));
    await new Promise<void>((resolve) =>
      serve.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('following it')) resolve();
      }),
    );
    return { serve, exit, out: () => stdout };
  }

  /** `ferry run` of the scheduled pipeline, held in its finalize step; resolves once the job runs. */
  async function manualRun(): Promise<{ id: string; child: ChildProcess; done: Promise<{ code: number; report: JobReportJson }> }> {
    const child = startFerry(['run', 'pipelines/every-second.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'finalize-start=pause:5000' } });
    children.push(child);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    const done = new Promise<{ code: number; report: JobReportJson }>((resolve) =>
      child.on('close', (code) => resolve({ code: code ?? -1, report: (stdout ? JSON.parse(stdout) : null) as JobReportJson })),
    );
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const running = jobs().find((j) => j.pipeline === 'every-second' && j.status === 'running');
      if (running) return { id: running.job, child, done };
    }
    throw new Error('the manual run never showed as running');
  }

  it('follows the running job instead of starting a second export of the same file, and records it as the run', async () => {
    const manual = await manualRun();
    const served = await runFerryAsync(['serve', '--max-runs', '1'], { cwd: p.dir });
    expect(served.stderr).toBe('');
    expect(served.code).toBe(0);
    expect(served.stdout).toMatch(
      new RegExp(`every-second: run due \\S+: job ${manual.id} is already running this submission \\(same pipeline and source\\); following it`),
    );
    expect(served.stdout).toMatch(new RegExp(`every-second: job ${manual.id} succeeded \\(total 5, exported 5, .*\\); output .*users\\.ndjson`));
    expect(served.stdout).not.toContain('started as job');
    const { code, report } = await manual.done;
    expect(code).toBe(0);
    expect(report).toMatchObject({ job: manual.id, status: 'succeeded' });
    expect(
      jobs()
        .filter((j) => j.pipeline === 'every-second')
        .map((j) => j.job),
    ).toEqual([manual.id]);
    expect(JSON.parse(p.ferry('schedules', 'list', '--json').stdout)).toMatchObject({ last_job: manual.id });
    expect(read(p, 'out/users.ndjson')).toBe(['u1', 'u2', 'u3', 'u4', 'u5'].map((id) => `{"id":"${id}"}\n`).join(''));
  }, 40_000);

  it('stopping serve while it follows leaves the other process its job: it is not cancelled', async () => {
    const manual = await manualRun();
    const { serve, exit, out } = await serveFollowing(['serve']);
    serve.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out()).toContain(`every-second: stopped following job ${manual.id}; it keeps running`);
    const { code, report } = await manual.done;
    expect(code).toBe(0);
    expect(report).toMatchObject({ job: manual.id, status: 'succeeded', summary: { exported: 5 } });
  }, 40_000);

  it('when the job it follows does not succeed (its process killed), runs the scheduled run as a job of its own', async () => {
    const manual = await manualRun();
    const { exit, out } = await serveFollowing(['serve', '--max-runs', '1']);
    manual.child.kill('SIGKILL');
    expect(await exit).toBe(0);
    expect(out()).toMatch(
      new RegExp(
        `every-second: job ${manual.id} interrupted \\(.*\\); error: its process is gone \\(ferry jobs resume ${manual.id} continues it\\); the run due \\S+ runs as a job of its own`,
      ),
    );
    const own = /every-second: run due \S+ started as job (\S+)/.exec(out())?.[1];
    expect(own, out()).toBeDefined();
    expect(out()).toContain(`every-second: job ${own} succeeded (total 5, exported 5`);
    expect(JSON.parse(p.ferry('schedules', 'list', '--json').stdout)).toMatchObject({ last_job: own });
    expect(read(p, 'out/users.ndjson')).toBe(['u1', 'u2', 'u3', 'u4', 'u5'].map((id) => `{"id":"${id}"}\n`).join(''));
  }, 40_000);
});
