import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * A CSV header with an empty column name (`email,,name`) read through `columns:`: no entry can name
 * that column, so its values were dropped without a word, and validate said ok.
 */
describe('a CSV column with no name in its header', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  const pipeline = 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, name: name }\n';

  it('is a warning at source.file naming its position, in validate and before the run', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email,,name\na@example.com,premium,Ann\n');
    p.write('pipelines/import.yaml', pipeline);
    const warning =
      'pipelines/import.yaml:1:17 source.file: warning: column 2 of the header of pipelines/users.csv:1:7 (byte 6) has no name: no entry of columns: can read it, so any value in it is dropped';
    const validated = p.ferry('validate');
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain(warning);
    expect(p.ferry('run', 'pipelines/import.yaml').stderr).toContain(warning);
  });

  it('names the last column when the header line ends with the delimiter', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email,name,\na@example.com,Ann,premium\n');
    p.write('pipelines/import.yaml', pipeline);
    expect(p.ferry('validate').stdout).toContain('warning: column 3 of the header of pipelines/users.csv:1:12 (byte 11) has no name');
  });

  it('is placed where the header is: after blank lines and a byte order mark, past a quoted line break, in a latin1 file', () => {
    p = new TestProject();
    // Line 4 is `mail",é,,name`: the unnamed column 3 starts at its 9th character, byte 15 of the file (é is 2 bytes).
    p.write('pipelines/users.csv', '\ufeff\n\r\n"e\nmail",é,,name\na@example.com,x,premium,Ann\n');
    p.write(
      'pipelines/import.yaml',
      'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: "`e\\nmail`", name: name }\n',
    );
    expect(p.ferry('validate').stdout).toContain('warning: column 3 of the header of pipelines/users.csv:4:9 (byte 18) has no name');
    // latin1: a byte a character; é is one byte here.
    writeFileSync(join(p.dir, 'pipelines', 'users.csv'), Buffer.from('email;\xe9;;name\na@example.com;x;premium;Ann\n', 'latin1'));
    p.write(
      'pipelines/import.yaml',
      'source: { file: users.csv, csv: { encoding: latin1, delimiter: ";" } }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, name: name }\n',
    );
    expect(p.ferry('validate').stdout).toContain('warning: column 3 of the header of pipelines/users.csv:1:9 (byte 8) has no name');
  });

  it('says nothing of a header whose columns all have names', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email,plan,name\na@example.com,premium,Ann\n');
    p.write('pipelines/import.yaml', pipeline);
    expect(p.ferry('validate').stdout.trim()).toBe('ok pipelines/import.yaml');
  });
});
