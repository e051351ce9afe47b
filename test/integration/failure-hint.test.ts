import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { exportPipeline, seed } from '../helpers/exports.js';
import { TestProject } from '../helpers/project.js';

/**
 * A job that failed with an error a resume meets again (bad input, a store that lost the job's
 * rows) ended with "failed: ferry jobs resume <id> continues it", which sends the user round in a
 * circle: the last line says what to do instead.
 */
describe('the last line of a job a resume would fail the same way', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('a JSON source cut short past the head validate reads: fix the file, then resume', () => {
    p = new TestProject();
    p.write('users.json', `[${'{"email":"a@example.com"},'.repeat(50_000)}`);
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
    const run = p.ferry('run', 'import.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('failed: ferry jobs resume');
    const id = /job (import-\S+) failed planning/.exec(run.stderr)?.[1];
    expect(run.stderr).toContain(
      `job ${id} failed planning, and a resume as things are would fail the same way: fix what the error says, then ferry jobs resume ${id} continues it`,
    );
    // As it says: the fixed file is planned again by the resume.
    writeFileSync(join(p.dir, 'users.json'), '[{"email":"a@example.com"}]');
    expect(p.ferry('jobs', 'resume', id!).code).toBe(0);
  }, 60_000);

  it('a store that lost the batches the job wrote: run it as a new job', () => {
    p = new TestProject();
    const users = Array.from({ length: 300 }, (_, i) => JSON.stringify({ email: `user${i}@example.com` }));
    p.write('users.ndjson', users.join('\n') + '\n');
    p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 50, parallelism: 1 }\n');
    const killed = runFerry(['run', 'import.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=3' } });
    expect(killed.code).not.toBe(0);
    const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
    rmSync(join(p.dir, '.ferry/users.db'));
    const resumed = p.ferry('jobs', 'resume', id);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(
      `job ${id} failed, and a resume as things are would fail the same way: do what the error says (fix its cause, then ferry jobs resume ${id} continues it; where it says the job cannot go on, ferry run import.yaml runs the pipeline as a new job)`,
    );
    expect(resumed.stderr).not.toMatch(/continues it$/m);
  }, 60_000);

  /**
   * Failures whose error the engine knew was not retryable, but whose words no pattern of the CLI
   * matched: the last line said "ferry jobs resume <id> continues it" under an error saying the
   * opposite. The job record keeps whether the failing step was retryable, and the line follows it.
   */
  it('an export whose snapshot was deleted: its error says run it anew, and so does the last line', () => {
    p = new TestProject();
    seed(p, [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }, { email: 'd@example.com' }]);
    p.write(
      'out.yaml',
      exportPipeline({ file: 'out/users.csv', sort: '{ by: email }', extra: 'columns:\n  email: email\nbatch: { size: 2, parallelism: 1 }\n' }),
    );
    // Steps recorded: the plan, the first page; then killed.
    const killed = runFerry(['run', 'out.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'step-after-record=2', FERRY_BATCH_THREADS: '0' } });
    expect(killed.code).not.toBe(0);
    const id = /job (\S+) started/.exec(killed.stderr)?.[1];
    rmSync(join(p.dir, '.ferry', 'jobs', id!, 'snapshot.db'));
    const resumed = p.ferry('jobs', 'resume', id!);
    expect(resumed.code).toBe(1);
    expect(resumed.stdout).toContain('cannot read the rows the job copied at planning');
    expect(resumed.stderr).toContain(
      `job ${id} failed, and a resume as things are would fail the same way: do what the error says (fix its cause, then ferry jobs resume ${id} continues it; where it says the job cannot go on, ferry run out.yaml runs the pipeline as a new job)`,
    );
    expect(resumed.stderr).not.toMatch(/continues it$/m);
    const shown = JSON.parse(p.ferry('jobs', 'show', id!, '--json').stdout) as { failure?: unknown };
    expect(shown.failure).toEqual({ step: 'batch', retryable: false });
  }, 60_000);

  it('a failure another attempt may mend keeps the resume hint', () => {
    p = new TestProject();
    p.write('users.json', [{ email: 'a@example.com' }]);
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nretry: { max_attempts: 1 }\n');
    p.ferry('run', 'import.yaml');
    const unlock = p.lockStore();
    let run;
    try {
      run = runFerry(['run', 'import.yaml', '--force-new'], { cwd: p.dir, env: { FERRY_SQLITE_BUSY_TIMEOUT_MS: '50' } });
    } finally {
      unlock();
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/job import-\S+ failed: ferry jobs resume import-\S+ continues it/);
  }, 60_000);
});
