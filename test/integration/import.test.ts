import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codes, TestProject } from '../helpers/project.js';

const pipeline = (source: string, extra = ''): string => `source:\n  file: ${source}\ntarget:\n  connection: users\n${extra}`;

describe('ferry run: imports into the embedded SQLite store', () => {
  let p: TestProject;
  beforeEach(() => (p = new TestProject()));
  afterEach(() => p.cleanup());

  it('imports valid users and reports the summary', () => {
    p.write('users.json', [
      { email: 'Ada@Example.com', given_name: 'Ada', email_verified: true, user_metadata: { plan: 'pro' }, logins_count: 3 },
      { email: 'alan@example.com', username: 'alan', app_metadata: { roles: ['admin'] } },
    ]);
    p.write('p.yaml', pipeline('users.json'));
    const { code, report } = p.run('p.yaml');
    expect(code).toBe(0);
    expect(report.status).toBe('succeeded');
    expect(report.summary).toEqual({ total: 2, inserted: 2, updated: 0, unchanged: 0, rejected: 0, exported: 0 });
    expect(report.job).toMatch(/^p-\d{8}T\d{6}-[0-9a-f]{12}$/);
    const rows = p.rows('SELECT email, given_name, email_verified, username, user_metadata, app_metadata, logins_count FROM users ORDER BY email');
    expect(rows).toEqual([
      { email: 'ada@example.com', given_name: 'Ada', email_verified: 1, username: null, user_metadata: '{"plan":"pro"}', app_metadata: null, logins_count: 3 },
      {
        email: 'alan@example.com',
        given_name: null,
        email_verified: 0,
        username: 'alan',
        user_metadata: null,
        app_metadata: '{"roles":["admin"]}',
        logins_count: null,
      },
    ]);
    expect(p.rejects(report)).toEqual([]);
  });

  it('rejects invalid users with row, code and path, masking secrets, and imports the rest', () => {
    p.write('users.json', [
      { email: 'ok@example.com' },
      { email: 'not-an-email' },
      { given_name: 'no email' },
      { email: 'long@example.com', given_name: 'x'.repeat(151) },
      { email: 'u@example.com', username: 'bad name!' },
      { email: 'p@example.com', phone_number: '0612345678' },
      { email: 'h@example.com', password_hash: 'plaintext-secret' },
      { email: 'c@example.com', custom_password_hash: { algorithm: 'whirlpool', hash: { value: 'deadbeef', encoding: 'hex' } } },
      {
        email: 'b@example.com',
        password_hash: '$2b$10$C9W7jdfZbVZsDLXdtsGw0uZQFk3h1ZrGnDZx1B8e9kHpkB6m0J2aW',
        custom_password_hash: { algorithm: 'md5', hash: { value: 'abcd', encoding: 'hex' } },
      },
      { email: 'r@example.com', app_metadata: { blocked: true } },
      { email: 'm@example.com', mfa_factors: [] },
      { email: 'f@example.com', shoe_size: 44 },
      { email: 't@example.com', email_verified: 'yes' },
    ]);
    p.write('p.yaml', pipeline('users.json'));
    const { code, report } = p.run('p.yaml');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ total: 13, inserted: 1, rejected: 12 });
    const rejects = p.rejects(report);
    expect(rejects.map((r) => [r.row, ...codes(r)])).toEqual([
      [2, ['FORMAT', 'email']],
      [3, ['REQUIRED', 'email']],
      [4, ['MAX_LENGTH', 'given_name']],
      [5, ['PATTERN', 'username']],
      [6, ['PATTERN', 'phone_number']],
      [7, ['PATTERN', 'password_hash']],
      [8, ['ENUM_MISMATCH', 'custom_password_hash.algorithm']],
      [9, ['FORMAT', 'custom_password_hash']],
      [10, ['FORMAT', 'app_metadata.blocked']],
      [11, ['MIN_LENGTH', 'mfa_factors']],
      [12, ['UNKNOWN_FIELD', 'shoe_size']],
      [13, ['INVALID_TYPE', 'email_verified']],
    ]);
    const hashReject = rejects.find((r) => r.row === 7)!;
    expect(hashReject.record).toEqual({ email: 'h@example.com', password_hash: '*****' });
    expect(JSON.stringify(rejects)).not.toContain('plaintext-secret');
    expect(p.rows('SELECT email FROM users')).toEqual([{ email: 'ok@example.com' }]);
  });

  it('maps a CSV with JSONata: quoted commas, newlines and quotes, BOM, CRLF, malformed rows', () => {
    const csv =
      '\uFEFFMail,First,Last,Notes\r\n' +
      'A@x.io,Ann,"Lee, Jr.","said ""hi"""\r\n' +
      'b@x.io,Bob,Ray,"line one\r\nline two"\r\n' +
      'c@x.io,Cy,"unbalanced\r\n' +
      'd@x.io,Di,Do,extra,cell\r\n';
    p.write('people.csv', csv);
    p.write(
      'p.yaml',
      pipeline(
        'people.csv',
        `columns:\n  email: $lowercase(Mail)\n  name: First & ' ' & Last\n  user_metadata: '{"notes": Notes}'\nvalidate:\n  schema: user\n`,
      ),
    );
    const { report } = p.run('p.yaml');
    expect(report.summary).toMatchObject({ total: 4, inserted: 2, rejected: 2 });
    expect(p.rows('SELECT email, name, user_metadata FROM users ORDER BY email')).toEqual([
      { email: 'a@x.io', name: 'Ann Lee, Jr.', user_metadata: '{"notes":"said \\"hi\\""}' },
      { email: 'b@x.io', name: 'Bob Ray', user_metadata: '{"notes":"line one\\r\\nline two"}' },
    ]);
    const rejects = p.rejects(report);
    expect(rejects.map((r) => [r.row, ...codes(r)])).toEqual([
      [3, ['PARSE_ERROR', '']],
      [4, ['PARSE_ERROR', '']],
    ]);
  });

  it('reports a mapping evaluation error as MAPPING_ERROR at the column', () => {
    p.write('u.json', [
      { email: 'a@x.io', age: 'ten' },
      { email: 'b@x.io', age: 10 },
    ]);
    p.write('p.yaml', pipeline('u.json', `columns:\n  email: email\n  logins_count: age + 1\n`));
    const { report } = p.run('p.yaml');
    expect(report.summary).toMatchObject({ inserted: 1, rejected: 1 });
    const [reject] = p.rejects(report);
    expect(reject?.row).toBe(1);
    expect(codes(reject!)).toEqual([['MAPPING_ERROR', 'logins_count']]);
    expect(p.rows('SELECT email, logins_count FROM users')).toEqual([{ email: 'b@x.io', logins_count: 11 }]);
  });

  it('applies validate.rules as RULE rejects', () => {
    p.write('u.json', [{ email: 'a@corp.io' }, { email: 'b@gmail.com' }]);
    p.write('p.yaml', pipeline('u.json', `validate:\n  rules:\n    - check: $contains(email, '@corp.io')\n      message: only corporate addresses\n`));
    const { report } = p.run('p.yaml');
    expect(report.summary).toMatchObject({ inserted: 1, rejected: 1 });
    expect(p.rejects(report)[0]).toMatchObject({ row: 2, errors: [{ code: 'RULE', message: 'only corporate addresses', path: '' }] });
  });

  it('DUPLICATED_USER on an existing key without upsert; DUPLICATE_IN_SOURCE within one job, case-insensitively', () => {
    p.write('first.json', [{ email: 'a@x.io', given_name: 'First' }]);
    p.write('second.json', [{ email: 'A@X.io', given_name: 'Second' }, { email: 'b@x.io' }, { email: 'B@x.io' }]);
    p.write('first.yaml', pipeline('first.json'));
    p.write('second.yaml', pipeline('second.json', 'batch: { size: 1 }\n'));
    expect(p.run('first.yaml').report.summary.inserted).toBe(1);
    const { report } = p.run('second.yaml');
    expect(report.summary).toMatchObject({ total: 3, inserted: 1, rejected: 2 });
    expect(p.rejects(report).map((r) => [r.row, ...codes(r)])).toEqual([
      [1, ['DUPLICATED_USER', 'email']],
      [3, ['DUPLICATE_IN_SOURCE', 'email']],
    ]);
    expect(p.rows('SELECT email, given_name FROM users ORDER BY email')).toEqual([
      { email: 'a@x.io', given_name: 'First' },
      { email: 'b@x.io', given_name: null },
    ]);
  });

  it('CONFLICT when another unique column collides', () => {
    p.write('u.json', [
      { email: 'a@x.io', username: 'same' },
      { email: 'b@x.io', username: 'same' },
    ]);
    p.write('p.yaml', pipeline('u.json'));
    const { report } = p.run('p.yaml');
    expect(report.summary).toMatchObject({ inserted: 1, rejected: 1 });
    expect(codes(p.rejects(report)[0]!)).toEqual([['CONFLICT', 'username']]);
  });

  it('upsert with metadata merge updates only mapped columns and never the protected ones', () => {
    p.write('seed.json', [
      {
        email: 'a@x.io',
        user_id: 'legacy|1',
        username: 'ann',
        given_name: 'Ann',
        nickname: 'annie',
        password_hash: '$2b$10$C9W7jdfZbVZsDLXdtsGw0uZQFk3h1ZrGnDZx1B8e9kHpkB6m0J2aW',
        user_metadata: { plan: 'free', prefs: { theme: 'light', lang: 'en' } },
      },
      { email: 'b@x.io', given_name: 'Bob' },
    ]);
    p.write('update.json', [
      {
        email: 'A@x.io',
        user_id: 'other|9',
        username: 'changed',
        given_name: 'Anna',
        password_hash: '$2b$10$abcdefghijklmnopqrstuuC9W7jdfZbVZsDLXdtsGw0uZQFk3h1Zr',
        user_metadata: { plan: 'pro', prefs: { theme: 'dark' } },
      },
      { email: 'b@x.io', given_name: 'Bob' },
      { email: 'c@x.io', given_name: 'Cy' },
    ]);
    p.write('seed.yaml', pipeline('seed.json'));
    p.write('update.yaml', pipeline('update.json', '  upsert: true\n  metadata: merge\n'));
    p.run('seed.yaml');
    const before = p.rows(`SELECT created_at FROM users WHERE email = 'a@x.io'`)[0];
    const { report } = p.run('update.yaml');
    expect(report.summary).toEqual({ total: 3, inserted: 1, updated: 1, unchanged: 1, rejected: 0, exported: 0 });
    expect(p.rows(`SELECT user_id, username, given_name, nickname, password_hash, user_metadata, created_at FROM users WHERE email = 'a@x.io'`)).toEqual([
      {
        user_id: 'legacy|1',
        username: 'ann',
        given_name: 'Anna',
        nickname: 'annie',
        password_hash: '$2b$10$C9W7jdfZbVZsDLXdtsGw0uZQFk3h1ZrGnDZx1B8e9kHpkB6m0J2aW',
        user_metadata: '{"plan":"pro","prefs":{"theme":"dark","lang":"en"}}',
        created_at: before?.['created_at'],
      },
    ]);
  });

  it('upsert with metadata replace overwrites the JSON', () => {
    p.write('seed.json', [{ email: 'a@x.io', user_metadata: { plan: 'free', prefs: { theme: 'light' } } }]);
    p.write('update.json', [{ email: 'a@x.io', user_metadata: { plan: 'pro' } }]);
    p.write('seed.yaml', pipeline('seed.json'));
    p.write('update.yaml', pipeline('update.json', '  upsert: true\n  metadata: replace\n'));
    p.run('seed.yaml');
    expect(p.run('update.yaml').report.summary).toMatchObject({ updated: 1 });
    expect(p.rows('SELECT user_metadata FROM users')).toEqual([{ user_metadata: '{"plan":"pro"}' }]);
  });

  it('fails the job when rejects exceed max_rejects, before committing further batches', () => {
    const users = Array.from({ length: 40 }, (_, i) => ({ email: i % 2 === 0 ? `u${i}@x.io` : `bad-${i}` }));
    p.write('u.json', users);
    p.write('p.yaml', pipeline('u.json', 'validate:\n  max_rejects: 10%\nbatch: { size: 5, parallelism: 1 }\n'));
    const { code, report, stderr } = p.run('p.yaml');
    expect(code).toBe(1);
    expect(report.status).toBe('failed');
    // 10% of 40 = 4 allowed; batch 0 has 2 rejects, batch 1 brings 5 > 4 and stops the job.
    expect(report.summary).toMatchObject({ total: 40, inserted: 5, rejected: 5 });
    expect(p.rows('SELECT count(*) AS n FROM users')).toEqual([{ n: 5 }]);
    expect(stderr).toBe('');
    const show = JSON.parse(p.ferry('jobs', 'show', report.job, '--json').stdout) as { error: string; batches: { done: number; total: number } };
    expect(show.error).toBe('reject budget exceeded: 5 rejected, at most 4 allowed (validate.max_rejects)');
    expect(show.batches).toEqual({ done: 2, total: 8 });
  });

  it('refuses a mapping to a column the table lacks, before reading a record', () => {
    p.write('u.json', [{ email: 'a@x.io' }]);
    p.write('p.yaml', pipeline('u.json', 'columns:\n  email: email\n  shoe_size: "44"\nvalidate: { schema: none }\n'));
    // Checked against the table's columns before a job starts (issue 20): no job, exit 2, the column's position.
    const result = p.ferry('run', 'p.yaml', '--json');
    expect(result.code).toBe(2);
    // --json: the reason as one error object, no report (README "CLI").
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { message: expect.stringContaining('p.yaml:7:3 columns.shoe_size: ') as unknown, exit: 2 } });
    expect(result.stderr).toContain('p.yaml:7:3 columns.shoe_size: table users has no column "shoe_size"; its columns: user_id, email, ');
  });

  it('jobs list, show and errors describe the job', () => {
    p.write('u.json', [{ email: 'a@x.io' }, { email: 'nope' }]);
    p.write('p.yaml', pipeline('u.json'));
    const { report } = p.run('p.yaml');
    expect(p.ferry('jobs', 'list').stdout).toContain(report.job);
    const errors = p.ferry('jobs', 'errors', report.job);
    expect(errors.code).toBe(0);
    expect(errors.stdout).toMatch(/^2\s+FORMAT\s+email\s+nope\s+/m);
    expect(errors.stdout).toContain('1 rejected record(s)');
    const ndjson = p.ferry('jobs', 'errors', report.job, '--json').stdout.trim().split('\n');
    expect(JSON.parse(ndjson[0]!)).toMatchObject({ row: 2, record: { email: 'nope' }, errors: [{ code: 'FORMAT', path: 'email' }] });
    const show = JSON.parse(p.ferry('jobs', 'show', report.job, '--json').stdout) as Record<string, unknown>;
    expect(show).toMatchObject({ job: report.job, status: 'succeeded', batches: { done: 1, total: 1 }, error: null });
    expect(p.ferry('jobs', 'show', 'no-such-job').code).toBe(2);
  });

  it('exits 2 without creating a job when the pipeline is invalid', () => {
    p.write('p.yaml', 'source: { file: missing.json }\ntarget: { connection: users }\n');
    const result = p.ferry('run', 'p.yaml');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('p.yaml:1:17 source.file: source file not found: missing.json');
    expect(p.ferry('jobs', 'list').stdout).toContain('no jobs yet');
  });
});
