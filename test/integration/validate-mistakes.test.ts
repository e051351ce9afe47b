import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * The mistakes a new user makes most (issue 20): each used to pass `ferry validate` and surface
 * only as a reject on every row. Now each is reported at validate, at its line and column, with
 * the name that was meant.
 */
describe('ferry validate catches the usual mistakes', () => {
  let project: TestProject;
  afterEach(() => project.cleanup());

  /** `ferry validate p.yaml` in `project` fails (exit 1) with exactly these lines. */
  const expectInvalid = (lines: string[]): void => {
    const result = project.ferry('validate', 'p.yaml');
    expect(result.stdout.trim().split('\n')).toEqual(lines);
    expect(result.code).toBe(1);
  };

  /** A project whose connection `crm` is an existing store with a table `people` (email, mobile_phone, full_name). */
  const crmProject = (): TestProject => {
    const made = new TestProject();
    made.write('ferry.yaml', 'connections:\n  crm: { driver: sqlite, path: crm.db, table: people }\n');
    const db = new Database(join(made.dir, 'crm.db'));
    db.exec('CREATE TABLE people (email TEXT PRIMARY KEY, mobile_phone TEXT, full_name TEXT)');
    db.close();
    return made;
  };

  const csv = 'Email,Phone,E-mail\na@example.com,+15551234567,a2@example.com\nb@example.com,+15551234568,b2@example.com\n';

  it('a misspelled target column, against the built-in table of a store that does not exist yet (nothing created)', () => {
    project = new TestProject();
    project.write('users.csv', csv);
    project.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\ncolumns:\n  email: $lowercase(Email)\n  phone_numbr: Phone\n');
    expectInvalid(['p.yaml:5:3 columns.phone_numbr: table users has no column "phone_numbr" (did you mean phone_number?)']);
    expect(existsSync(join(project.dir, '.ferry/users.db'))).toBe(false);
  });

  it('a misspelled target column, against the real columns of an existing table; --dry-run says the same (it crashed with ENOENT)', () => {
    project = crmProject();
    project.write('users.csv', csv);
    project.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: crm }\ncolumns:\n  email: Email\n  mobile_phon: Phone\n');
    const expected = 'p.yaml:5:3 columns.mobile_phon: table people has no column "mobile_phon" (did you mean mobile_phone?)';
    const validate = project.ferry('validate', 'p.yaml');
    expect(validate.stdout.trim()).toBe(expected);
    expect(validate.code).toBe(1);
    const dryRun = project.ferry('run', 'p.yaml', '--dry-run');
    expect(dryRun.stderr.trim()).toBe(expected);
    expect(dryRun.code).toBe(2);
    expect(project.rows('SELECT count(*) AS n FROM people', 'crm.db')).toEqual([{ n: 0 }]);
  });

  it('checks the real columns of the store when run from a folder inside the project (the store path is relative to ferry.yaml, not the working folder)', () => {
    project = crmProject();
    project.write('pipelines/users.csv', csv);
    project.write('pipelines/p.yaml', 'source: { file: users.csv }\ntarget: { connection: crm }\ncolumns:\n  email: Email\n  mobile_phone: Phone\n');
    const fromInside = runFerry(['validate', 'p.yaml'], { cwd: join(project.dir, 'pipelines') });
    expect(fromInside.stdout + fromInside.stderr).not.toContain('has no column');
    expect(fromInside.code).toBe(0);
    expect(project.ferry('validate', 'pipelines/p.yaml').code).toBe(0);
  });

  // Opening a SQLite store adds Ferry's bookkeeping tables (ferry_batches…), as every command that opens it does; the users table is not created.
  it('a table that does not exist yet in an existing store is checked as the built-in one, and not created', () => {
    project = new TestProject();
    project.write('ferry.yaml', 'connections:\n  crm: { driver: sqlite, path: crm.db, table: accounts }\n');
    new Database(join(project.dir, 'crm.db')).close();
    project.write('users.csv', csv);
    project.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: crm }\ncolumns:\n  email: Email\n  phone_number: Phone\n  nick_name: Email\n');
    const result = project.ferry('validate', 'p.yaml');
    expect(result.stdout.trim()).toBe('p.yaml:6:3 columns.nick_name: table accounts has no column "nick_name" (did you mean nickname?)');
    expect(project.rows("SELECT name FROM sqlite_master WHERE name = 'accounts'", 'crm.db')).toEqual([]);
  });

  it('an unknown function, with the built-in meant; functions the expression binds are known', () => {
    project = new TestProject();
    project.write('users.csv', csv);
    project.write(
      'p.yaml',
      [
        'source: { file: users.csv }',
        'target: { connection: users }',
        'columns:',
        '  email: $lowercse(Email)',
        '  name: ($initial := function($s){ $substring($s, 0, 1) }; $initial(Email))',
        '  nickname: Email ~> $uppercse',
        'validate:',
        '  rules:',
        '    - { check: $lenght(email) < 200, message: too long }',
        '',
      ].join('\n'),
    );
    expectInvalid([
      'p.yaml:4:10 columns.email: unknown function $lowercse (did you mean $lowercase?)',
      'p.yaml:6:22 columns.nickname: unknown function $uppercse (did you mean $uppercase?)',
      'p.yaml:9:16 validate.rules[0].check: unknown function $lenght (did you mean $length?)',
    ]);
  });

  it('a source field the CSV header lacks, at its position, with the closest header', () => {
    project = new TestProject();
    project.write('users.csv', 'E-mail,Phone,First Name\na@example.com,+15551234567,Ann\n');
    project.write(
      'p.yaml',
      [
        'source: { file: users.csv }',
        'target: { connection: users }',
        'columns:',
        '  email: $lowercase(Emial)',
        "  name: '`Email Address` & `First Nme`'",
        '  phone_number: Phone',
        '',
      ].join('\n'),
    );
    expectInvalid([
      'p.yaml:4:21 columns.email: field Emial is not in the header of users.csv (did you mean `E-mail`?)',
      'p.yaml:5:10 columns.name: field `Email Address` is not in the header of users.csv (did you mean `E-mail`?)',
      'p.yaml:5:28 columns.name: field `First Nme` is not in the header of users.csv (did you mean `First Name`?)',
    ]);
  });

  it('an expression error does not hide the header and column checks: every problem at once', () => {
    project = new TestProject();
    project.write('users.csv', 'Email,Phone\na@example.com,+15551234567\n');
    project.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\ncolumns:\n  email: $lowercse(Email)\n  phone_numbr: Phon\n');
    expectInvalid([
      'p.yaml:4:10 columns.email: unknown function $lowercse (did you mean $lowercase?)',
      'p.yaml:5:3 columns.phone_numbr: table users has no column "phone_numbr" (did you mean phone_number?)',
      'p.yaml:5:16 columns.phone_numbr: field Phon is not in the header of users.csv (did you mean Phone?)',
    ]);
    expect(existsSync(join(project.dir, '.ferry/users.db'))).toBe(false);
  });

  it('a SQLite path that is a directory or not a database: validate says so at the connection, and run names the file', () => {
    project = new TestProject();
    project.write('users.csv', 'Email\na@example.com\n');
    project.write('not-a-db.csv', 'a,b\n1,2\n');
    mkdirSync(join(project.dir, 'folder.db'));
    project.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: crm }\ncolumns:\n  email: Email\n');
    for (const [path, problem] of [
      ['folder.db', 'it is a directory, not a SQLite database file'],
      ['not-a-db.csv', 'file is not a database'],
    ]) {
      project.write('ferry.yaml', `connections:\n  crm: { driver: sqlite, path: ${path} }\n`);
      const validate = project.ferry('validate', 'p.yaml');
      expect(validate.stdout.trim()).toMatch(
        new RegExp(`^p\\.yaml:2:23 target\\.connection: connection crm: \\[connection:sqlite\\] cannot open .*${path}: ${problem}`),
      );
      expect(validate.code).toBe(1);
      const run = project.ferry('run', 'p.yaml');
      expect(run.code).not.toBe(0);
      expect(run.stdout + run.stderr).toContain(`${path}: ${problem}`);
    }
    expect(readFileSync(join(project.dir, 'not-a-db.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it('a target store that cannot be opened fails validate without columns: too (it said ok, and the run failed on it)', () => {
    project = new TestProject();
    project.write('users.csv', 'email\na@example.com\n');
    project.write('users.json', '[{ "email": "a@example.com" }]');
    mkdirSync(join(project.dir, 'folder.db'));
    project.write('ferry.yaml', 'connections:\n  crm: { driver: sqlite, path: folder.db }\n');
    for (const source of ['users.csv', 'users.json']) {
      project.write('p.yaml', `source: { file: ${source} }\ntarget: { connection: crm, key: [email] }\n`);
      const validate = project.ferry('validate', 'p.yaml');
      expect(validate.stdout.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^p\.yaml:2:23 target\.connection: connection crm: \[connection:sqlite\] cannot open .*folder\.db: it is a directory, not a SQLite database file/,
        ),
      ]);
      expect(validate.code).toBe(1);
    }
  });

  it("a CSV header or delimiter the job would refuse fails validate, with the job's own message", () => {
    project = new TestProject();
    project.write('dup.csv', 'email,name,email\na@x.io,A,b@x.io\n');
    writeFileSync(join(project.dir, 'latin1.csv'), Buffer.from('em\xe4il,name\na@x.io,A\n', 'latin1'));
    writeFileSync(join(project.dir, 'utf16.csv'), Buffer.from('\ufeffemail\n', 'utf16le'));
    project.write('two-boms.csv', '\ufeff\ufeffemail,name\na@x.io,A\n');
    project.write('utf8-bom.csv', '\ufeffemail,given_name\nj@x.io,José\n');
    const cases: [string, string, string][] = [
      ['dup.csv', '', 'p.yaml:1:17 source.file: [source:csv] bad header row in dup.csv:1:12 (byte 11): column name "email" appears twice (columns 1 and 3)'],
      [
        'latin1.csv',
        'columns:\n  email: email\n',
        'p.yaml:1:17 source.file: [source:csv] bad header row in latin1.csv: invalid UTF-8 (0xe4) at latin1.csv:1:3 (byte 2)',
      ],
      ['utf16.csv', '', 'p.yaml:1:17 source.file: [source:csv] utf16.csv starts with a UTF-16LE byte order mark'],
      // No `columns`: the header names the fields, and `\uFEFFemail` would be no email at all.
      [
        'two-boms.csv',
        '',
        'p.yaml:1:17 source.file: [source:csv] bad header row in two-boms.csv:1:1 (byte 3): the header line starts with a byte order mark that is not the file\'s marker (only one, as the very first character of the file, is dropped), so column 1\'s name holds an invisible U+FEFF (byte order mark): "\\uFEFFemail", which a mapping of "email" would not find',
      ],
    ];
    project.write('p.yaml', 'source: { file: utf8-bom.csv, csv: { encoding: latin1 } }\ntarget: { connection: users }\n');
    const latin1 = project.ferry('validate', 'p.yaml');
    expect(latin1.stdout.trim()).toContain(
      'p.yaml:1:17 source.file: [source:csv] utf8-bom.csv starts with a UTF-8 byte order mark, but source.csv.encoding is latin1',
    );
    expect(latin1.code).toBe(1);
    for (const [file, columns, message] of cases) {
      project.write('p.yaml', `source: { file: ${file} }\ntarget: { connection: users }\n${columns}`);
      const result = project.ferry('validate', 'p.yaml');
      expect(result.stdout.trim()).toContain(message);
      expect(result.code).toBe(1);
    }
    project.write('p.yaml', 'source: { file: dup.csv, csv: { delimiter: "\\n" } }\ntarget: { connection: users }\n');
    const delimiter = project.ferry('validate', 'p.yaml');
    expect(delimiter.stdout.trim()).toBe('p.yaml:1:44 source.csv.delimiter: a quote or a line end cannot separate fields');
    expect(delimiter.code).toBe(1);
  });

  it('a source field no sampled JSON record has is a warning: validate still passes, and says so', () => {
    project = new TestProject();
    project.write('users.ndjson', '{"Email":"a@example.com","address":{"city":"Paris"}}\n{"Email":"b@example.com","Phone":"+15551234567"}\n');
    project.write(
      'p.yaml',
      'source: { file: users.ndjson }\ntarget: { connection: users }\ncolumns:\n  email: $lowercase(Emial)\n  name: address.ctiy\n  phone_number: Phone\n',
    );
    const result = project.ferry('validate', 'p.yaml');
    expect(result.stdout.trim().split('\n')).toEqual([
      'p.yaml:4:21 columns.email: warning: no record among the first 2 of users.ndjson has field Emial (did you mean Email?)',
      'p.yaml:5:17 columns.name: warning: no record among the first 2 of users.ndjson has field address.ctiy (did you mean city?)',
      'ok p.yaml (2 warning(s): they do not fail validate)',
    ]);
    expect(result.code).toBe(0);
  });

  it('without columns:, CSV header names the table lacks are a warning naming them, with the name meant', () => {
    project = new TestProject();
    project.write(
      'users.csv',
      'Email,name ,nickname,' + Array.from({ length: 12 }, (_, i) => `c${i}`).join(',') + '\na@example.com,A,a' + ',v'.repeat(12) + '\n',
    );
    project.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\n');
    const result = project.ferry('validate', 'p.yaml');
    expect(result.stdout.trim().split('\n')).toEqual([
      'p.yaml:1:17 source.file: warning: 14 column(s) of the header of users.csv match no column of table users: "Email" (did you mean "email"?), "name " (did you mean "name"?), "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7" and 4 more. ' +
        'Without columns:, a CSV column goes to the table column of the same name, so every row with a value in these is rejected (UNKNOWN_FIELD). ' +
        'Hint: rename them in the header, or map the ones you want under columns:',
      'ok p.yaml (1 warning(s): they do not fail validate)',
    ]);
    expect(result.code).toBe(0);
    project.write('users.csv', 'email,name\na@example.com,A\n');
    expect(project.ferry('validate', 'p.yaml').stdout.trim()).toBe('ok p.yaml');
  });

  it('YAML that needs quoting says "quote this value" with the corrected line', () => {
    project = new TestProject();
    project.write('users.csv', 'Email Address\na@example.com\n');
    project.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\ncolumns:\n  email: `Email Address`\n');
    project.write('export.yaml', 'source: { connection: users }\ntarget: { file: out/users-{job}.csv }\n');
    const result = project.ferry('validate', 'p.yaml', 'export.yaml');
    expect(result.stdout.trim().split('\n')).toEqual([
      "p.yaml:4:10 YAML reads a value starting with ` as a reserved character, not as text: quote this value, e.g.  email: '`Email Address`'",
      "export.yaml:2:17 inside a { … } map, { and } are YAML's own: quote this value, e.g.  file: 'out/users-{job}.csv'",
    ]);
    expect(result.code).toBe(1);
  });
});
