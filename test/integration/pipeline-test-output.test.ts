import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry test` printed a case's name, and the codes, paths and fields a case expects, as written:
 * a name holding a line break forged an `ok` line in a CI log, an ESC recoloured or erased it.
 */
describe('ferry test prints what a test file holds one line at a time, escaped', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('a forged ok line, an ESC, a bidi override in names, codes and fields are written as escapes', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email,name\na@example.com,Ann\n');
    p.write('pipelines/t.yaml', 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, name: name }\n');
    p.write(
      'pipelines/t.test.yaml',
      [
        'tests:',
        '  - name: "fails\\nok   pipelines/t.test.yaml:99 forged \\e[32mgreen\\e[0m"',
        '    input: { email: a@example.com, name: Ann }',
        '    expect: { row: { email: a@example.com, name: Bob } }',
        '  - name: "\\u202Epasses"',
        '    input: { email: a@example.com, name: Ann }',
        '    expect: { row: { email: a@example.com, name: Ann } }',
        '  - name: rejects',
        '    input: { email: a@example.com, name: Ann }',
        '    expect: { rejects: [ { code: "X\\e[2J", path: "p\\nok   forged" } ] }',
        '  - name: fields',
        '    input: { email: a@example.com, name: Ann }',
        '    expect: { row: { "email\\nok   forged": a@example.com, name: Ann } }',
        '',
      ].join('\n'),
    );
    const r = p.ferry('test', 'pipelines/t.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/[\u001b\u202e]/);
    expect(r.stdout.split('\n').filter((line) => line.startsWith('ok'))).toEqual(['ok   pipelines/t.test.yaml:5 \\u202epasses']);
    expect(r.stdout).toContain('FAIL pipelines/t.test.yaml:2 fails\\nok   pipelines/t.test.yaml:99 forged \\x1b[32mgreen\\x1b[0m');
    expect(r.stdout).toContain('expected a reject (X\\x1b[2J p\\nok   forged), got the row');
    expect(r.stdout).toContain('email\\nok   forged: expected "a@example.com", got nothing');
    expect(r.stdout).toContain('1 of 4 case(s) passed, 3 failed');
  });

  it('a CSV case reads an unquoted number or boolean as the cell a file holding that text gives, as written', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', 'email,name,nickname,zip,vip\na@example.com,Ann,,01234,True\n');
    p.write(
      'pipelines/t.yaml',
      'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, name: name, nickname: "zip & \'/\' & vip" }\n',
    );
    // YAML reads 01234 as 1234, True as true, 0x10 as 16, 1.50 as 1.5 and 30 digits as 1.2345678901234568e+29.
    const row = (name: string, nickname: string) => `{ row: { email: a@example.com, name: "${name}", nickname: "${nickname}" } }`;
    p.write(
      'pipelines/t.test.yaml',
      [
        'tests:',
        '  - name: zip',
        '    input: { email: a@example.com, name: 123456789012345678901234567890, zip: 01234, vip: True }',
        `    expect: ${row('123456789012345678901234567890', '01234/True')}`,
        '  - name: hex',
        '    input: { email: a@example.com, name: "x", zip: 0x10, vip: 1.50 }',
        `    expect: ${row('x', '0x10/1.50')}`,
        '',
      ].join('\n'),
    );
    const r = p.ferry('test', 'pipelines/t.yaml');
    expect(r.stdout).toContain('2 of 2 case(s) passed');
    expect(r.code).toBe(0);
    // What a run of the same cells writes: the test's expectation is the job's row.
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: users.db }\n');
    p.write('pipelines/users.csv', 'email,name,nickname,zip,vip\na@example.com,123456789012345678901234567890,,01234,True\n');
    expect(p.run('pipelines/t.yaml').code).toBe(0);
    expect(p.rows('SELECT name, nickname FROM users', 'users.db')).toEqual([{ name: '123456789012345678901234567890', nickname: '01234/True' }]);
  });
});
