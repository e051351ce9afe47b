import { afterEach, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';

/**
 * A rollback killed midway, then rolled back again: the check found the rows the first one had put
 * back "changed by a later job or another writer since" and offered --force. It now names the
 * interrupted rollback and says to resume it, which finishes the job's rollback.
 */
let p: TestProject;
afterEach(() => p?.cleanup());

it('a second rollback while the first is interrupted names it and says to resume it', () => {
  p = new TestProject();
  const users = (name: string) => ['email,given_name', ...Array.from({ length: 30 }, (_, i) => `u${i}@x.io,${name}${i}`)].join('\n') + '\n';
  p.write('seed.csv', users('Old'));
  p.write('seed.yaml', 'source: { file: seed.csv }\ntarget: { connection: users }\n');
  expect(p.run('seed.yaml').code).toBe(0);
  const previous = p.rows('SELECT email, given_name FROM users ORDER BY email');
  p.write('up.csv', users('New'));
  p.write('up.yaml', 'source: { file: up.csv }\ntarget: { connection: users, upsert: true }\nbatch: { size: 10, parallelism: 1 }\n');
  const { report } = p.run('up.yaml');
  expect(report.summary).toMatchObject({ updated: 30 });

  const killed = runFerry(['jobs', 'rollback', report.job, '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'step-after-record=2' } });
  expect(killed.code).not.toBe(0);
  const listed = runFerry(['jobs', 'list', '--json'], { cwd: p.dir })
    .stdout.trim()
    .split('\n')
    .map((line) => JSON.parse(line) as JobReportJson & { kind: string });
  const first = listed.find((j) => j.kind === 'rollback');
  expect(first).toMatchObject({ status: 'interrupted' });

  const again = runFerry(['jobs', 'rollback', report.job], { cwd: p.dir });
  expect(again.code).toBe(1);
  // How many of the 30 it put back before it was killed depends on the step the failpoint counts.
  const count = /\((\d+) in all\)/.exec(again.stderr)?.[1];
  expect(Number(count)).toBeGreaterThan(0);
  expect(Number(count)).toBeLessThanOrEqual(30);
  expect(again.stderr).toBe(
    `refusing to roll back job ${report.job}: job ${first!.job} is rolling it back already (interrupted): rows it put back are found changed since (${count} in all). ` +
      `To finish that rollback, resume it (ferry jobs resume ${first!.job})\n`,
  );
  // What it says to do finishes the rollback.
  expect(runFerry(['jobs', 'resume', first!.job], { cwd: p.dir }).code).toBe(0);
  expect(p.rows('SELECT email, given_name FROM users ORDER BY email')).toEqual(previous);
});
