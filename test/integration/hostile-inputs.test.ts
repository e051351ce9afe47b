import Database from 'better-sqlite3';
import { appendFileSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium, startConsole } from '../helpers/browser.js';
import { startFerry } from '../helpers/cli.js';
import { TestProject, codes } from '../helpers/project.js';

/**
 * Issue 17, hostile inputs through the real CLI: a source rewritten while its job runs is never
 * mixed into the store; bytes that are not UTF-8 are rejected, not imported as U+FFFD.
 */
let p: TestProject;
beforeEach(() => {
  p = new TestProject();
});
afterEach(() => p.cleanup());

const csv = (prefix: string, count: number): string =>
  'email,name\n' + Array.from({ length: count }, (_, i) => `${prefix}${i}@example.com,Name ${i}\n`).join('');

const count = (where: string): number => Number(p.rows(`SELECT count(*) AS n FROM users WHERE ${where}`)[0]!['n']);

const finishedBatches = (): number => {
  const path = join(p.dir, '.ferry/journal.db');
  if (!existsSync(path)) return 0;
  const journal = new Database(path, { readonly: true });
  try {
    return Number((journal.prepare(`SELECT count(*) AS n FROM steps WHERE key LIKE 'runBatch:%'`).get() as { n: number }).n);
  } catch {
    return 0; // the journal's tables are not created yet
  } finally {
    journal.close();
  }
};

const until = async (what: () => boolean, ms = 90_000): Promise<void> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (what()) return;
  throw new Error('timed out waiting');
};

describe('a source rewritten while its job runs', { timeout: 180_000 }, () => {
  it.each([
    ['a replacement of the same length', 30_000],
    ['a shorter replacement', 5_000],
  ])('%s: nothing of the new version is written, and the job fails naming the file', async (_, newRows) => {
    p.write('users.csv', csv('old', 30_000));
    p.write('replacement.csv', csv('new', newRows));
    p.write(
      'import.yaml',
      'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 1000, parallelism: 1 }\nretry: { max_attempts: 3, initial_interval: 10ms }\n',
    );
    // Each chunk waits before it writes, so the job is surely still running after the first commit.
    const child = startFerry(['run', 'import.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => finishedBatches() >= 1);
    copyFileSync(join(p.dir, 'replacement.csv'), join(p.dir, 'users.csv')); // `cp new.csv users.csv`: same inode, rewritten
    expect(await exit).toBe(1);
    expect(output).toContain(`source changed since the job was planned: ${join(p.dir, 'users.csv')}`);
    expect(output).toMatch(/job import-\S+ failed/);
    // The failed job did not read the file as planned, and does not say it did, nor that a resume would go on.
    expect(output).not.toContain('read the file as it was planned');
    expect(output).not.toContain('continues it');
    expect(output).toMatch(/job import-\S+ failed: its source changed since it was planned, .*ferry run import.yaml reads the file as it is now/);
    if (newRows < 30_000)
      expect(output).toMatch(/shorter than when job \S+ planned it: this job did not read all of it .*ferry run import.yaml reads the file as it is now/);
    expect(count("email LIKE 'new%'")).toBe(0);
    const old = count("email LIKE 'old%'");
    expect(old).toBeGreaterThanOrEqual(1000);
    expect(old).toBeLessThan(30_000);
    // Whole batches of the old file only, in order: rows 1..N.
    expect(old % 1000).toBe(0);
    expect(count(`email LIKE 'old%' AND CAST(substr(email, 4, instr(email, '@') - 4) AS INTEGER) >= ${old}`)).toBe(0);
  });
});

describe('rows appended to a source after planning', { timeout: 180_000 }, () => {
  it('the job imports the file as planned and says the rows added since were not read; a new run reads them', async () => {
    p.write('users.csv', csv('old', 5_000));
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 1000, parallelism: 1 }\n');
    const child = startFerry(['run', 'import.yaml'], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until(() => finishedBatches() >= 1);
    const late = 'late0@example.com,Late\nlate1@example.com,Late\n';
    appendFileSync(join(p.dir, 'users.csv'), late); // `… >> users.csv` while the job runs
    expect(await exit).toBe(0);
    const job = /job (\S+) started/.exec(stderr)![1]!;
    expect(stderr).toContain(
      `note: users.csv grew by ${late.length} bytes after job ${job} planned it: records added since were not read by this job (ferry run import.yaml reads them, as a new job)`,
    );
    expect([count("email LIKE 'old%'"), count("email LIKE 'late%'")]).toEqual([5_000, 0]);
    const again = p.ferry('run', 'import.yaml');
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('note:');
    expect(count("email LIKE 'late%'")).toBe(2);
  });

  it('run --json reports it, serve logs it and the console shows it on the job page', async () => {
    p.write('users.csv', csv('old', 5_000));
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 1000, parallelism: 1 }\n');
    const late = 'late0@example.com,Late\n';
    const grown = async (args: string[]): Promise<string> => {
      const child = startFerry(args, { cwd: p.dir, env: { FERRY_FAILPOINTS: 'chunk-before-write=pause:300' } });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const done = finishedBatches();
      await until(() => finishedBatches() > done);
      appendFileSync(join(p.dir, 'users.csv'), late);
      expect(await exit).toBe(0);
      return stdout;
    };

    const json = JSON.parse(await grown(['run', 'import.yaml', '--json'])) as { job: string; source_change?: unknown };
    const note = (job: string, pipeline = 'import.yaml'): string =>
      `note: users.csv grew by ${late.length} bytes after job ${job} planned it: records added since were not read by this job (ferry run ${pipeline} reads them, as a new job)`;
    expect(json.source_change).toEqual({ file: 'users.csv', planned_bytes: expect.any(Number), bytes: expect.any(Number), note: note(json.job) });

    // serve runs the pipelines under pipelines/ that have a schedule.
    p.write(
      'pipelines/import.yaml',
      'source: { file: ../users.csv }\ntarget: { connection: users }\nbatch: { size: 1000, parallelism: 1 }\nschedule: "* * * * * *"\n',
    );
    const served = await grown(['serve', '--max-runs', '1']);
    const job = /run due \S+ started as job (\S+)/.exec(served)![1]!;
    expect(served).toContain(`import: ${note(job, 'pipelines/import.yaml')}`);
    expect(p.ferry('jobs', 'show', job).stdout).toContain(note(job, 'pipelines/import.yaml'));
    expect(JSON.parse(p.ferry('jobs', 'show', job, '--json').stdout)).toMatchObject({ source_change: { note: note(job, 'pipelines/import.yaml') } });

    const ui = await startConsole(p.dir);
    try {
      const page = (await (await fetch(`${ui.url}api/jobs/${job}`)).json()) as { sourceChange: string | null };
      expect(page.sourceChange).toBe(note(job, 'pipelines/import.yaml'));
      if (chromiumPath) {
        // And the page shows it.
        const browser = await launchChromium();
        try {
          const tab = await browser.newPage();
          await tab.goto(`${ui.url}#/jobs/${encodeURIComponent(job)}`);
          await tab.locator('#source-change').waitFor({ timeout: 30_000 });
          expect(await tab.locator('#source-change').textContent()).toBe(note(job, 'pipelines/import.yaml'));
        } finally {
          await browser.close();
        }
      }
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });
});

describe('a Latin-1 byte in a UTF-8 source', { timeout: 60_000 }, () => {
  it('is a PARSE_ERROR at its row and byte, never an email with U+FFFD in it', () => {
    const content = Buffer.from('email,name\nl1@example.com,A\nl3@ex\u00e4mple.com,B\nl4@example.com,C\n', 'latin1');
    writeFileSync(join(p.dir, 'users.csv'), content);
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\n');
    const { code, report } = p.run('import.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 3, inserted: 2, rejected: 1 });
    const [reject] = p.rejects(report);
    expect(reject!.row).toBe(2);
    expect(reject!.errors).toEqual([
      { code: 'PARSE_ERROR', path: '', message: expect.stringContaining(`invalid UTF-8 (0xe4) at users.csv:3:6 (byte ${content.indexOf(0xe4)})`) },
    ]);
    expect(count("email LIKE 'l3@%'")).toBe(0);
  });
});

describe('a Windows-1252 file read with encoding: latin1', { timeout: 60_000 }, () => {
  it('stores its punctuation as written, and rejects a name holding a byte Windows-1252 leaves undefined', () => {
    const content = Buffer.from('email,name\nw1@example.com,Caf\xe9 \x93Bo\x94 \x96 \x80\nw2@example.com,A\x81B\n', 'latin1');
    writeFileSync(join(p.dir, 'users.csv'), content);
    p.write('import.yaml', 'source: { file: users.csv, csv: { encoding: latin1 } }\ntarget: { connection: users }\nvalidate: { schema: user }\n');
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 2, inserted: 1, rejected: 1 });
    expect(p.rows('SELECT email, name FROM users')).toEqual([{ email: 'w1@example.com', name: 'Café “Bo” – €' }]);
    expect(p.rejects(report).map((r) => [r.row, r.errors])).toEqual([
      [2, [{ code: 'FORMAT', path: 'name', message: expect.stringMatching(/^contains a control character \(U\+0081 at character 2\)/) }]],
    ]);
  });

  // A UTF-8 export (no byte order mark) with encoding: latin1 left in the pipeline: the job succeeded, storing "JosÃ©".
  it('a UTF-8 file read with encoding: latin1 fails validate and run at source.file, and nothing is stored', () => {
    p.write('users.csv', 'email,name\nj@x.io,José\n');
    p.write('import.yaml', 'source: { file: users.csv, csv: { encoding: latin1 } }\ntarget: { connection: users }\nvalidate: { schema: user }\n');
    const said =
      'import.yaml:1:17 source.file: [source:csv] users.csv is UTF-8 text (all its bytes beyond ASCII are UTF-8, the first at byte 21: "é"), but source.csv.encoding is latin1: read as Windows-1252, é would be written as Ã©';
    const validate = p.ferry('validate', 'import.yaml');
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(said);
    const run = p.ferry('run', 'import.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(said);
    expect(existsSync(join(p.dir, '.ferry', 'jobs'))).toBe(false);
  });

  // validate reads the first megabyte: that alone is no proof, and a latin1 file was refused there while the job would run it.
  it("past validate's first megabyte, a file UTF-8 so far is a warning: a latin1 byte later makes it latin1, and the job runs it", () => {
    const filler = 'a@x.io,Plain\n'.repeat(90_000); // ~1.2 MB of ASCII
    const head = Buffer.from(`email,name\nj@x.io,José\n${filler}`, 'utf8');
    writeFileSync(join(p.dir, 'users.csv'), Buffer.concat([head, Buffer.from('z@x.io,Zo\xeb\n', 'latin1')]));
    p.write(
      'import.yaml',
      'source: { file: users.csv, csv: { encoding: latin1 } }\ntarget: { connection: users }\nvalidate: { schema: user, allow_all_rejected: true }\n',
    );
    const validate = p.ferry('validate', 'import.yaml');
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toMatch(/users\.csv looks like UTF-8 text \(every byte beyond ASCII in its first \d+ bytes is UTF-8, the first at byte 21: "é"\)/);
    const run = p.ferry('run', 'import.yaml', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(p.rows("SELECT name FROM users WHERE email = 'z@x.io'")).toEqual([{ name: 'Zoë' }]);
  });

  it('a file UTF-8 throughout past the first megabyte is refused by the job before it writes anything', () => {
    p.write('users.csv', `email,name\nj@x.io,José\n${'a@x.io,Plain\n'.repeat(90_000)}`);
    p.write('import.yaml', 'source: { file: users.csv, csv: { encoding: latin1 } }\ntarget: { connection: users }\nvalidate: { schema: user }\n');
    expect(p.ferry('validate', 'import.yaml').code).toBe(0);
    const run = p.ferry('run', 'import.yaml');
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('users.csv is UTF-8 text (all its bytes beyond ASCII are UTF-8, the first at byte 21: "é")');
    expect(
      p.rows("SELECT count(*) AS n FROM sqlite_master WHERE name = 'users'")[0]!['n'] === 0 || p.rows('SELECT count(*) AS n FROM users')[0]!['n'] === 0,
    ).toBe(true);
  });
});

describe('values that would otherwise be lost without a word', { timeout: 60_000 }, () => {
  const pipeline = (file: string, columns = ''): string =>
    `source: { file: ${file} }\ntarget: { connection: users, key: [email], upsert: true }\n${columns}validate: { schema: user, allow_all_rejected: true }\n`;

  it('a CSV column named __proto__ is an UNKNOWN_FIELD reject, like any unknown column', () => {
    p.write('users.csv', 'email,__proto__,name\na@x.io,X,A\nb@x.io,Y,B\n');
    p.write('import.yaml', pipeline('users.csv'));
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 2, inserted: 0, rejected: 2 });
    // parsed: `__proto__:` in an object literal would set the prototype, not a field
    const record = (email: string, proto: string, name: string): unknown => JSON.parse(JSON.stringify({ email, ['__proto__']: proto, name }));
    expect(p.rejects(report).map((r) => [r.row, codes(r), r.record])).toEqual([
      [1, [['UNKNOWN_FIELD', '__proto__']], record('a@x.io', 'X', 'A')],
      [2, [['UNKNOWN_FIELD', '__proto__']], record('b@x.io', 'Y', 'B')],
    ]);
  });

  it('a column named __proto__ fails validate as any column the table lacks', () => {
    p.write('users.csv', 'email,name\na@x.io,A\n');
    p.write('import.yaml', pipeline('users.csv', 'columns: { email: email, __proto__: name }\n'));
    const result = p.ferry('validate', 'import.yaml');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('import.yaml:3:26 columns.__proto__: table users has no column "__proto__"');
  });

  // An ESC in a key recoloured or erased what validate printed, a line end forged another diagnostic, a bidi override showed another name.
  it('a key holding terminal controls is shown with them escaped by validate', () => {
    p.write('users.csv', 'email,name\na@x.io,A\n');
    p.write('import.yaml', pipeline('users.csv', 'columns: { email: email, "given_\\e[2Jname\\u202e\\nok import.yaml": name }\n'));
    const result = p.ferry('validate', 'import.yaml');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain(
      'import.yaml:3:26 columns.given_\\x1b[2Jname\\u202e\\nok import.yaml: invalid name "given_\\x1b[2Jname\\u202e\\nok import.yaml": a column name cannot hold a control character',
    );
    expect(result.stdout).not.toMatch(/[\u001b\u202e]|^ok /m);
  });

  it('a lone surrogate or a number beyond a double is a FORMAT reject at its path, and nothing of it is stored', () => {
    const users = [
      '{"email":"a@x.io","name":"A"}',
      '{"email":"b@x.io","name":"B\\ud800"}',
      '{"email":"h@x.io","user_metadata":{"big":1e400,"neg":-1e400}}',
      '{"email":"i@x.io","logins_count":1e400}',
      '{"email":"k@x.io","app_metadata":{"tags":["\\udc00"]}}',
    ];
    p.write('users.json', `[${users.join(',\n')}]`);
    p.write('import.yaml', pipeline('users.json'));
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 5, inserted: 1, rejected: 4 });
    const rejects = p.rejects(report);
    expect(rejects.map((r) => [r.row, r.errors])).toEqual([
      [2, [{ code: 'FORMAT', path: 'name', message: 'contains a lone surrogate (U+D800), which is not valid Unicode' }]],
      [
        3,
        [
          { code: 'FORMAT', path: 'user_metadata.big', message: expect.stringMatching(/^number out of range \(above 1\.79\d*e\+308/) },
          { code: 'FORMAT', path: 'user_metadata.neg', message: expect.stringMatching(/^number out of range \(below -1\.79\d*e\+308/) },
        ],
      ],
      [4, [{ code: 'FORMAT', path: 'logins_count', message: expect.stringMatching(/^number out of range/) }]],
      [5, [{ code: 'FORMAT', path: 'app_metadata.tags[0]', message: 'contains a lone surrogate (U+DC00), which is not valid Unicode' }]],
    ]);
    expect(p.rows('SELECT email FROM users')).toEqual([{ email: 'a@x.io' }]);
  });

  it('a key repeated in one JSON object is a PARSE_ERROR naming it, not a silent last-wins', () => {
    const users = ['{"email":"a@x.io","email":"b@x.io"}', '{"email":"c@x.io","app_metadata":{"plan":{"tier":"pro","tier":"free"}}}', '{"email":"d@x.io"}'];
    p.write('users.ndjson', users.join('\n'));
    p.write('import.yaml', pipeline('users.ndjson'));
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 3, inserted: 1, rejected: 2 });
    // No `columns`: the text of an unparsed row is withheld (it may hold a secret), but the field name is kept.
    expect(p.rejects(report).map((r) => [r.row, r.errors, r.record])).toEqual([
      [
        1,
        [
          {
            code: 'PARSE_ERROR',
            path: 'email',
            message: 'duplicate field "email" in one JSON object at users.ndjson:1:1 (byte 0); JSON keeps only the last value',
          },
        ],
        expect.stringMatching(/^\[text withheld/),
      ],
      [
        2,
        [
          {
            code: 'PARSE_ERROR',
            path: 'app_metadata.plan.tier',
            message: 'duplicate field "tier" in one JSON object (at app_metadata.plan) at users.ndjson:2:1 (byte 36); JSON keeps only the last value',
          },
        ],
        expect.stringMatching(/^\[text withheld/),
      ],
    ]);
    expect(p.rows('SELECT email FROM users')).toEqual([{ email: 'd@x.io' }]);
  });

  it('an integer beyond ±2^53 is a FORMAT reject at its source path, not rounded into another id (and a CONFLICT)', () => {
    const users = [
      '{"email":"a@x.com","id":12345678901234567891,"meta":{"tw":1234567890123456789}}',
      '{"email":"b@x.com","id":12345678901234567892}',
      '{"email":"c@x.com","id":"12345678901234567893","meta":{"tw":"1234567890123456789","n":9007199254740991}}',
    ];
    p.write('users.ndjson', users.join('\n'));
    p.write('import.yaml', pipeline('users.ndjson', 'columns: { email: email, user_id: $string(id), user_metadata: meta }\n'));
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 3, inserted: 1, rejected: 2 });
    const message = expect.stringMatching(/^number beyond ±2\^53 \(9007199254740991\) cannot be kept exactly: .*; write it as a string$/);
    expect(p.rejects(report).map((r) => [r.row, r.errors])).toEqual([
      [
        1,
        [
          { code: 'FORMAT', path: 'id', message },
          { code: 'FORMAT', path: 'meta.tw', message },
        ],
      ],
      [2, [{ code: 'FORMAT', path: 'id', message }]],
    ]);
    expect(p.rows('SELECT email, user_id, user_metadata FROM users')).toEqual([
      { email: 'c@x.com', user_id: '12345678901234567893', user_metadata: '{"tw":"1234567890123456789","n":9007199254740991}' },
    ]);
  });

  it('an integer beyond ±2^53 in a field the mapping never reads rejects nothing (nothing of it is written)', () => {
    const users = ['{"email":"a@x.com","legacy_id":12345678901234567891,"meta":{"plan":"pro"}}', '{"email":"b@x.com","meta":{"tw":12345678901234567892}}'];
    p.write('users.ndjson', users.join('\n'));
    p.write('import.yaml', pipeline('users.ndjson', 'columns: { email: email, user_metadata: meta }\n'));
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 2, inserted: 1, rejected: 1 });
    expect(p.rejects(report).map((r) => [r.row, codes(r)])).toEqual([[2, [['FORMAT', 'meta.tw']]]]);
    expect(p.rows('SELECT email, user_metadata FROM users')).toEqual([{ email: 'a@x.com', user_metadata: '{"plan":"pro"}' }]);
  });

  it('JSON in a CSV cell: a repeated key is a PARSE_ERROR at the column, a rounded number a FORMAT at its path', () => {
    p.write(
      'users.csv',
      'email,user_metadata\na@x.io,"{""plan"":""free"",""plan"":""pro""}"\nb@x.io,"{""tw"":1234567890123456789}"\nc@x.io,"{""plan"":""pro""}"\n',
    );
    p.write('import.yaml', pipeline('users.csv'));
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 3, inserted: 1, rejected: 2 });
    expect(p.rejects(report).map((r) => [r.row, codes(r)])).toEqual([
      [1, [['PARSE_ERROR', 'user_metadata']]],
      [2, [['FORMAT', 'user_metadata.tw']]],
    ]);
    expect(p.rows('SELECT email, user_metadata FROM users')).toEqual([{ email: 'c@x.io', user_metadata: '{"plan":"pro"}' }]);
  });

  it('a row of thousands of unknown columns is one bounded reject: 20 errors and a count of the rest', () => {
    const width = 3000;
    const header = ['email', ...Array.from({ length: width }, (_, i) => `c${i}`)].join(',');
    const rows = Array.from({ length: 3 }, (_, r) => [`u${r}@x.io`, ...Array<string>(width).fill('v')].join(','));
    p.write('users.csv', [header, ...rows].join('\n') + '\n');
    p.write('import.yaml', pipeline('users.csv'));
    const { report } = p.run('import.yaml');
    expect(report.summary).toMatchObject({ total: 3, inserted: 0, rejected: 3 });
    for (const reject of p.rejects(report)) {
      expect(reject.errors).toHaveLength(21);
      expect(reject.errors[20]).toEqual({
        code: 'UNKNOWN_FIELD',
        path: '',
        message: `and ${width - 20} more error(s) not listed: ${width - 20} UNKNOWN_FIELD`,
      });
    }
  });
});
