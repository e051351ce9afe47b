import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';

/**
 * Without columns:, validate lists the CSV header's names the table lacks, and names a header that
 * is one column holding another separator. Those names were quoted whole: a header name of 2 MB
 * (a file whose first line is data, a dump with no line breaks) printed 2 MB.
 */
describe("validate's warning on a header the table does not match, without columns:", () => {
  let p: TestProject;
  afterEach(() => p.cleanup());
  const pipeline = 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\n';
  const long = 'x'.repeat(2 * 1024 * 1024);

  it('clips each name it lists, and still lists them all by count', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', `email,${long},Nmae\na@example.com,1,Ann\n`);
    p.write('pipelines/import.yaml', pipeline);
    const r = p.ferry('validate');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(2000);
    expect(r.stdout).toContain(
      `2 column(s) of the header of pipelines/users.csv match no column of table users: "${'x'.repeat(80)}…", "Nmae" (did you mean "name"?)`,
    );
  });

  it('clips the one name of a header split by another separator, and still tells the separator', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', `email;${long}\na@example.com;1\n`);
    p.write('pipelines/import.yaml', pipeline);
    const r = p.ferry('validate');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(2000);
    expect(r.stdout).toContain(
      `the header is one column, \`email;${'x'.repeat(74)}…\`, holding ";": is the file separated by it? set source.csv.delimiter: ";"`,
    );
  });
});
