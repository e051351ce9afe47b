import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPEAT_WINDOW_MS } from '../../src/cli/interrupt.js';
import { startFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * Hostile mapping expressions in a real `ferry run`: each record spends its budget and is rejected
 * (the job goes on), the process never dies of V8's heap limit, and a signal stops it promptly —
 * the mapping hands the event loop back, so signal handlers run. Before: the endless recursion ran
 * at 100% CPU and neither SIGTERM nor Ctrl-C twice stopped it; the deep one died with exit 134.
 */

const ENDLESS = '($f := function($x){ $f($x+1) }; $f(0))';
const DEEP = '($f := function($x){ 1 + $f($x+1) }; $f(0))';

let p: TestProject;
const children: ReturnType<typeof startFerry>[] = [];
beforeEach(() => (p = new TestProject()));
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  p.cleanup();
});

const users = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `u${i}@x.io`, Name: `${'a'.repeat(29)}!` }));
const pipeline = (nickname: string): void => {
  // Every record of the hostile cases is rejected: allowed here, so the job's own outcome is what is tested.
  p.write(
    'p.yaml',
    `source: { file: users.json }\ntarget: { connection: users }\ncolumns:\n  email: email\n  nickname: "${nickname}"\nvalidate: { allow_all_rejected: true }\nbatch: { size: 1000, parallelism: 1 }\n`,
  );
};

function start(args: string[]) {
  const child = startFerry(args, { cwd: p.dir });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, out, exit };
}

const until = async (what: () => boolean, ms = 60_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (what()) return;
  throw new Error('timed out waiting');
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hostile mapping expressions in ferry run', { timeout: 120_000 }, () => {
  it.each([
    ['endless recursion', ENDLESS, /steps limit per record/],
    ['deep recursion', DEEP, /(depth|steps) limit per record/],
    ['a catastrophic regex', '$contains(Name, /^(a+)+$/) ? Name : null', null],
  ])('%s: every record ends fast, the job goes on', async (_name, expr, limit) => {
    p.write('users.json', users(4));
    pipeline(expr.replaceAll('"', '\\"'));
    const run = start(['run', 'p.yaml', '--json']);
    const { code } = await run.exit;
    expect(code, run.out.stderr).toBe(0);
    const report = JSON.parse(run.out.stdout) as never as { summary: { total: number; rejected: number; inserted: number } };
    if (limit === null) {
      expect(report.summary).toMatchObject({ total: 4, inserted: 4, rejected: 0 });
      return;
    }
    expect(report.summary).toMatchObject({ total: 4, rejected: 4 });
    for (const reject of p.rejects(report as never)) {
      expect(reject.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'nickname', message: expect.stringMatching(limit) as unknown }]);
      expect(reject.errors[0]!.message).toMatch(/^column nickname: evaluation stopped/);
    }
  });

  it('SIGTERM once stops a run busy with a heavy mapping within the grace period, leaving the job interrupted', async () => {
    p.write('users.json', users(400));
    pipeline(ENDLESS);
    const run = start(['run', 'p.yaml']);
    await until(() => run.out.stderr.includes(' started'));
    await sleep(1_000);
    const sent = performance.now();
    run.child.kill('SIGTERM');
    const { code, at } = await run.exit;
    expect(at - sent).toBeLessThan(15_000);
    expect(code).toBe(130);
    expect(run.out.stderr).toContain('stopping after the batches in flight');
    expect(run.out.stderr).toContain('did not finish within 10 s: stopping now');
    const id = /job (\S+) started/.exec(run.out.stderr)![1]!;
    expect(p.ferry('jobs', 'list').stdout).toMatch(new RegExp(`${id}\\s+interrupted`));
    expect(p.rows('SELECT count(*) AS n FROM users')[0]!['n']).toBe(0);
  });

  it('Ctrl-C twice stops it at once', async () => {
    p.write('users.json', users(400));
    pipeline(ENDLESS);
    const run = start(['run', 'p.yaml']);
    await until(() => run.out.stderr.includes(' started'));
    await sleep(1_000);
    run.child.kill('SIGINT');
    await until(() => run.out.stderr.includes('stopping after the batches in flight'), 5_000);
    await sleep(REPEAT_WINDOW_MS + 100); // a second press, not the first delivered twice
    const second = performance.now();
    run.child.kill('SIGINT');
    const { code, at } = await run.exit;
    expect(at - second).toBeLessThan(2_000);
    expect(code).toBe(130);
  });
});
