import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

const pipeline = (extra = ''): string =>
  `name: shared\nsource: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n${extra}`;
const cases = (expected: string): string =>
  `tests:\n  - name: email passes through\n    input: { email: a@example.com }\n    expect: { row: { email: ${expected} } }\n`;

/**
 * `ferry validate` lists symlinked pipelines under pipelines/ (a pipeline shared between projects);
 * `ferry test` and `ferry schedules` skipped them, so a linked pipeline's failing cases passed CI
 * and its schedule was not listed (nor applied).
 */
describe('ferry test and ferry schedules follow symlinked files under pipelines/, as validate does', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('ferry test runs the cases of a linked pipeline and its linked test file', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    symlinkSync(p.write('shared/shared.yaml', pipeline()), join(p.dir, 'pipelines', 'shared.yaml'));
    symlinkSync(p.write('shared/shared.test.yaml', cases('b@example.com')), join(p.dir, 'pipelines', 'shared.test.yaml'));
    const r = p.ferry('test');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('FAIL pipelines/shared.test.yaml:2 email passes through');
    expect(r.stdout).toContain('0 of 1 case(s) passed, 1 failed');
  });

  it('ferry schedules list shows a linked scheduled pipeline; apply refuses when a linked pipeline is invalid', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\na@example.com\n');
    symlinkSync(p.write('shared/shared.yaml', pipeline('schedule: "0 2 * * *"\n')), join(p.dir, 'pipelines', 'shared.yaml'));
    const listed = p.ferry('schedules', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('"pipeline":"shared"');

    symlinkSync(p.write('shared/broken.yaml', 'source: { file: users.csv }\n'), join(p.dir, 'pipelines', 'broken.yaml'));
    const applied = p.ferry('schedules', 'apply');
    expect(applied.code).toBe(2);
    expect(applied.stderr).toContain('pipelines/broken.yaml');
    expect(applied.stderr).toContain('not applied: fix the pipelines above first');
  });
});

/** A pipeline shared by a symlink reads the data of the project it is linked into: validate, run and test agree on the link's folder. */
describe("a symlinked pipeline's relative file paths are beside the link, not beside the file it leads to", () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('validate checks, and run imports, the source beside the link', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email\nlinked@example.com\n');
    p.write('shared/users.csv', 'mail\nreal@example.com\n');
    symlinkSync(p.write('shared/shared.yaml', pipeline()), join(p.dir, 'pipelines', 'shared.yaml'));
    expect(p.ferry('validate')).toMatchObject({ code: 0, stdout: 'ok pipelines/shared.yaml\n' });
    const { code, report } = p.run('pipelines/shared.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ inserted: 1, rejected: 0 });
    expect(p.rows('SELECT email FROM users')).toEqual([{ email: 'linked@example.com' }]);
    p.write('pipelines/shared.test.yaml', cases('a@example.com'));
    expect(p.ferry('test')).toMatchObject({ code: 0 });
  });
});
