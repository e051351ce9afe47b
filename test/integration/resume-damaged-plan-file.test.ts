import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry jobs resume` and `ferry jobs retry-rejects` of a job whose plan.json (the batches' byte
 * ranges and the plan the batches run) was damaged or edited by hand. The batches still to run
 * read their plan from that file, not from the journal: an edited jobId, table or mapping there
 * ran under the resume as written, and a damaged file stopped it with a bare JavaScript message.
 */
describe('a damaged or edited plan.json', { timeout: 120_000 }, () => {
  let p: TestProject;
  let job: string;
  let planFile: string;
  beforeEach(() => {
    p = new TestProject();
    p.write(
      'u.json',
      Array.from({ length: 30 }, (_, i) => ({ email: i === 29 ? 'bad' : `u${i}@x.io`, given_name: `N${i}` })),
    );
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\nbatch: { size: 10, parallelism: 1 }\n');
    // Killed as its second batch commits: one batch written, two to go.
    const killed = runFerry(['run', 'p.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-before-commit=2' } });
    expect(killed.code).not.toBe(0);
    job = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout) as { job: string }).job;
    planFile = join(p.dir, '.ferry', 'jobs', job, 'plan.json');
  });
  afterEach(() => p.cleanup());

  const edit = (change: (file: { plan: Record<string, unknown>; scan: Record<string, unknown> }) => void): void => {
    const file = JSON.parse(readFileSync(planFile, 'utf8')) as { plan: Record<string, unknown>; scan: Record<string, unknown> };
    change(file);
    writeFileSync(planFile, JSON.stringify(file));
  };

  const expectNothingResumed = (why: RegExp): void => {
    const result = p.ferry('jobs', 'resume', job);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(why);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(p.rows('SELECT count(*) AS n FROM users')[0]!['n']).toBe(10);
    expect(JSON.parse(p.ferry('jobs', 'show', job, '--json').stdout)).toMatchObject({ status: 'interrupted' });
  };

  const damaged = (why: string): RegExp =>
    new RegExp(
      `^the plan file of job ${job} is damaged: \\.ferry/jobs/${job}/plan\\.json: ${why}\\. Nothing was resumed: put back the file as the job wrote it, or run the pipeline as a new job \\(ferry run .*p\\.yaml\\)\\n$`,
    );

  it('cut short', () => {
    writeFileSync(planFile, readFileSync(planFile, 'utf8').slice(0, 200));
    expectNothingResumed(damaged('not JSON \\(cut short or edited\\)'));
  });

  it('empty', () => {
    writeFileSync(planFile, '');
    expectNothingResumed(damaged('not JSON \\(cut short or edited\\)'));
  });

  it('no scan', () => {
    edit((f) => void (f.scan = null as never));
    expectNothingResumed(damaged('its scan is not a source scan \\(checksum, total, batches\\)'));
  });

  it('batches of the wrong type', () => {
    edit((f) => void (f.scan['batches'] = 'x'));
    expectNothingResumed(damaged('its scan is not a source scan \\(checksum, total, batches\\)'));
  });

  it("another job's id", () => {
    edit((f) => void (f.plan['jobId'] = 'other'));
    expectNothingResumed(damaged(`it is the plan of job other, not of job ${job}`));
  });

  it('a mapping edited in it', () => {
    edit((f) => void (f.plan['columns'] = { email: 'email', given_name: '"forged"' }));
    expectNothingResumed(damaged("its plan differs from the journal's record of the job \\(columns: null → \\{.*\\}\\)"));
  });

  it('another table named in it', () => {
    edit((f) => void (f.plan['target'] = { ...(f.plan['target'] as object), table: 'other_users' }));
    expectNothingResumed(damaged('its plan differs from the journal\'s record of the job \\(target\\.table: .+ → "other_users"\\)'));
  });

  it.each([['plan.json'], ['the whole folder']])('%s deleted', (what) => {
    rmSync(what === 'plan.json' ? planFile : join(p.dir, '.ferry', 'jobs', job), { recursive: true });
    expectNothingResumed(
      new RegExp(
        `^the plan file of job ${job} is gone \\(\\.ferry/jobs/${job}/plan\\.json\\): the 1 batch\\(es\\) it wrote were planned from it, so a resume cannot tell which rows are still to write\\. Nothing was resumed: run the pipeline as a new job \\(ferry run .*p\\.yaml\\)\\n$`,
      ),
    );
  });

  it('an intact plan file resumes', () => {
    const result = p.ferry('jobs', 'resume', job);
    expect(result.code).toBe(0);
    expect(p.rows('SELECT count(*) AS n FROM users')[0]!['n']).toBe(29);
  });

  it('retry-rejects refuses a damaged plan file the same way', () => {
    expect(p.ferry('jobs', 'resume', job).code).toBe(0);
    edit((f) => void (f.scan = null as never));
    const result = p.ferry('jobs', 'retry-rejects', job);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^the plan file of job ${job} is damaged: \\.ferry/jobs/${job}/plan\\.json: its scan is not a source scan \\(checksum, total, batches\\)\\. Nothing was retried`,
      ),
    );
  });
});
