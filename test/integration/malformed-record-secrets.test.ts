import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A pipeline that maps no secret column keeps a malformed record's raw text in its reject (README
 * "Secrets are masked by what they become"): the secrets the record itself holds by name are
 * masked in that text, in rejects.ndjson and in everything that shows it.
 */
const HASH = '$2b$10$abcdefghijklmnopqrstuOabcdefghijklmnopqrstuvwxyz01234';

describe('a malformed record of a pipeline mapping no secret column', () => {
  let p: TestProject;
  beforeEach(() => (p = new TestProject()));
  afterEach(() => p.cleanup());

  it.each([
    ['users.ndjson', `{"email":"ok@x.io","name":"Ok"}\n{"email":"a@x.io","password_hash":"${HASH}", "name": }\n`, 'email: email\n  name: name'],
    ['users.csv', `email,name,password_hash\nok@x.io,Ok,\na@x.io,${HASH}\n`, 'email: email\n  name: name'],
  ])('keeps its text with the secret masked in rejects.ndjson and jobs errors (%s)', (file, content, columns) => {
    p.write(file, content);
    p.write('p.yaml', `source:\n  file: ${file}\ntarget:\n  connection: users\ncolumns:\n  ${columns}\n`);
    const { report, stderr } = p.run('p.yaml');
    expect(report.summary.rejected).toBe(1);
    const [reject] = p.rejects(report);
    expect(reject!.errors[0]!.code).toBe('PARSE_ERROR');
    expect(reject!.record).toEqual(expect.stringContaining('a@x.io'));
    expect(reject!.record).toEqual(expect.stringContaining('*****'));
    const errors = p.ferry('jobs', 'errors', report.job);
    const errorsJson = p.ferry('jobs', 'errors', report.job, '--json');
    expect(errorsJson.stdout).toContain('a@x.io');
    for (const text of [readFileSync(join(p.dir, report.artifacts.rejects!), 'utf8'), errors.stdout, errorsJson.stdout, stderr]) {
      expect(text).not.toContain('abcdefghijklmnopqrstu');
    }
  });
});
