import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * `--json` when a command fails: one error object on stdout, `{"error": {"message", "exit"}}`,
 * the human message on stderr as before and the same exit code. Before: stdout was empty, so a
 * script parsing it got no input. A command that printed its result (a failed job's report) adds
 * nothing; and the message is masked like every other (it quoted a password as given).
 */
const PASSWORD = 'Sup3r-S3cret-Pw';

describe('--json on a failed command', () => {
  let p: TestProject;
  let succeeded: string;

  beforeAll(() => {
    p = new TestProject();
    p.write(
      'ferry.yaml',
      `connections:\n  users: { driver: sqlite, path: .ferry/users.db, table: users }\n  crm: { driver: postgres, url: "postgres://app:${PASSWORD}@127.0.0.1:1/crm" }\n`,
    );
    p.write('users.csv', 'email\na@example.com\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\n');
    p.write('bad.csv', 'email\nnot-an-email\n');
    p.write('bad.yaml', 'source: { file: bad.csv }\ntarget: { connection: users }\nvalidate: { schema: user }\n');
    const run = p.run('import.yaml');
    expect(run.code, run.stderr).toBe(0);
    succeeded = run.report.job;
  }, 120_000);
  afterAll(() => p.cleanup());

  const oneObject = (stdout: string): unknown => {
    expect(stdout.trim().split('\n')).toHaveLength(1);
    return JSON.parse(stdout);
  };

  it.each([
    ['jobs resume of no job', ['jobs', 'resume', 'nope', '--json'], 2, 'no job nope (ferry jobs list shows the jobs)'],
    ['jobs show of no job', ['jobs', 'show', 'nope', '--json'], 2, 'no job nope (ferry jobs list shows the jobs)'],
    ['jobs errors --format json of no job', ['jobs', 'errors', 'nope', '--format', 'json'], 2, 'no job nope (ferry jobs list shows the jobs)'],
    ['jobs list with a bad --limit', ['jobs', 'list', '--limit', 'abc', '--json'], 2, '--limit expects a whole number ≥ 1, got "abc"'],
    ['run of a missing pipeline', ['run', 'missing.yaml', '--json'], 2, 'missing.yaml pipeline file not found'],
    ['an unknown option', ['jobs', 'show', 'nope', '--bogus', '--json'], 2, "error: unknown option '--bogus'"],
  ])('%s: one error object on stdout, the message on stderr, the same exit code', (_name, args, exit, message) => {
    const result = p.ferry(...args);
    expect(result.code).toBe(exit);
    expect(oneObject(result.stdout)).toEqual({ error: { message, exit } });
    expect(result.stderr).toContain(message);
  });

  it('a refused resume (the job already succeeded) exits 1 with the reason as JSON', () => {
    const result = p.ferry('jobs', 'resume', succeeded, '--json');
    expect(result.code).toBe(1);
    expect(oneObject(result.stdout)).toEqual({ error: { message: `job ${succeeded} already succeeded; nothing to resume`, exit: 1 } });
  });

  it('a secret in the message is masked on stdout and stderr alike', () => {
    const result = p.ferry('jobs', 'show', PASSWORD, '--json');
    expect(result.code).toBe(2);
    expect(oneObject(result.stdout)).toEqual({ error: { message: 'no job *** (ferry jobs list shows the jobs)', exit: 2 } });
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });

  it('an invalid pipeline gives its diagnostics, said on stderr, as the message', () => {
    p.write('invalid.yaml', 'source: { file: users.csv }\ntarget: { connection: users, upsert: "yes" }\n');
    const result = p.ferry('run', 'invalid.yaml', '--json');
    expect(result.code).toBe(2);
    const { error } = oneObject(result.stdout) as { error: { message: string; exit: number } };
    expect(error.exit).toBe(2);
    expect(error.message).toMatch(/^invalid\.yaml:2:\d+ target\.upsert: /);
    expect(result.stderr).toContain(error.message);
  });

  it('a failed job prints its report and no second object', () => {
    const result = p.ferry('run', 'bad.yaml', '--json');
    expect(result.code).toBe(1);
    expect(oneObject(result.stdout)).toMatchObject({ status: 'failed', error: { code: 'ALL_REJECTED' } });
  });

  it('without --json stdout stays empty', () => {
    const result = p.ferry('jobs', 'show', 'nope');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});
