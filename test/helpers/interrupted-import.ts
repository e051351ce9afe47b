import { expect } from 'vitest';
import { runFerry } from './cli.js';
import { TestProject } from './project.js';

/** An import stopped by a failpoint, and its resume: what the resume-after-a-lost-target tests start from. */

/** Users in the import: six batches of 50. */
export const interruptedTotal = 300;

export interface Interrupted {
  p: TestProject;
  id: string;
}

/**
 * An import of `interruptedTotal` users, 50 a batch, killed at `failpoint`: by default after its
 * third batch committed, before the journal recorded it (batches 0 and 1 are done in the journal,
 * batch 2 is replayed from its marker).
 */
export function interruptedImport(ferryYaml?: string, failpoint = 'batch-after-commit=3'): Interrupted {
  const p = new TestProject();
  if (ferryYaml !== undefined) p.write('ferry.yaml', ferryYaml);
  const users = Array.from({ length: interruptedTotal }, (_, i) => JSON.stringify({ email: `user${i}@example.com`, given_name: `G${i}` }));
  p.write('users.ndjson', users.join('\n') + '\n');
  p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 50, parallelism: 1 }\n');
  const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: failpoint } });
  expect(killed.code).not.toBe(0);
  return { p, id: lastJob(p) };
}

/** The job `ferry jobs list` shows first (the newest). */
export function lastJob(p: TestProject): string {
  return (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
}

export interface Resumed {
  code: number;
  status: string;
  message: string;
  inserted: number;
}

/** `ferry jobs resume <id> --json`: its exit code, status, error message and inserted count. */
export function resumeJob({ p, id }: Interrupted): Resumed {
  const result = p.ferry('jobs', 'resume', id, '--json');
  const report = JSON.parse(result.stdout) as { status: string; summary: { inserted: number }; error?: { message: string } };
  return { code: result.code, status: report.status, message: report.error?.message ?? '', inserted: report.summary.inserted };
}
