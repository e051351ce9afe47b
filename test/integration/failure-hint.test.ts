import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
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
      `job ${id} failed planning: its source file would fail the same way again; fix the file as the error says, then ferry jobs resume ${id} continues it`,
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
    expect(resumed.stderr).toContain(`job ${id} failed, and a resume would fail the same way: ferry run import.yaml runs the pipeline as a new job`);
    expect(resumed.stderr).not.toContain('continues it');
  }, 60_000);
});
