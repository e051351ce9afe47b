import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * The README's exit codes on every command: 2 for a usage error (unknown option, missing argument,
 * a bad value, a job id that names no job or a job the command does not apply to), 1 for a
 * runtime failure. Before (issue 20): `jobs show nope`, `jobs rollback <export>` and `--dry-run` of
 * an export exited 1, and `jobs list --limit abc` exited 0.
 */
describe('exit codes', () => {
  let p: TestProject;
  let exportJob: string;

  beforeAll(() => {
    p = new TestProject();
    p.write('users.csv', 'email\na@example.com\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\n');
    p.write('export.yaml', 'source: { connection: users }\ntarget: { file: out/users.csv }\n');
    expect(p.run('import.yaml').code).toBe(0);
    const exported = p.run('export.yaml');
    expect(exported.code, exported.stderr).toBe(0);
    exportJob = exported.report.job;
  }, 120_000);
  afterAll(() => p.cleanup());

  const usage: [string, () => string[], RegExp][] = [
    ['jobs list --limit abc', () => ['jobs', 'list', '--limit', 'abc'], /--limit expects a whole number ≥ 1, got "abc"/],
    ['jobs show of no job', () => ['jobs', 'show', 'nope'], /no job nope/],
    ['jobs errors of no job', () => ['jobs', 'errors', 'nope'], /no job nope/],
    ['jobs resume of no job', () => ['jobs', 'resume', 'nope'], /no job nope/],
    ['jobs cancel of no job', () => ['jobs', 'cancel', 'nope'], /no job nope/],
    ['jobs rollback of no job', () => ['jobs', 'rollback', 'nope'], /no job nope/],
    ['jobs retry-rejects of no job', () => ['jobs', 'retry-rejects', 'nope'], /no job nope/],
    ['jobs rollback of an export', () => ['jobs', 'rollback', exportJob], /is an export: only jobs that wrote to a store roll back/],
    ['jobs rollback without its id', () => ['jobs', 'rollback'], /missing required argument 'id'/],
    ['jobs show with an unknown option', () => ['jobs', 'show', exportJob, '--bogus'], /unknown option '--bogus'/],
    ['run --dry-run of an export', () => ['run', 'export.yaml', '--dry-run'], /--dry-run previews writes to a store; this pipeline writes a file/],
    ['run --examples with a bad value', () => ['run', 'import.yaml', '--dry-run', '--examples', 'x'], /--examples expects a whole number ≥ 0, got "x"/],
    ['run --sample with a bad value', () => ['run', 'export.yaml', '--sample', '0'], /--sample expects a whole number ≥ 1, got "0"/],
    ['serve --max-runs with a bad value', () => ['serve', '--max-runs', '1.5'], /--max-runs expects a whole number ≥ 1, got "1.5"/],
    // Number() reads these; a command line means digits.
    ['jobs list --limit in hex', () => ['jobs', 'list', '--limit', '0x10'], /--limit expects a whole number ≥ 1, got "0x10"/],
    ['preview -n in exponent form', () => ['preview', 'import.yaml', '-n', '1e3'], /-n expects a whole number ≥ 1, got "1e3"/],
    [
      'connections test --timeout Infinity',
      () => ['connections', 'test', '--timeout', 'Infinity'],
      /--timeout expects a number of seconds > 0, got "Infinity"/,
    ],
    ['ui --max-upload Infinity', () => ['ui', '--max-upload', 'Infinity'], /--max-upload expects a size in MB > 0, got "Infinity"/],
    ['ui --port out of range', () => ['ui', '--port', '70000'], /--port expects a whole number from 0 to 65535, got "70000"/],
    ['dev-server --port 0x1F90', () => ['dev-server', '--port', '0x1F90'], /--port expects a whole number from 1 to 65535, got "0x1F90"/],
  ];

  it.each(usage)('%s: exit 2 with the reason', (_name, args, reason) => {
    const result = p.ferry(...args());
    expect(result.stderr).toMatch(reason);
    expect(result.code).toBe(2);
  });

  it('a job id with terminal control characters is echoed escaped, not acted on by the terminal', () => {
    const result = p.ferry('jobs', 'show', 'x\x1b[2J\x1b]0;owned\x07\u202ey');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no job x\\x1b[2J\\x1b]0;owned\\x07\\u202ey');
    expect(result.stderr).not.toMatch(/[\x1b\x07\u202e]/);
  });

  // The id was repeated whole: a 100 kB id made a 100 kB message, its line breaks forging lines.
  it.each([['show'], ['errors'], ['resume'], ['cancel'], ['rollback'], ['retry-rejects']])(
    'jobs %s of a long id with a line break quotes its first 80 characters, escaped',
    (command) => {
      const id = `forged\nline${'x'.repeat(100_000)}`;
      const result = p.ferry('jobs', command, id);
      expect(result.stderr).toBe(`no job forged\\nline${'x'.repeat(69)}… (${id.length} characters) (ferry jobs list shows the jobs)\n`);
      expect(result.code).toBe(2);
    },
  );

  it('a dry run of an export writes nothing', () => {
    p.ferry('run', 'export.yaml', '--dry-run');
    expect(existsSync(join(p.dir, '.ferry/dry-runs'))).toBe(false);
  });

  it('a dry run whose job fails at planning says why and exits 1 (it crashed on a missing backup.ndjson)', () => {
    // A JSON array cut short past its first megabyte: validate reads only the file's head, the plan reads it to its end.
    p.write('cut.json', `[${'{"email":"a@example.com"},'.repeat(50_000)}`);
    p.write('cut.yaml', 'source: { file: cut.json }\ntarget: { connection: users }\n');
    expect(p.ferry('validate', 'cut.yaml').code).toBe(0);
    const result = p.ferry('run', 'cut.yaml', '--dry-run');
    expect(result.stderr).not.toContain('ENOENT');
    expect(result.stderr).toMatch(
      /the job would fail: \[source:json\] .*cut\.json:1:1300002: the file ends at byte 1300001 before the closing "\]" of its array/,
    );
    expect(result.code).toBe(1);
  });
});
