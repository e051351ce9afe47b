import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/** What the CLI promises on the embedded engine whatever the job: read-only commands write nothing, usage errors exit 2. */
describe('the CLI over the embedded engine', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    p.write('users.json', [{ email: 'a@example.com' }, { email: 'b@example.com' }]);
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
  });
  afterEach(() => p.cleanup());

  it('jobs list, jobs show and schedules list in an empty folder create no journal', () => {
    expect(p.ferry('jobs', 'list').stdout).toContain('no jobs yet');
    expect(p.ferry('jobs', 'show', 'nope').code).toBe(2); // no such job: a usage error
    expect(p.ferry('schedules', 'list').code).toBe(0);
    expect(existsSync(join(p.dir, '.ferry'))).toBe(false);
  });

  it('refuses --detach, which only the Temporal engine can honour, before running anything', () => {
    const detached = p.ferry('run', 'import.yaml', '--detach');
    expect(detached.code).toBe(2);
    expect(detached.stderr).toContain('--detach needs engine: temporal');
    expect(existsSync(join(p.dir, '.ferry'))).toBe(false);
  });

  it('lists jobs under a header, with the counts of each', () => {
    const { report } = p.run('import.yaml');
    const [header, line] = p.ferry('jobs', 'list').stdout.trim().split('\n');
    expect(header).toMatch(/^JOB\s+STATUS\s+STARTED\s+RECORDS$/);
    expect(line).toMatch(new RegExp(`^${report.job}\\s+succeeded\\s+\\S+\\s+2 total, 2 inserted, 0 updated, 0 rejected$`));
  });
});
