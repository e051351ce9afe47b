import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reject } from '../../src/validation/reject.js';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry jobs errors`: a count per code first, then each error with its offending value, masked as
 * the report masks it; `--format csv` for a spreadsheet, escaped and formula-safe.
 */
describe('ferry jobs errors', { timeout: 120_000 }, () => {
  let p: TestProject;
  let job: string;
  beforeEach(() => {
    p = new TestProject();
    p.write('u.json', [
      { 'E-mail': 'ok@x.io', Name: 'Ann' },
      { 'E-mail': "=cmd|' /C calc'!A0", Name: 'Bob' },
      { 'E-mail': 'a,b@x', Name: 'Cy', Hash: 'plaintext-secret' },
    ]);
    p.write('p.yaml', 'source: { file: u.json }\ntarget: { connection: users }\ncolumns:\n  email: "`E-mail`"\n  given_name: Name\n  password_hash: Hash\n');
    job = p.run('p.yaml').report.job;
  });
  afterEach(() => p.cleanup());

  it('prints a count per code, then row, code, path and the masked offending value', () => {
    const { code, stdout } = p.ferry('jobs', 'errors', job);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('2 rejected record(s):');
    expect(lines[1]).toMatch(/^ {2}FORMAT\s+2$/);
    expect(lines[2]).toMatch(/^ {2}PATTERN\s+1$/);
    expect(stdout).toMatch(/^2\s+FORMAT\s+email\s+=cmd\|' \/C calc'!A0\s+/m);
    expect(stdout).toMatch(/^3\s+FORMAT\s+email\s+a,b@x\s+/m);
    expect(stdout).toMatch(/^3\s+PATTERN\s+password_hash\s+\*{5}\s+/m);
    expect(stdout).not.toContain('plaintext-secret');
  });

  it('--format csv: RFC 4180 rows with a header, formulas escaped, secrets masked', () => {
    const { code, stdout } = p.ferry('jobs', 'errors', job, '--format', 'csv');
    expect(code).toBe(0);
    const lines = stdout.split('\r\n');
    expect(lines[0]).toBe('row,code,path,value,message');
    expect(lines[1]).toMatch(/^2,FORMAT,email,"'=cmd\|' \/C calc'!A0",/);
    expect(stdout).toMatch(/\r\n3,FORMAT,email,"a,b@x",/);
    expect(stdout).toMatch(/\r\n3,PATTERN,password_hash,\*{5},/);
    expect(stdout).not.toContain('plaintext-secret');
    expect(lines).toHaveLength(5); // header, three errors, and the empty string after the last CRLF
    const bad = p.ferry('jobs', 'errors', job, '--format', 'xlsx');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format expects one of text, csv, json, got "xlsx"');
  });

  it('--format csv masks a secret holding a quote, which CSV escaping doubles', () => {
    const secret = 'pa"ss-1234';
    p.write('ferry.yaml', 'connections:\n  crm: { driver: postgres, url: "postgres://u:${PW}@127.0.0.1:1/crm" }\n');
    p.write('s.json', [{ 'E-mail': `leak ${secret}`, Name: 'Dee' }]);
    p.write('p2.yaml', 'source: { file: s.json }\ntarget: { connection: users }\ncolumns:\n  email: "`E-mail`"\n  given_name: Name\n');
    const run = runFerry(['run', 'p2.yaml', '--json'], { cwd: p.dir, env: { PW: secret } });
    const id = (JSON.parse(run.stdout) as { job: string }).job;
    const out = runFerry(['jobs', 'errors', id, '--format', 'csv'], { cwd: p.dir, env: { PW: secret } }).stdout;
    expect(out).toContain('leak ***');
    expect(out).not.toContain('ss-1234');
  });

  it('text escapes control characters from the data; csv and json carry them as they are', () => {
    const hostile = '\x1b[2J\r\n9 OK\u202e@x.io';
    p.write('h.json', [{ email: hostile, given_name: 'Ann' }]);
    p.write('h.yaml', 'source: { file: h.json }\ntarget: { connection: users }\n');
    const { job: id, artifacts } = p.run('h.yaml').report;
    // a path and a message from the data too (a field name, a database's message quoting a value)
    const file = join(p.dir, artifacts.rejects!);
    const reject = JSON.parse(readFileSync(file, 'utf8')) as Reject;
    reject.errors.push({ code: 'FORMAT', path: 'x\x1b[1A', message: 'bad "\x1b]0;pwned\x07"\nforged\u2028line' });
    writeFileSync(file, `${JSON.stringify(reject)}\n`);

    const text = p.ferry('jobs', 'errors', id);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(text.stdout).toContain(' email  ');
    expect(text.stdout).toContain(' \\x1b[2J\\r\\n9 OK\\u202e@x.io ');
    expect(text.stdout).toMatch(/^1\s+FORMAT\s+x\\x1b\[1A\s+-\s+bad "\\x1b]0;pwned\\x07"\\nforged\\u2028line$/m);
    expect(text.stdout).not.toMatch(/^9 OK/m);
    const json = p.ferry('jobs', 'errors', id, '--json');
    expect((JSON.parse(json.stdout) as Reject).record).toMatchObject({ email: hostile });
    expect(p.ferry('jobs', 'errors', id, '--format', 'csv').stdout).toContain(`"${hostile}"`);
  });

  it('text and csv write a lone surrogate as its JSON escape, not as U+FFFD: it is what the FORMAT reject is about', () => {
    p.write('s.json', [{ email: 'a\ud800@x.io', given_name: 'Ann\udc00' }]);
    p.write('s.yaml', 'source: { file: s.json }\ntarget: { connection: users }\n');
    const id = p.run('s.yaml').report.job;
    const csv = p.ferry('jobs', 'errors', id, '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout).not.toContain('\ufffd');
    expect(csv.stdout).toContain('\r\n1,FORMAT,email,a\\ud800@x.io,"contains a lone surrogate (U+D800), which is not valid Unicode"\r\n');
    expect(csv.stdout).toContain('\r\n1,FORMAT,given_name,Ann\\udc00,');
    const text = p.ferry('jobs', 'errors', id);
    expect(text.stdout).not.toContain('\ufffd');
    expect(text.stdout).toMatch(/^1\s+FORMAT\s+email\s+a\\ud800@x\.io\s+contains a lone surrogate/m);
    // --json carries the value faithfully already: JSON escapes a lone surrogate.
    expect(p.ferry('jobs', 'errors', id, '--json').stdout).toContain('"email":"a\\ud800@x.io"');
  });

  it('a report cut short is named with the line that is not JSON', () => {
    const { job: id, artifacts } = p.run('p.yaml', '--force-new').report;
    const file = join(p.dir, artifacts.rejects ?? '');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.indexOf('\n') + 20));
    const { code, stderr } = p.ferry('jobs', 'errors', id);
    expect(code).toBe(1);
    expect(stderr).toMatch(/rejects\.ndjson:2: not a JSON line \(cut short or edited\); the file is damaged/);
  });

  // --format csv wrote its header, and --json the lines before the damage: piped into a file, they looked like a complete result.
  it('writes nothing on stdout but a --json error object when the report is damaged past its first line', () => {
    const { job: id, artifacts } = p.run('p.yaml', '--force-new').report;
    const file = join(p.dir, artifacts.rejects ?? '');
    const [first] = readFileSync(file, 'utf8').split('\n');
    for (const [damage, why] of [
      ['{"row": 3, "errors": [{"co', /rejects\.ndjson:2: not a JSON line/],
      ['{"row": 3}', /rejects\.ndjson: record 2 is not a reject/],
    ] as const) {
      writeFileSync(file, `${first}\n${damage}\n`);
      for (const args of [[], ['--format', 'csv'], ['--format', 'json'], ['--json']]) {
        const { code, stdout, stderr } = p.ferry('jobs', 'errors', id, ...args);
        expect(code, args.join(' ')).toBe(1);
        expect(stderr, args.join(' ')).toMatch(why);
        if (args.length === 0 || args[1] === 'csv') expect(stdout, args.join(' ')).toBe('');
        else expect(Object.keys(JSON.parse(stdout) as object), args.join(' ')).toEqual(['error']);
      }
    }
  });
});
