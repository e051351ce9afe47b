import { expect } from 'vitest';
import { runFerry } from './cli.js';
import type { JobReportJson, TestProject } from './project.js';
import { generateUsers } from './users.js';

/**
 * The operator tools' scenario, on whatever store the project's `users` connection is: 300 users
 * seeded; then `upsert.yaml` over 151 records — 100 of the seeded users changed (a name, and a plan
 * merged into their metadata), 50 new, one of the 100 with a broken email, and the first key again
 * in another batch. A real run of it: 50 inserted, 99 updated, 2 rejected.
 */
export function seedUpsertScenario(p: TestProject): void {
  p.write('seed.json', generateUsers(300, 3));
  p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
  expect(p.run('seed.yaml').code).toBe(0);
  const updates: Record<string, unknown>[] = generateUsers(350, 3)
    .slice(200)
    .map((u, i) => ({ ...u, given_name: `Renamed${i}`, user_metadata: { plan: 'team', added: i } }));
  updates[10] = { ...updates[10], email: 'not-an-email' };
  updates.push({ ...updates[0], given_name: 'Again' }); // same key as the first row, in another batch
  p.write('updates.json', updates);
  p.write(
    'upsert.yaml',
    'source: { file: updates.json }\ntarget:\n  connection: users\n  upsert: true\n  metadata: merge\nbatch: { size: 40, parallelism: 2 }\n',
  );
}

/**
 * Checks what `ferry run upsert.yaml --dry-run --json --examples 2` printed: the counts of a real
 * run, the first inserts, the first update's diffs (by JSON path in the merged metadata), and the
 * rejects.
 */
export function expectUpsertDryRun(stdout: string): void {
  const report = JSON.parse(stdout) as DryRunJson;
  expect(report.summary).toEqual({ total: 151, would_insert: 50, would_update: 99, unchanged: 0, rejected: 2 });
  expect(report.examples.insert.map((e) => e.key)).toEqual([{ email: 'user300@example.com' }, { email: 'user301@example.com' }]);
  const seeded = generateUsers(300, 3)[200] as { user_metadata: { plan: string } };
  expect(report.examples.update[0]).toMatchObject({
    key: { email: 'user200@example.com' },
    diffs: [
      { path: 'given_name', old: 'Given200', new: 'Renamed0' },
      { path: 'user_metadata.plan', old: seeded.user_metadata.plan, new: 'team' },
      { path: 'user_metadata.added', new: 0 },
      { path: 'updated_at', old: expect.any(String) as unknown, new: expect.any(String) as unknown },
    ],
  });
  expect(report.examples.reject.map((r) => [r.row, r.errors[0]?.code])).toEqual([
    [11, 'FORMAT'],
    [151, 'DUPLICATE_IN_SOURCE'],
  ]);
}

interface DryRunJson {
  summary: Record<string, number>;
  examples: {
    insert: { row: number; key: unknown }[];
    update: { row: number; key: unknown; diffs: unknown[] }[];
    reject: { row: number; errors: { code: string }[] }[];
  };
}

/**
 * Runs `upsert.yaml`, killed (SIGKILL) after its second batch commit, then resumes it to the end:
 * the real run's counts. Returns the job's id.
 */
export function crashAndResumeUpsert(p: TestProject): string {
  const killed = runFerry(['run', 'upsert.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=2' } });
  expect(killed.code).not.toBe(0);
  const job = (JSON.parse(runFerry(['jobs', 'list', '--json'], { cwd: p.dir }).stdout.split('\n')[0]!) as { job: string }).job;
  const resumed = runFerry(['jobs', 'resume', job, '--json'], { cwd: p.dir });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect((JSON.parse(resumed.stdout) as JobReportJson).summary).toMatchObject({ inserted: 50, updated: 99, rejected: 2 });
  return job;
}
