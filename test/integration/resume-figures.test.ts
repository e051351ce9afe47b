import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * The figures of a job killed mid-run and resumed. Before: `jobs show` and `jobs list` showed the
 * counts last saved (at most once a second), behind the batches the journal had recorded; the
 * resume's summary gave its own time as if it were the job's ("succeeded in 0.0s"), and its
 * progress counted the batches replayed from the journal as records/s of this run.
 */
const USERS = 1000;

describe('a job killed mid-run, then resumed', { timeout: 180_000 }, () => {
  let p: TestProject;
  let id: string;

  beforeAll(() => {
    p = new TestProject();
    p.write('users.json', generateUsers(USERS, 5));
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 100, parallelism: 1 }\n');
    // The 5th recorded step is batch 3 (planJob is the 1st): the process dies with 4 batches journaled.
    const killed = runFerry(['run', 'import.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'step-after-record=5' } });
    expect(killed.code).toBe(-1);
    id = /job (\S+) started/.exec(killed.stderr)![1]!;
  }, 120_000);
  afterAll(() => p.cleanup());

  it('jobs show and jobs list count every batch the journal recorded', () => {
    const show = JSON.parse(p.ferry('jobs', 'show', id, '--json').stdout) as { status: string; summary: { inserted: number }; batches: { done: number } };
    expect(show.status).toBe('interrupted');
    expect(show.batches.done).toBe(4);
    expect(show.summary.inserted).toBe(400);
    expect(p.ferry('jobs').stdout).toMatch(new RegExp(`${id} +interrupted .* 1000 total, 400 inserted`));
  });

  it('the resume says its time is its own, and its rate counts only the records it did', () => {
    // 6 batches left, each held 300 ms: the resume takes at least 1.8 s for 600 records.
    const resumed = runFerry(['jobs', 'resume', id], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' } });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`^job ${id} succeeded in \\d+\\.\\ds \\(this resume; 400 of 1000 records were done before it\\)$`, 'm'));
    const rates = [...resumed.stderr.matchAll(/· (\d+) records\/s/g)].map((m) => Number(m[1]));
    expect(rates.length).toBeGreaterThan(0);
    for (const rate of rates) expect(rate).toBeLessThanOrEqual(Math.ceil(600 / 1.8));
  });
});
