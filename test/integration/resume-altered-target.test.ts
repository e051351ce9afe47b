import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * A resume over a target table altered since the job was interrupted. The batch that committed
 * just before the crash is replayed from its marker, but its records were mapped again against the
 * new table: they were counted inserted (the marker) and rejected (the mapping) at once — 350
 * records of 300, and a reject report listing rows that are in the table.
 */
describe('a resume over a target table altered since the crash', () => {
  let p: TestProject;
  afterEach(() => p?.cleanup());

  it('fails the replayed batch, saying why, rather than report written rows as rejected', () => {
    p = new TestProject();
    const users = Array.from({ length: 300 }, (_, i) => JSON.stringify({ email: `user${i}@example.com`, given_name: `G${i}` }));
    p.write('users.ndjson', users.join('\n') + '\n');
    p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users, upsert: true }\nbatch: { size: 50, parallelism: 1 }\n');
    // Killed after its third batch committed, before the journal recorded it.
    const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=3' } });
    expect(killed.code).not.toBe(0);
    const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
    const store = new Database(join(p.dir, '.ferry/users.db'));
    store.exec('ALTER TABLE users DROP COLUMN given_name');
    store.close();

    const resume = p.ferry('jobs', 'resume', id, '--json');
    expect(resume.code).toBe(1);
    const report = JSON.parse(resume.stdout) as { status: string; summary: { total: number; inserted: number; rejected: number }; error: { message: string } };
    expect(report.status).toBe('failed');
    expect(report.error.message).toContain(
      `batch 2 was written before the job stopped, but its records no longer map as they did (0 refused then, 50 now): the target table changed since`,
    );
    expect(report.summary.inserted + report.summary.rejected).toBeLessThanOrEqual(report.summary.total);
    expect(report.summary.rejected).toBe(0);
  }, 60_000);
});
