import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A column's name heads a CSV column or keys a JSON member as written: a NUL went raw into an
 * export's CSV header, a line break split its header row, and half a surrogate pair (which no
 * UTF-8 spells) had every row rejected. validate and run refuse such a name at its key.
 */
describe('column names that no output can hold', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it.each([
    ['a NUL', '"id\\0x"', /control character/],
    ['a line break', '"id\\nx"', /control character/],
    ['a tab', '"id\\tx"', /control character/],
    ['half a surrogate pair', '"id\\uD800"', /half a surrogate pair/],
  ])('refuses %s in an export column name, with file:line:col, writing nothing', (_what, key, message) => {
    p = new TestProject();
    p.write('pipelines/export.yaml', `source:\n  connection: users\ntarget:\n  file: out/users.csv\ncolumns:\n  email: email\n  ${key}: user_id\n`);
    const v = p.ferry('validate');
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^pipelines\/export\.yaml:7:3 /m);
    expect(v.stdout).toMatch(message);
    const r = p.ferry('run', 'pipelines/export.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(p.dir, 'out'))).toBe(false);
  });

  it('keeps names with spaces, punctuation and letters of any script', () => {
    p = new TestProject();
    p.write(
      'pipelines/export.yaml',
      'source:\n  connection: users\ntarget:\n  file: out/users.csv\ncolumns:\n  "E-mail (primär) 📧": email\n  名前: given_name\n',
    );
    expect(p.ferry('validate')).toMatchObject({ code: 0 });
  });

  it.each([
    ['a folder (a trailing /)', 'out/', /names a folder/],
    ['a line break', '"out/a\\nb.csv"', /control character/],
  ])('refuses a target file naming %s, writing nothing', (_what, file, message) => {
    p = new TestProject();
    p.write('pipelines/export.yaml', `source:\n  connection: users\ntarget:\n  file: ${file}\n  format: csv\n`);
    const v = p.ferry('validate');
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^pipelines\/export\.yaml:4:9 /m);
    expect(v.stdout).toMatch(message);
    expect(p.ferry('run', 'pipelines/export.yaml').code).toBe(2);
    expect(existsSync(join(p.dir, 'pipelines', 'out'))).toBe(false);
  });
});
