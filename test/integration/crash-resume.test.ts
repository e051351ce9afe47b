import { describe, expect, it } from 'vitest';
import { runFerry, startFerry } from '../helpers/cli.js';
import { codes, TestProject, type JobReportJson } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Once and only once: a job killed with SIGKILL at many points — inside a batch transaction, between
 * a commit and its journal record, while finalizing, and at random moments — then resumed each
 * time, ends with exactly the table, summary and reject report of an uninterrupted run.
 */

const USERS = 3000;
const crashPoints = ['batch-before-commit', 'batch-after-commit', 'step-before-record', 'step-after-record'];

function project(upsert: boolean): TestProject {
  const p = new TestProject();
  p.write('users.json', generateUsers(USERS, 7, { invalidEvery: 37, duplicateEvery: 53 }));
  p.write('seed.json', generateUsers(USERS, 11).filter((_, i) => i % 2 === 0));
  p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\nbatch: { size: 500 }\n');
  const target = upsert ? '  upsert: true\n  metadata: merge\n' : '';
  p.write('import.yaml', `source:\n  file: users.json\ntarget:\n  connection: users\n${target}batch: { size: 25, parallelism: 2 }\n`);
  if (upsert) expect(p.run('seed.yaml').report.status).toBe('succeeded');
  return p;
}

function table(p: TestProject): Record<string, unknown>[] {
  // created_at/updated_at are the job's start time, which differs between the two jobs compared.
  return p.rows('SELECT user_id, email, given_name, family_name, email_verified, user_metadata FROM users ORDER BY email');
}

function rejectRows(p: TestProject, report: JobReportJson): unknown[] {
  return p.rejects(report).map((r) => [r.row, ...codes(r)]);
}

function runUntilDone(p: TestProject, upsert: boolean): Promise<{ crashes: number; report: JobReportJson }> {
  return (async () => {
    let crashes = 0;
    let attempt = 0;
    const env = (): Record<string, string> => {
      // Cycle through the points, each at a different depth (the 1st to 4th time it is reached), so
      // every run dies early and the 120 batches outlast the 20+ crashes.
      const point = crashPoints[attempt % crashPoints.length]!;
      const nth = 1 + ((attempt * 3) % 4);
      return { FERRY_FAILPOINTS: attempt === 20 ? 'finalize-part=2' : `${point}=${nth}` };
    };
    const first = runFerry(['run', 'import.yaml'], { cwd: p.dir, env: env() });
    const id = /job (\S+) started/.exec(first.stderr)?.[1];
    if (!id) throw new Error(`no job id in: ${first.stderr}`);
    if (first.code !== 0) crashes++;
    for (attempt = 1; attempt < 200; attempt++) {
      const show = JSON.parse(runFerry(['jobs', 'show', id, '--json'], { cwd: p.dir }).stdout) as JobReportJson;
      if (show.status === 'succeeded') return { crashes, report: show };
      expect(['interrupted', 'failed', 'cancelled']).toContain(show.status);
      if (attempt > 24 && attempt % 2 === 0) {
        if (await killAtRandom(p, id, attempt)) crashes++;
        continue;
      }
      const resumed = runFerry(['jobs', 'resume', id], { cwd: p.dir, env: attempt > 24 ? {} : env() });
      if (resumed.code !== 0) crashes++;
    }
    throw new Error(`job ${id} did not finish (${upsert ? 'upsert' : 'insert'})`);
  })();
}

/** Resumes the job and kills it with SIGKILL after a pseudo-random delay; true if it was killed. */
async function killAtRandom(p: TestProject, id: string, attempt: number): Promise<boolean> {
  const child = startFerry(['jobs', 'resume', id], { cwd: p.dir });
  const delay = 150 + ((attempt * 7919) % 900);
  const timer = setTimeout(() => child.kill('SIGKILL'), delay);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  return signal === 'SIGKILL' || code !== 0;
}

describe.each([false, true])('kill -9 and resume (upsert: %s)', (upsert) => {
  it('loses no row, duplicates no row, and counts exactly', async () => {
    const reference = project(upsert);
    const crashed = project(upsert);
    try {
      const uninterrupted = reference.run('import.yaml');
      expect(uninterrupted.report.status).toBe('succeeded');
      const { crashes, report } = await runUntilDone(crashed, upsert);
      expect(crashes).toBeGreaterThanOrEqual(20);
      expect(report.summary).toEqual(uninterrupted.report.summary);
      expect(table(crashed)).toEqual(table(reference));
      expect(rejectRows(crashed, report)).toEqual(rejectRows(reference, uninterrupted.report));
      const s = report.summary;
      expect(s.inserted + s.updated + s.unchanged + s.rejected).toBe(USERS);
      expect(s.rejected).toBeGreaterThan(0);
      if (upsert) expect(s.updated).toBeGreaterThan(0);
    } finally {
      reference.cleanup();
      crashed.cleanup();
    }
  }, 300_000);
});
