import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry, runFerryAsync, type CliResult } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';
import { startHttp, type LoopbackHttp } from '../unit/notify/loopback.js';

const runAsync = (args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> => runFerryAsync(args, { cwd, env });

/**
 * Secrets stay out of everything a job stores or sends: masked by the column a value becomes (a
 * CSV `Hash` mapped to password_hash), withheld from the raw text of a malformed row, and never
 * written into the plan or the journal (webhook credentials are `${ENV}` references).
 */

const HASH = '$2b$10$abcdefghijklmnopqrstuOabcdefghijklmnopqrstuvwxyz01234';
const TOTP = 'JBSWY3DPEHPK3PXPSECRETX';

/** Every byte under `dir` (plan.json, journal.db and its WAL, rejects, logs) as one latin1 string. */
function everythingStored(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? everythingStored(path) : readFileSync(path).toString('latin1');
  }
  return out;
}

describe('secrets are masked by what they become, and kept out of stored plans', () => {
  let p: TestProject;
  let hook: LoopbackHttp;
  beforeEach(async () => {
    p = new TestProject();
    hook = await startHttp(() => ({ status: 200 }));
  });
  afterEach(async () => {
    await hook.close();
    p.cleanup();
  });

  it('a CSV Hash column mapped to password_hash is masked in rejects, jobs errors and the webhook; a malformed row is withheld', async () => {
    p.write(
      'users.csv',
      'Mail,Hash,Otp,Logins\r\n' +
        `not-an-email,${HASH},${TOTP},1\r\n` + // rejected: FORMAT email
        `b@x.io,${HASH},${TOTP},x\r\n` + // rejected: $number quotes the hash it could not cast
        `c@x.io,"${HASH},${TOTP}\r\n`, // malformed: unbalanced quote
    );
    const columns =
      'columns:\n  email: Mail\n  password_hash: Hash\n  logins_count: "$number(Logins = \'1\' ? 1 : Hash)"\n  user_metadata: \'{"otp_ref": $length(Otp)}\'\n  mfa_factors: \'[{"totp": {"secret": Otp}}]\'\n';
    p.write(
      'p.yaml',
      `source:\n  file: users.csv\ntarget:\n  connection: users\n${columns}validate: { allow_all_rejected: true }\nnotify:\n  - webhook: ${hook.url}/h\n    on: [succeeded]\n`,
    );
    const run = await runAsync(['run', 'p.yaml', '--json'], p.dir);
    const report = JSON.parse(run.stdout) as { job: string; summary: { rejected: number }; artifacts: { rejects: string } };
    expect(report.summary.rejected).toBe(3);
    const rejectsText = readFileSync(join(p.dir, report.artifacts.rejects), 'utf8');
    const errors = runFerry(['jobs', 'errors', report.job], { cwd: p.dir });
    expect(errors.code).toBe(0);
    for (const text of [rejectsText, errors.stdout, hook.requests[0]!.body.toString('utf8'), run.stderr]) {
      expect(text).not.toContain('abcdefghijklmnopqrstu');
      expect(text).not.toContain('PEHPK3PXP');
    }
    const rejects = p.rejects(report as never);
    expect(rejects[0]!.record).toEqual({ Mail: 'not-an-email', Hash: '*****', Otp: '*****', Logins: '1' });
    expect(rejects[1]!.errors.map((e) => e.path)).toContain('logins_count');
    expect(rejects[2]!.errors[0]!.code).toBe('PARSE_ERROR');
    expect(rejects[2]!.record).toMatch(/^\[text withheld: it may hold password_hash, mfa_factors; \d+ characters\]$/);
  });

  it('identity mapping: custom_password_hash and mfa_factors given as JSON text in CSV cells are masked whole, parseable or not', () => {
    const hashJson = (value: string): string => JSON.stringify({ algorithm: 'md5', hash: { value, encoding: 'hex' } }).replaceAll('"', '""');
    const factors = JSON.stringify([{ totp: { secret: TOTP } }]).replaceAll('"', '""');
    p.write(
      'users.csv',
      'email,custom_password_hash,mfa_factors\r\n' +
        `not-an-email,"${hashJson('5f4dcc3b5aa765d61d8327deb882cf99')}","${factors}"\r\n` + // rejected: FORMAT email
        `b@x.io,"${hashJson('5f4dcc3b5aa765d61d8327deb882cf98').slice(0, -1)}","${factors}"\r\n`, // rejected: the hash's JSON is cut short
    );
    p.write('p.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nvalidate: { allow_all_rejected: true }\n');
    const { report } = p.run('p.yaml');
    expect(report.summary.rejected).toBe(2);
    const errors = p.ferry('jobs', 'errors', report.job);
    const errorsJson = p.ferry('jobs', 'errors', report.job, '--json');
    const stored = everythingStored(join(p.dir, '.ferry'));
    for (const text of [stored, errors.stdout, errorsJson.stdout]) {
      expect(text).not.toContain('5f4dcc3b5aa765d61d8327deb882cf9');
      expect(text).not.toContain('PEHPK3PXP');
    }
    expect(p.rejects(report)[0]!.record).toEqual({ email: 'not-an-email', custom_password_hash: '*****', mfa_factors: '*****' });
  });

  it('run --dry-run masks password hashes in its example rows, in text and --json', () => {
    p.write('users.json', [{ email: 'a@x.io', password_hash: HASH }]);
    p.write('p.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
    for (const args of [['--json'], []]) {
      const dry = p.ferry('run', 'p.yaml', '--dry-run', ...args);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout + dry.stderr).not.toContain(HASH);
    }
    expect(JSON.parse(p.ferry('run', 'p.yaml', '--dry-run', '--json').stdout)).toMatchObject({
      examples: { insert: [{ values: { password_hash: '*****' } }] },
    });
  });

  it('a pipeline with no secret columns keeps the raw text of a malformed row', () => {
    p.write('users.csv', 'Mail,Name\r\na@x.io,Ann\r\nb@x.io,"Bob\r\n');
    p.write('p.yaml', 'source:\n  file: users.csv\ntarget:\n  connection: users\ncolumns:\n  email: Mail\n  name: Name\n');
    const { report } = p.run('p.yaml');
    expect(p.rejects(report)[0]!.record).toContain('b@x.io');
  });

  it('refuses a webhook URL with credentials written in it, at its line and column', () => {
    const base = 'source:\n  file: users.csv\ntarget:\n  connection: users\nnotify:\n';
    p.write('users.csv', 'email\r\na@x.io\r\n');
    p.write('a.yaml', `${base}  - webhook: https://bot:hunter22@hooks.example.com/h\n`);
    p.write('b.yaml', `${base}  - webhook: https://hooks.example.com/h?page=2&access_token=abc123\n`);
    const a = p.ferry('validate', 'a.yaml');
    expect(a.code).toBe(1);
    expect(a.stdout).toContain("a.yaml:6:14 notify[0].webhook: credentials written in the URL: it would be stored in the job's plan and journal");
    expect(a.stdout).not.toContain('hunter22');
    const b = p.ferry('validate', 'b.yaml');
    expect(b.code).toBe(1);
    expect(b.stdout).toContain('b.yaml:6:14 notify[0].webhook: query parameter "access_token" holds a credential');
    expect(b.stdout).not.toContain('abc123');
    expect(p.ferry('run', 'a.yaml').code).not.toBe(0);
  });

  it('resolves ${ENV} references in a webhook URL when sending: the plan and the journal hold only the references', async () => {
    p.write('users.csv', 'email\r\na@x.io\r\n');
    const url = hook.url.replace('http://', 'http://${HOOK_USER}:${HOOK_PASS}@');
    p.write('p.yaml', `source:\n  file: users.csv\ntarget:\n  connection: users\nnotify:\n  - webhook: ${url}/h?token=\${HOOK_TOKEN}\n`);
    const env = { HOOK_USER: 'ferrybot', HOOK_PASS: 'pa55-w0rd-zz', HOOK_TOKEN: 'tok-9f8e7d6c' };
    const run = await runAsync(['run', 'p.yaml', '--json'], p.dir, env);
    expect(run.code, run.stderr).toBe(0);
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.path).toBe('/h?token=tok-9f8e7d6c');
    expect(hook.requests[0]!.headers['authorization']).toBe(`Basic ${Buffer.from('ferrybot:pa55-w0rd-zz').toString('base64')}`);
    const stored = everythingStored(join(p.dir, '.ferry'));
    expect(stored).toContain('${HOOK_TOKEN}');
    for (const secret of ['pa55-w0rd-zz', 'tok-9f8e7d6c']) expect(stored).not.toContain(secret);
    const show = runFerry(['jobs', 'show', (JSON.parse(run.stdout) as { job: string }).job], { cwd: p.dir, env });
    for (const secret of ['pa55-w0rd-zz', 'tok-9f8e7d6c']) expect(show.stdout).not.toContain(secret);
  });

  it('a webhook whose ${ENV} is unset at send time fails that notification, naming the variable', async () => {
    p.write('users.csv', 'email\r\na@x.io\r\n');
    p.write(
      'p.yaml',
      `source:\n  file: users.csv\ntarget:\n  connection: users\nretry: { max_attempts: 1 }\nnotify:\n  - webhook: \${FERRY_TEST_UNSET_HOOK}\n`,
    );
    const run = await runAsync(['run', 'p.yaml', '--json'], p.dir);
    expect(run.code, run.stderr).toBe(0);
    const show = runFerry(['jobs', 'show', (JSON.parse(run.stdout) as { job: string }).job, '--json'], { cwd: p.dir });
    expect((JSON.parse(show.stdout) as { notifications: unknown[] }).notifications).toEqual([
      { index: 0, ok: false, detail: 'notify[0]: the webhook URL references ${FERRY_TEST_UNSET_HOOK}, which is not set in the environment' },
    ]);
    expect(hook.requests).toHaveLength(0);
  });
});
