import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A query beyond the limits is an invalid pipeline like any other: validate names its position
 * (exit 1) and run refuses it (exit 2) before any job exists. Before, 1,500 nested parentheses
 * overflowed the stack with no position (run exited 1), and 1,001 ORed terms passed validate and
 * failed the job in SQLite.
 */
describe('a query beyond the limits (CLI)', () => {
  let p: TestProject;

  beforeAll(() => {
    p = new TestProject();
  });
  afterAll(() => p.cleanup());

  /** An export pipeline whose query, quoted, starts on line 3 at column 11. */
  const pipeline = (query: string): string => `source:\n  connection: users\n  query: '${query}'\ntarget:\n  file: out/users.csv\n`;
  const nested = (levels: number): string => `${'('.repeat(levels)}email:a@x.io${')'.repeat(levels)}`;
  const ored = (terms: number): string => Array.from({ length: terms }, (_, i) => `email:a${i}@x.io`).join(' OR ');

  it.each([
    ['deep.yaml', nested(1_500), 3, 11 + 100, 'the query nests too deeply: at most 100 levels of parentheses and NOT, ! or -'],
    ['many.yaml', ored(1_001), 3, 11 + ored(1_000).length + ' OR '.length, 'the query has too many terms: at most 1000 (split it over several pipelines)'],
    [
      'long.yaml',
      `email:${'a'.repeat(200_000)}`,
      3,
      11 + 100_000,
      'the query is too long: 200006 characters, at most 100000 (split it over several pipelines)',
    ],
  ])('%s: validate reports it at file:line:col (exit 1), run refuses it (exit 2) and starts no job', (file, query, line, col, message) => {
    p.write(file, pipeline(query));
    const validate = p.ferry('validate', file);
    expect(validate.stdout.trim()).toBe(`${file}:${line}:${col} source.query: ${message}`);
    expect(validate.code).toBe(1);
    const run = p.ferry('run', file);
    expect(run.stderr).toContain(`${file}:${line}:${col} source.query: ${message}`);
    expect(run.code).toBe(2);
    expect(p.ferry('jobs', 'list').stdout).toContain('no jobs yet');
  });

  it('takes a query at the limits: validate passes, run exports', () => {
    // The export reads the users table, which an import makes (a source's table must be there).
    p.write('seed.csv', 'email\nz@x.io\n');
    p.write('seed.yaml', 'source: { file: seed.csv }\ntarget: { connection: users, key: [email] }\n');
    expect(p.ferry('run', 'seed.yaml').code).toBe(0);
    p.write('edge.yaml', pipeline(`${ored(999)} OR ${nested(100)}`));
    expect(p.ferry('validate', 'edge.yaml').code).toBe(0);
    const run = p.run('edge.yaml');
    expect(run.code, run.stderr).toBe(0);
    expect(run.report.summary).toMatchObject({ exported: 0 });
  });
});
