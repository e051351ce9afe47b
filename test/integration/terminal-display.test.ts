import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPEAT_WINDOW_MS } from '../../src/cli/interrupt.js';
import { startFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * What the terminal says when a run does not finish: the `ferry jobs resume <id>` hint after a
 * Ctrl-C (one or two), and on the next run of a pipeline whose last job was stopped or killed.
 */
let p: TestProject;
beforeEach(() => {
  p = new TestProject();
  p.write('users.json', generateUsers(2000, 5));
  p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 1 }\n');
});
afterEach(() => p.cleanup());

function start(args: string[], env: Record<string, string> = {}) {
  const child = startFerry(args, { cwd: p.dir, env });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, out, exit };
}
const finishedBatches = (): number => {
  try {
    const journal = new Database(join(p.dir, '.ferry/journal.db'), { readonly: true });
    try {
      return Number((journal.prepare(`SELECT count(*) AS n FROM steps WHERE key LIKE 'runBatch:%'`).get() as { n: number }).n);
    } finally {
      journal.close();
    }
  } catch {
    return 0;
  }
};
const until = async (what: () => boolean, ms = 60_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (what()) return;
  throw new Error('timed out waiting');
};
const jobOf = (stderr: string): string => /job (\S+) started/.exec(stderr)![1]!;
const SLOW = { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' };

describe('the resume hint', { timeout: 180_000 }, () => {
  it('after a Ctrl-C, and on the next run of the pipeline', async () => {
    const run = start(['run', 'import.yaml'], SLOW);
    await until(() => finishedBatches() >= 1);
    run.child.kill('SIGINT');
    expect((await run.exit).code).toBe(1);
    const id = jobOf(run.out.stderr);
    expect(run.out.stderr).toContain(`job ${id} cancelled: ferry jobs resume ${id} continues it`);
    const again = start(['run', 'import.yaml', '--json']);
    await again.exit;
    expect(again.out.stderr).toContain(
      `the last job of import, ${id}, was cancelled: ferry jobs resume ${id} continues it (this run starts a new job from the start)`,
    );
  });

  it('after a second Ctrl-C (stop now), and after the process was killed', async () => {
    const run = start(['run', 'import.yaml'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:20000' }); // the second Ctrl-C lands while a batch is surely in flight
    await until(() => run.out.stderr.includes(' started'));
    // Its first batch is paused 20 s before writing: 3 s after "started" it is surely in flight, so the
    // first Ctrl-C waits for it and the second one is the one that stops the process.
    await new Promise((r) => setTimeout(r, 3000));
    run.child.kill('SIGINT');
    await until(() => run.out.stderr.includes('stopping after the batches in flight'));
    await new Promise((r) => setTimeout(r, REPEAT_WINDOW_MS + 100)); // a second press, not the first delivered twice
    run.child.kill('SIGINT');
    expect((await run.exit).code).toBe(130);
    const id = jobOf(run.out.stderr);
    expect(run.out.stderr).toContain(`ferry jobs resume ${id} continues it`);

    const killed = start(['run', 'import.yaml', '--force-new'], SLOW);
    await until(() => killed.out.stderr.includes(' started') && finishedBatches() >= 1);
    const victim = jobOf(killed.out.stderr);
    killed.child.kill('SIGKILL');
    await killed.exit;
    const next = start(['run', 'import.yaml', '--json']);
    await next.exit;
    expect(next.out.stderr).toContain(`the last job of import, ${victim}, was interrupted: ferry jobs resume ${victim} continues it`);
  });
});
