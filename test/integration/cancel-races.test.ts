import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry, startFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * `ferry jobs cancel` landing while another process is about to run the job: exactly one of them
 * wins, and the other says so. The failpoints hold that process between the step that made the
 * job its own to run (a resume's checks, a submission) and the claim of the job's lease.
 */

const USERS = 300;
let p: TestProject;

beforeEach(() => {
  p = new TestProject();
  p.write(
    'users.ndjson',
    generateUsers(USERS, 7)
      .map((u) => JSON.stringify(u))
      .join('\n') + '\n',
  );
  p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users, upsert: true }\nbatch: { size: 50, parallelism: 1 }\n');
});
afterEach(() => p.cleanup());

interface Shown {
  status: string;
  summary: { inserted: number };
  batches: { done: number };
}
const show = (id: string): Shown => JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as Shown;
const userCount = (): number => Number(p.rows('SELECT count(*) AS n FROM users')[0]!['n']);

/** A child ferry process, its output so far, and its exit. */
function start(args: string[], env: Record<string, string>) {
  const child = startFerry(args, { cwd: p.dir, env });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, out, exit };
}

async function until(what: () => boolean, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (what()) return;
  throw new Error('timed out waiting');
}

describe('a cancel racing the process about to run the job', { timeout: 120_000 }, () => {
  // The cancel marked the interrupted job cancelled from a look taken before the resume claimed it:
  // the resume then ran every batch under a "cancelled" record and ended it succeeded, while the cancel had said "cancelled".
  it('of an interrupted job, after the resume checked it: the cancel wins, the resume says so and runs nothing', async () => {
    const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=2' } });
    expect(killed.code).not.toBe(0);
    const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
    const interrupted = show(id);
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.batches.done).toBeGreaterThan(0);
    const written = userCount();

    const resume = start(['jobs', 'resume', id], { FERRY_FAILPOINTS: 'resume-before-claim=pause:4000' });
    await until(() => resume.out.stderr.includes(`job ${id} resumed`));
    const cancel = p.ferry('jobs', 'cancel', id);
    expect(cancel.stdout).toBe(`job ${id} cancelled (ferry jobs resume ${id} continues it)\n`);
    expect(cancel.code).toBe(0);

    expect(await resume.exit).toBe(1);
    expect(resume.out.stderr).toContain(
      `job ${id} was cancelled (ferry jobs cancel) while this resume was starting: it stays cancelled; ferry jobs resume ${id} continues it`,
    );
    const after = show(id);
    expect(after.status).toBe('cancelled');
    expect(userCount()).toBe(written);
    // The counts its journaled batches prove, as shown while interrupted, not the ones last saved before the crash.
    expect(after.summary).toEqual(interrupted.summary);
    expect(after.batches).toEqual(interrupted.batches);

    const again = p.ferry('jobs', 'resume', id, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(show(id)).toMatchObject({ status: 'succeeded', summary: { inserted: USERS } });
    expect(userCount()).toBe(USERS);
  });

  // The claim cleared the request: the job ran to its end, and the cancel reported "succeeded".
  it('of a job just submitted, before its process claimed it: the job stops before its first batch', async () => {
    const run = start(['run', 'import.yaml', '--json'], { FERRY_FAILPOINTS: 'run-before-claim=pause:4000' });
    await until(() => p.ferry('jobs', 'list', '--json').stdout.includes('"status":"pending"'));
    const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
    const cancel = p.ferry('jobs', 'cancel', id);
    expect(cancel.stdout).toBe(`job ${id} cancelled (ferry jobs resume ${id} continues it)\n`);
    expect(await run.exit).not.toBe(0);
    expect(JSON.parse(run.out.stdout)).toMatchObject({ job: id, status: 'cancelled' });
    expect(show(id)).toMatchObject({ status: 'cancelled', batches: { done: 0 } });
    expect(userCount()).toBe(0);
  });

  // The cancel said "job … failed" and left the job interrupted, as if no cancel had been asked.
  it('whose process dies while the cancel waits for it: the job ends cancelled, and the cancel says so', async () => {
    const run = start(['run', 'import.yaml', '--json'], { FERRY_FAILPOINTS: 'chunk-before-write=pause:3000' });
    await until(() => p.ferry('jobs', 'list', '--json').stdout.includes('"status":"running"'));
    const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
    const cancel = start(['jobs', 'cancel', id], {});
    await until(() => cancel.out.stderr.includes('cancel requested'));
    run.child.kill('SIGKILL');
    expect(await cancel.exit).toBe(0);
    expect(cancel.out.stdout).toBe(`job ${id} cancelled (ferry jobs resume ${id} continues it)\n`);
    expect(show(id).status).toBe('cancelled');
    await run.exit;
  });
});
