import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { exitWithin, runFerry, runFerryAsync, startFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * `ferry jobs prune --include-backups` while a rollback of a job is under way. Between the
 * rollback's check and its job's start no journal record names it, so the prune may delete the
 * backup: the rollback job then failed with a raw ENOENT. It fails naming the backup it lost, and
 * restores nothing. Once the rollback's job exists (pending, running or interrupted), the prune
 * keeps the backup it reads and says why.
 */
let p: TestProject | undefined;
afterEach(() => p?.cleanup());

/** An upsert that updates 5 of 20 seeded users, then a later, unrelated run of the same pipeline (so the upsert is not its last success): the upsert's id. */
function upsertJob(project: TestProject): string {
  project.write('seed.json', generateUsers(20, 1));
  project.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
  expect(project.run('seed.yaml').code).toBe(0);
  project.write(
    'up.json',
    generateUsers(20, 1)
      .slice(15)
      .map((u) => ({ ...u, given_name: 'Changed' })),
  );
  project.write('up.yaml', 'source: { file: up.json }\ntarget: { connection: users, upsert: true }\n');
  const { code, report } = project.run('up.yaml');
  expect(code).toBe(0);
  expect(report.summary).toMatchObject({ updated: 5 });
  project.write('up.json', generateUsers(40, 1).slice(30));
  expect(project.run('up.yaml').code).toBe(0);
  return report.job;
}

describe('ferry jobs prune --include-backups during a rollback', () => {
  it('between the check and the job: the rollback fails naming the backup, and restores nothing', async () => {
    p = new TestProject();
    const job = upsertJob(p);
    await sleep(1100);
    const child = startFerry(['jobs', 'rollback', job], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'rollback-checked=pause:4000' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    for (let waited = 0; !output.includes('rolling back job'); waited += 50) {
      if (waited > 60_000 || child.exitCode !== null) throw new Error(`the rollback did not reach its check's end: ${output}`);
      await sleep(50);
    }
    const prune = await runFerryAsync(['jobs', 'prune', '--older-than', '1s', '--include-backups'], { cwd: p.dir });
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(job);
    expect(existsSync(join(p.dir, '.ferry/jobs', job))).toBe(false);
    const { code, hung } = await exitWithin(child, 60_000);
    expect(hung).toBe(false);
    expect(code, output).not.toBe(0);
    expect(output).not.toMatch(/ENOENT/);
    expect(output).toMatch(new RegExp(`the backup of job ${job} \\(\\S*backup\\.ndjson\\) is gone`));
    expect(p.rows("SELECT count(*) AS n FROM users WHERE given_name = 'Changed'")).toEqual([{ n: 5 }]);
  });

  it('a rollback interrupted midway: the prune keeps the backup it reads, says why, and the resumed rollback restores', async () => {
    p = new TestProject();
    const job = upsertJob(p);
    await sleep(1100);
    const crashed = runFerry(['jobs', 'rollback', job], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'step-after-record=1' } });
    expect(crashed.code).not.toBe(0);
    const rollback = /as job (\S+)/.exec(crashed.stderr)?.[1];
    expect(rollback, crashed.stderr).toBeDefined();
    const prune = runFerry(['jobs', 'prune', '--older-than', '1s', '--include-backups'], { cwd: p.dir });
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toMatch(new RegExp(`kept\\s+${job}: its rollback ${rollback} has not finished \\((interrupted|running)\\)`));
    expect(existsSync(join(p.dir, '.ferry/jobs', job, 'backup.ndjson'))).toBe(true);
    const resumed = runFerry(['jobs', 'resume', rollback!], { cwd: p.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(p.rows("SELECT count(*) AS n FROM users WHERE given_name = 'Changed'")).toEqual([{ n: 0 }]);
  });
});
