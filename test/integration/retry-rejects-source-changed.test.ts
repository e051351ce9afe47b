import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { exitWithin, startFerry } from '../helpers/cli.js';
import { importWithOneReject, TestProject } from '../helpers/project.js';

/**
 * `ferry jobs retry-rejects` checks the source's checksum, then its job plans: a source changed in
 * between was read as it was, and the retry's row numbers picked other records (here, one the job
 * had imported, written again with another's values). The job compares the checksum it planned
 * from with the one the CLI checked, and refuses as the CLI does.
 */
let p: TestProject | undefined;
afterEach(() => p?.cleanup());

describe('ferry jobs retry-rejects of a source changed after its check', () => {
  it('the retry job refuses, naming the source, and writes nothing', async () => {
    p = new TestProject();
    const job = importWithOneReject(p);
    const child = startFerry(['jobs', 'retry-rejects', job], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'retry-rejects-checked=pause:3000' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    for (let waited = 0; !output.includes('retrying the 1 rejected record(s)'); waited += 50) {
      if (waited > 60_000 || child.exitCode !== null) throw new Error(`the retry did not reach its check's end: ${output}`);
      await sleep(50);
    }
    // Row 2 is now another record.
    p.write('u.json', [
      { email: 'a@x.io', given_name: 'Ann' },
      { email: 'd@x.io', given_name: 'Dee' },
      { email: 'c@x.io', given_name: 'Cy' },
    ]);
    const { code, hung } = await exitWithin(child, 60_000);
    expect(hung).toBe(false);
    expect(code, output).not.toBe(0);
    expect(output).toContain(`the source file ${p.dir}/u.json changed since job ${job} read it: its rejected rows can no longer be found by their numbers`);
    expect(p.rows('SELECT email FROM users ORDER BY email').map((r) => r['email'])).toEqual(['a@x.io', 'c@x.io']);
  });
});
