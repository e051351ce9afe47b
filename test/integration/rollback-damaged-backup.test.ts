import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry jobs rollback` of a job whose backup.ndjson was damaged or edited by hand: every line is
 * checked to be a backup entry before anything is restored, with or without --force. A line of
 * the wrong shape reached the store as it was: a null key stopped the check with a JavaScript
 * message ("Cannot convert undefined or null to object"), a string `before` made --force try to
 * insert a row of nothing, and a number `afterHash` let --force through.
 */
describe('ferry jobs rollback of a damaged backup', { timeout: 120_000 }, () => {
  let p: TestProject;
  let job: string;
  let backup: string;
  beforeEach(() => {
    p = new TestProject();
    p.write('u.json', [
      { email: 'a@x.io', given_name: 'Ann' },
      { email: 'b@x.io', given_name: 'Bob' },
      { email: 'c@x.io', given_name: 'Cy' },
    ]);
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\n');
    job = p.run('p.yaml').report.job;
    backup = join(p.dir, '.ferry', 'jobs', job, 'backup.ndjson');
  });
  afterEach(() => p.cleanup());

  const emails = (): unknown[] => p.rows('SELECT email FROM users ORDER BY email').map((r) => r['email']);

  const damaged: [string, string, string][] = [
    ['a null key', '{"row":4,"key":null,"before":null,"afterHash":"h"}', 'its key is not an object of column values'],
    ['an empty key', '{"row":4,"key":{},"before":null,"afterHash":"h"}', 'its key is not an object of column values'],
    ['a key of objects', '{"row":4,"key":{"email":{"a":1}},"before":null,"afterHash":"h"}', 'its key is not an object of column values'],
    ['a string before', '{"row":4,"key":{"email":"a@x.io"},"before":"str","afterHash":"h"}', 'its before is neither null nor a row'],
    ['no before', '{"row":4,"key":{"email":"a@x.io"},"afterHash":"h"}', 'its before is neither null nor a row'],
    ['a number afterHash', '{"row":4,"key":{"email":"a@x.io"},"before":null,"afterHash":5}', 'its afterHash is not a hash'],
    ['a string row', '{"row":"4","key":{"email":"a@x.io"},"before":null,"afterHash":"h"}', 'its row is not a row number'],
    ['an array', '[1,2]', 'not a backup entry (an object)'],
  ];

  describe.each([[[] as string[]], [['--force']]])('flags %j', (flags) => {
    it.each(damaged)('%s: refused, naming the line, and nothing is restored', (_, line, why) => {
      appendFileSync(backup, `${line}\n`);
      const result = p.ferry('jobs', 'rollback', job, ...flags);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `the backup of job ${job} is damaged: .ferry/jobs/${job}/backup.ndjson:4: ${why}. Nothing was restored: put back the file as the job wrote it\n`,
      );
      expect(emails()).toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
      // No rollback job was started.
      expect(p.ferry('jobs', 'list', '--json').stdout.trim().split('\n')).toHaveLength(1);
    });
  });

  it('a line cut short is named relative to the project without quoting it, and nothing is restored', () => {
    // The last line's previous values hold a password hash, which the message must not quote.
    const lines = readFileSync(backup, 'utf8').trimEnd().split('\n');
    lines[2] = lines[2]!.replace('"before":null', '"before":{"password_hash":"secret-ish","given_name":"Cy"}').slice(0, -10);
    writeFileSync(backup, `${lines.join('\n')}\n`);
    const result = p.ferry('jobs', 'rollback', job, '--force');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^the backup of job ${job} is damaged: \\.ferry/jobs/${job}/backup\\.ndjson:3: not a JSON line \\(cut short or edited\\)\\. Nothing was restored: put back the file as the job wrote it\\n$`,
      ),
    );
    expect(result.stderr).not.toContain('secret-ish');
    expect(emails()).toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
  });

  it('a store deleted since is said so, and not created empty to be found without the rows', () => {
    rmSync(join(p.dir, '.ferry', 'users.db'));
    const result = p.ferry('jobs', 'rollback', job);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot roll back job ${job}: `);
    expect(result.stderr).toContain('the store file does not exist, and reading creates none');
    expect(result.stderr).not.toContain('changed by a later job');
    expect(result.stderr).toMatch(/Nothing was restored\n$/);
    expect(existsSync(join(p.dir, '.ferry', 'users.db'))).toBe(false);
  });

  it('an intact backup still rolls back', () => {
    const result = p.ferry('jobs', 'rollback', job);
    expect(result.code).toBe(0);
    expect(emails()).toEqual([]);
  });
});
