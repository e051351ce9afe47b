import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importWithOneReject, TestProject } from '../helpers/project.js';

/**
 * `ferry jobs retry-rejects` of a job whose rejects.ndjson was damaged or edited by hand: the rows
 * to read again are its row numbers, so each line must be a reject naming a row of the source. A
 * row "2" beside 2 read the record twice (a total of 2 for 1 reject), a row 1.5 or one past the
 * source's end made a job that silently read nothing for it.
 */
describe('ferry jobs retry-rejects of a damaged reject report', { timeout: 120_000 }, () => {
  let p: TestProject;
  let job: string;
  let report: string;
  beforeEach(() => {
    p = new TestProject();
    job = importWithOneReject(p);
    report = join(p.dir, '.ferry', 'jobs', job, 'rejects.ndjson');
    // The mapping fixed, so a retry writes what it reads.
    p.write(
      'p.yaml',
      "source: { file: u.json }\ntarget: { connection: users }\ncolumns:\n  email: \"email = 'bad' ? 'bob@x.io' : email\"\n  given_name: given_name\n",
    );
  });
  afterEach(() => p.cleanup());

  const jobs = (): number => p.ferry('jobs', 'list', '--json').stdout.trim().split('\n').length;

  it.each([
    ['a row as a string', '{"row":"2","errors":[]}', 'its row is not a row number'],
    ['a fractional row', '{"row":1.5,"errors":[]}', 'its row is not a row number'],
    ['row 0', '{"row":0,"errors":[]}', 'its row is not a row number'],
    ['no row', '{"errors":[]}', 'its row is not a row number'],
    ['not an object', '"x"', 'not a reject (an object)'],
    ['a row past the source', '{"row":4,"errors":[]}', 'row 4 is in none of the batches job JOB planned'],
  ])('%s: refused, naming the line; no job, no row written', (_, line, why) => {
    appendFileSync(report, `${line}\n`);
    const result = p.ferry('jobs', 'retry-rejects', job);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `the reject report of job ${job} is damaged: .ferry/jobs/${job}/rejects.ndjson:2: ${why.replace('JOB', job)}. Nothing was retried\n`,
    );
    expect(jobs()).toBe(1);
    expect(p.rows('SELECT email FROM users ORDER BY email').map((r) => r['email'])).toEqual(['a@x.io', 'c@x.io']);
  });

  it('a line cut short is refused without quoting it', () => {
    writeFileSync(report, readFileSync(report, 'utf8').slice(0, -5));
    const result = p.ferry('jobs', 'retry-rejects', job);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `the reject report of job ${job} is damaged: .ferry/jobs/${job}/rejects.ndjson:1: not a JSON line (cut short or edited). Nothing was retried\n`,
    );
    expect(jobs()).toBe(1);
  });

  it("a retry's own rejects, numbered as in the source, retry in turn", () => {
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\n');
    const retry = JSON.parse(p.ferry('jobs', 'retry-rejects', job, '--json').stdout) as { job: string; summary: { total: number; rejected: number } };
    expect(retry.summary).toMatchObject({ total: 1, rejected: 1 });
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\ncolumns:\n  email: "\'bob@x.io\'"\n  given_name: given_name\n');
    const again = p.ferry('jobs', 'retry-rejects', retry.job, '--json');
    expect(again.code).toBe(0);
    expect(p.rows('SELECT email, given_name FROM users ORDER BY email')).toEqual([
      { email: 'a@x.io', given_name: 'Ann' },
      { email: 'bob@x.io', given_name: 'Bob' },
      { email: 'c@x.io', given_name: 'Cy' },
    ]);
  });

  it("a rollback's rejects are not retried through the pipeline: they are lines of a backup, not records", () => {
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\n');
    const rollback = (JSON.parse(p.ferry('jobs', 'rollback', job, '--json').stdout) as { job: string }).job;
    // A rollback's rejects are the rows changed between its check and its restore (CONFLICT).
    writeFileSync(
      join(p.dir, '.ferry', 'jobs', rollback, 'rejects.ndjson'),
      '{"row":1,"record":{},"errors":[{"code":"CONFLICT","path":"","message":"changed since"}]}\n',
    );
    const result = p.ferry('jobs', 'retry-rejects', rollback);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `job ${rollback} is a rollback: its rejects are rows changed since job ${job} wrote them, which ferry jobs rollback ${job} --force puts back\n`,
    );
    expect(jobs()).toBe(2);
  });

  it('an intact report retries its one row once', () => {
    const result = p.ferry('jobs', 'retry-rejects', job, '--json');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { summary: { total: number; inserted: number } }).summary).toMatchObject({ total: 1, inserted: 1 });
    expect(p.rows('SELECT email FROM users ORDER BY email').map((r) => r['email'])).toEqual(['a@x.io', 'bob@x.io', 'c@x.io']);
  });
});
