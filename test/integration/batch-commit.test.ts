import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { generateUsers } from '../helpers/users.js';

/**
 * `batch.commit`: a batch commits that many records per transaction. A kill -9 after a commit
 * leaves exactly the committed chunks, and the resume completes the job exactly once.
 */
const USERS = 12_500;
let p: TestProject;

beforeEach(() => {
  p = new TestProject();
  p.write('users.json', generateUsers(USERS, 11, { invalidEvery: 101 }));
  p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 12500, commit: 5000, parallelism: 1 }\n');
});
afterEach(() => p.cleanup());

const count = (sql: string): number => Number(Object.values(p.rows(sql)[0]!)[0]);

describe('batch.commit', { timeout: 120_000 }, () => {
  it('commits 5,000 records at a time: killed after the second commit, exactly 10,000 records are in; the resume ends exact', () => {
    const whole = new TestProject();
    try {
      // The same import, uninterrupted, in another project: what the resumed job must equal.
      whole.write('users.json', generateUsers(USERS, 11, { invalidEvery: 101 }));
      whole.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
      const expected = whole.run('import.yaml').report.summary;

      const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'batch-after-commit=2' } });
      expect(killed.code).not.toBe(0);
      const inRows = count('SELECT count(*) FROM users');
      // Every 101st generated user is invalid: the first two commits hold 10,000 records, 99 of them rejected.
      const validInFirst10k = 10_000 - Math.floor(10_000 / 101);
      expect(inRows).toBe(validInFirst10k);

      const job = (JSON.parse(runFerry(['jobs', 'list', '--json'], { cwd: p.dir }).stdout.split('\n')[0]!) as { job: string }).job;
      const resumed = runFerry(['jobs', 'resume', job, '--json'], { cwd: p.dir });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((JSON.parse(resumed.stdout) as JobReportJson).summary).toEqual(expected);
      expect(count('SELECT count(*) FROM users')).toBe(expected.inserted);
      expect(count('SELECT count(DISTINCT email) FROM users')).toBe(expected.inserted);
    } finally {
      whole.cleanup();
    }
  });

  it('rejects a commit outside 1,000–10,000 at its line', () => {
    p.write('bad.yaml', 'source: { file: users.json }\ntarget: { connection: users }\nbatch: { size: 12500, commit: 50000 }\n');
    const out = p.ferry('validate', 'bad.yaml');
    expect(out.code).toBe(1);
    expect(out.stderr + out.stdout).toContain('bad.yaml:3:31 batch.commit: expected a value <= 10000, got 50000');
  });
});
