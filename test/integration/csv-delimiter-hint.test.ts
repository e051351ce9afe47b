import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

const hint = 'the header is one column, `email;name`, holding ";": is the file separated by it? set source.csv.delimiter: ";"';

/** A semicolon-separated CSV read with the default comma is one column: validate and run suggested `email;name` as the field meant. */
describe('a CSV separated by ";" read with the default delimiter gets a delimiter hint', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('mapped fields: validate and run refuse, each field naming the header and the delimiter to set', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email;name\na@example.com;Ann\n');
    p.write('pipelines/import.yaml', 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, name: name }\n');
    const expected = [
      `pipelines/import.yaml:3:19 columns.email: field email is not in the header of pipelines/users.csv: ${hint}`,
      `pipelines/import.yaml:3:32 columns.name: field name is not in the header of pipelines/users.csv: ${hint}`,
    ];
    const validated = p.ferry('validate');
    expect(validated.code).toBe(1);
    expect(validated.stdout.trim().split('\n')).toEqual(expected);
    const run = p.ferry('run', 'pipelines/import.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual(expected);
  });

  it('no columns: (identity) the warning says the delimiter, in validate and before the run', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email;name\na@example.com;Ann\n');
    p.write('pipelines/import.yaml', 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\n');
    const warning = `pipelines/import.yaml:1:17 source.file: warning: pipelines/users.csv: ${hint} (as it is, every row with a value is rejected: UNKNOWN_FIELD)`;
    expect(p.ferry('validate').stdout).toContain(warning);
    expect(p.ferry('run', 'pipelines/import.yaml').stderr).toContain(warning);
  });
});

/** A delimiter of two UTF-8 bytes passed validate; its run made a job that failed at planning. */
describe('a CSV delimiter the job cannot use', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('is refused by validate and before a run makes a job', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'emailéname\na@example.comébob\n');
    p.write(
      'pipelines/import.yaml',
      'source: { file: users.csv, csv: { delimiter: é } }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n',
    );
    const expected =
      'pipelines/import.yaml:1:17 source.file: [source:csv] delimiter "é" cannot be used with encoding utf8: it must be one byte, not a quote or line end. Hint: use an ASCII delimiter, or encoding latin1';
    const validated = p.ferry('validate');
    expect(validated.code).toBe(1);
    expect(validated.stdout.trim()).toBe(expected);
    const run = p.ferry('run', 'pipelines/import.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(expected);
    expect(p.ferry('jobs', 'list').stdout).not.toContain('import');
  });
});
