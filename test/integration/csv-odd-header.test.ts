import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sources } from '../../src/sources/index.js';
import { optionsFor } from '../contract/sources/helpers.js';
import { TestProject } from '../helpers/project.js';

/**
 * CSV headers a job takes but does not read as their author meant, and headers it refuses:
 * validate said ok to a name of spaces (`email,  ,name`: its values were dropped through
 * columns:), to `email,Email` (one of the two goes nowhere), and to a file with no header row read
 * as if it had one (its first user taken for names); and the header's problems named the CSV
 * file with no place in it. Each is now said at file:line:col of the CSV, by validate and before
 * the run, as the run's own refusal says it.
 */
describe('an odd CSV header', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  const pipeline = 'source: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email, name: name }\n';
  const at = 'pipelines/import.yaml:1:17 source.file:';

  it.each([
    [
      'a name of blanks',
      'email,  ,name\na@example.com,gold,Ann\n',
      `pipelines/users.csv:1:7 (byte 6): column 2's name is blanks only (column 2: "  "): with columns:, their values are dropped`,
    ],
    [
      'names differing by case',
      'name,email,EMAIL\nAnn,a@example.com,b@example.com\n',
      `pipelines/users.csv:1:12 (byte 11): column names differ only by case or blanks around them (columns 2 and 3, "email" and "EMAIL")`,
    ],
    [
      'names differing by blanks',
      'email,name,"email "\na@example.com,Ann,x\n',
      `pipelines/users.csv:1:12 (byte 11): column names differ only by case or blanks around them (columns 1 and 3, "email" and "email ")`,
    ],
    [
      'names differing by how an accent is written (NFC é, NFD e + U+0301)',
      'email,nam\u00e9,name\u0301\na@example.com,Ann,Anna\n',
      `pipelines/users.csv:1:12 (byte 12): column names differ only in how their accents are written, composed (é) or as a letter and a combining mark (e + U+0301), so they look the same (columns 2 and 3, "nam\\u00e9" and "name\\u0301")`,
    ],
    [
      'a first line that is a user',
      '\r\nann@example.com,Ann\r\nbob@example.com,Bob\r\n',
      `pipelines/users.csv:2:1 (byte 2): column 1's name "ann@example.com" looks like an email address`,
    ],
  ])('%s: a warning at the name in the CSV, in validate and before the run', (_, csv, warning) => {
    p = new TestProject();
    p.write('pipelines/users.csv', csv);
    p.write('pipelines/import.yaml', pipeline);
    const validated = p.ferry('validate', 'pipelines/import.yaml');
    expect(validated.stdout).toContain(`${at} warning: ${warning}`);
    expect(p.ferry('run', 'pipelines/import.yaml').stderr).toContain(`warning: ${warning}`);
  });

  it.each([
    ['a duplicate name', 'émail,name,plan,name\n', 'pipelines/users.csv:1:17 (byte 17): column name "name" appears twice (columns 2 and 4)', '1:17'],
    ['a stray quote, after blank lines', '\n\r\nemail,"na"me\n', 'pipelines/users.csv:3:11 (byte 13): unexpected "m" after a closing quote (column 2)', '3:11'],
    [
      'a second byte order mark',
      '\uFEFF\uFEFFemail,name\n',
      "pipelines/users.csv:1:1 (byte 3): the header line starts with a byte order mark that is not the file's marker",
      '1:1',
    ],
  ])('%s: refused at the character at fault, by validate, the run and the plan', async (_, csv, problem, place) => {
    p = new TestProject();
    p.write('pipelines/users.csv', `${csv}a@example.com,Ann,gold,x\n`);
    p.write('pipelines/import.yaml', pipeline);
    const validated = p.ferry('validate', 'pipelines/import.yaml');
    expect(validated.code).not.toBe(0);
    expect(validated.stdout).toContain(`${at} [source:csv] bad header row in ${problem}`);
    // The run refuses it before any job, as validate does; the plan's own scan places it alike.
    const run = p.ferry('run', 'pipelines/import.yaml');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`bad header row in ${problem}`);
    const scanned = await sources.csv.scan(optionsFor('csv', join(p.dir, 'pipelines/users.csv')), 10).then(
      () => 'planned',
      (err: unknown) => (err as Error).message,
    );
    expect(scanned).toMatch(new RegExp(`users\\.csv:${place}: bad header row at byte ${/\(byte (\d+)\)/.exec(problem)![1]}: `));
  });

  it('says nothing of a plain header', () => {
    p = new TestProject();
    p.write('pipelines/users.csv', '\uFEFFemail,name,plan\na@example.com,Ann,gold\n');
    p.write('pipelines/import.yaml', pipeline);
    expect(p.ferry('validate', 'pipelines/import.yaml').stdout.trim()).toBe('ok pipelines/import.yaml');
  });

  it('a JSON array that breaks in the head of the file: validate says its line and column there', () => {
    p = new TestProject();
    p.write('pipelines/users.json', '[{"email":"a@example.com"},\r\n {"email":"b@example.com"} {"email":"c@example.com"}]\n');
    p.write('pipelines/import.yaml', 'source: { file: users.json }\ntarget: { connection: users, key: [email] }\n');
    const validated = p.ferry('validate', 'pipelines/import.yaml');
    expect(validated.code).not.toBe(0);
    expect(validated.stdout).toContain(
      'source.file: [source:json] pipelines/users.json:2:28: expected "," or "]" between the elements of the array, found "{" at byte 56',
    );
  });

  it('a header of thousands of odd names: one warning a kind, its first columns listed, the names clipped', () => {
    p = new TestProject();
    const blanks = Array.from({ length: 3000 }, (_, i) => ' '.repeat(i + 1));
    const long = `${'x'.repeat(5000)}`;
    p.write('pipelines/users.csv', `email,name,${blanks.join(',')},${long},${long.toUpperCase()}\na@example.com,Ann${','.repeat(3002)}\n`);
    p.write('pipelines/import.yaml', pipeline);
    const validated = p.ferry('validate', 'pipelines/import.yaml');
    expect(validated.code).toBe(0);
    expect(validated.stdout.length).toBeLessThan(2000);
    expect(validated.stdout).toContain(
      '3000 column names are blanks only (column 3: " "; column 4: "  "; column 5: "   "; column 6: "    "; column 7: "     "; and 2995 more)',
    );
    expect(validated.stdout).toContain(`(columns 3003 and 3004, "${'x'.repeat(40)}…" and "${'X'.repeat(40)}…")`);
  });
});
