import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

const pipeline = (file: string, csv = ''): string =>
  `source: { file: ${file}${csv} }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\n`;

/** A source with nothing in it: validate said ok, and the run failed at planning (no header row, no JSON array). */
describe('validate catches a source file the job would refuse as empty', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it.each([
    ['an empty CSV', 'users.csv', '', 'users.csv has no header row: it is empty (0 bytes)'],
    ['a CSV of blank lines', 'users.csv', '\r\n\n', 'users.csv has no header row: it holds only blank lines'],
    ['a CSV of a byte order mark', 'users.csv', '\uFEFF\n', 'users.csv has no header row: it holds only blank lines'],
    ['an empty JSON file', 'users.json', '', 'users.json holds no JSON array of users: it is empty (0 bytes)'],
    // Past 64 KiB of blank lines validate stopped looking, and said ok.
    ['a CSV of 100,000 blank lines', 'users.csv', '\uFEFF' + ' \r\n'.repeat(100_000), 'users.csv has no header row: it holds only blank lines'],
    ['a JSON file of 100,000 blank lines', 'users.json', '\t\n'.repeat(100_000), 'users.json holds no JSON array of users: it holds only blank lines'],
  ])('%s: validate fails at source.file, and run starts no job', (_name, file, content, message) => {
    p = new TestProject();
    p.write(`pipelines/${file}`, content);
    p.write('pipelines/import.yaml', pipeline(file));
    const validate = p.ferry('validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`pipelines/import.yaml:1:17 source.file: pipelines/${message}`);
    const run = p.ferry('run', 'pipelines/import.yaml');
    expect(run.code).toBe(2);
    expect(existsSync(join(p.dir, '.ferry', 'jobs'))).toBe(false);
  });

  it.each([
    ['an empty NDJSON file (no users)', 'users.ndjson', '', ''],
    ['an empty CSV read without a header', 'users.csv', '', ', csv: { header: false }'],
    ['a JSON file of no users', 'users.json', '[]', ''],
    ['a CSV whose header follows 100,000 blank lines', 'users.csv', '\n'.repeat(100_000) + 'email\na@example.com\n', ''],
  ])('%s is valid', (_name, file, content, csv) => {
    p = new TestProject();
    p.write(`pipelines/${file}`, content);
    p.write('pipelines/import.yaml', pipeline(file, csv).replace('email: email', csv ? 'email: col1' : 'email: email'));
    expect(p.ferry('validate')).toMatchObject({ code: 0 });
  });
});

/** A JSON file that is no array, or whose array is cut short: validate said ok, and the job failed at planning with a message naming no file. */
describe('validate catches a JSON source the job would refuse for its shape', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it.each([
    ['an object around the array', '{"users": [{"email": "a@x.io"}]}', '1:1: expected a JSON array of users at byte 0, found "{"'],
    ['a comment before the array', '// users\n[{"email": "a@x.io"}]', '1:1: expected a JSON array of users at byte 0, found "/"'],
    ['a string', '"a@x.io"', `1:1: expected a JSON array of users at byte 0, found '"'`],
    [
      'elements without a comma',
      '[{"email": "a@x.io"} {"email": "b@x.io"}]',
      '1:22: expected "," or "]" between the elements of the array, found "{" at byte 21',
    ],
  ])('%s: validate fails at source.file naming the file, and run starts no job', (_name, content, message) => {
    p = new TestProject();
    p.write('pipelines/users.json', content);
    p.write('pipelines/import.yaml', pipeline('users.json'));
    const validate = p.ferry('validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`pipelines/import.yaml:1:17 source.file: [source:json] pipelines/users.json:${message}`);
    const run = p.ferry('run', 'pipelines/import.yaml');
    expect(run.code).toBe(2);
    expect(existsSync(join(p.dir, '.ferry', 'jobs'))).toBe(false);
  });

  // Without columns: (each field to the column of its name) the file was not read at all.
  it.each([
    ['JSON', 'users.json', '{"users": [{"email": "a@x.io"}]}', '[source:json] pipelines/users.json:1:1: expected a JSON array of users at byte 0, found "{"'],
    [
      'NDJSON',
      'users.ndjson',
      Buffer.from('\uFEFF{"email": "a@x.io"}\n', 'utf16le'),
      '[source:ndjson] pipelines/users.ndjson starts with a UTF-16LE byte order mark',
    ],
  ])('a %s source the job would refuse, in a pipeline without columns: validate fails at source.file', (_name, file, content, message) => {
    p = new TestProject();
    mkdirSync(join(p.dir, 'pipelines'));
    writeFileSync(join(p.dir, 'pipelines', file), content);
    p.write('pipelines/import.yaml', `source: { file: ${file} }\ntarget: { connection: users, key: [email] }\n`);
    const validate = p.ferry('validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('pipelines/import.yaml:1:17 source.file: ');
    expect(validate.stdout).toContain(message);
    expect(p.ferry('run', 'pipelines/import.yaml').code).toBe(2);
    expect(existsSync(join(p.dir, '.ferry', 'jobs'))).toBe(false);
  });

  it('a small file cut inside its array: validate says where it ends', () => {
    p = new TestProject();
    p.write('pipelines/users.json', '[{"email": "a@x.io"},\n{"email": "b@x');
    p.write('pipelines/import.yaml', pipeline('users.json'));
    const validate = p.ferry('validate');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(
      'pipelines/import.yaml:1:17 source.file: [source:json] pipelines/users.json:2:15: the file ends at byte 36 before the closing "]" of its array (after 2 element(s))',
    );
  });
});
