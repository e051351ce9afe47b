import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { TestProject } from '../helpers/project.js';

/** `ferry preview`: the first n records as a job would write them, each with its rejects, no store. */
describe('ferry preview', { timeout: 120_000 }, () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    p.write('crm.csv', 'Email,Name,Hash,Age\nAda@X.io,Ada,$2b$10$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ01234,36\nnope,Bob,,41\nc@x.io,Cy,,50\n');
    p.write(
      'p.yaml',
      'source: { file: crm.csv }\ntarget: { connection: users }\ncolumns:\n  email: $lowercase(Email)\n  given_name: Name\n  password_hash: Hash\n  user_metadata: \'{"age": $number(Age)}\'\n',
    );
  });
  afterEach(() => p.cleanup());

  it('prints the first n records mapped and coerced, rejects included, secrets masked, nothing written', () => {
    const run = p.ferry('preview', 'p.yaml', '-n', '2');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('preview of p: the first 2 of 3 record(s) of crm.csv');
    expect(run.stdout).toMatch(
      /row 1: would be written\n {2}email\s+"ada@x\.io"\n {2}given_name\s+"Ada"\n {2}password_hash\s+"\*{5}"\n {2}user_metadata\s+\{"age":36\}\n/,
    );
    expect(run.stdout).toMatch(/row 2: rejected\n[\s\S]*! FORMAT email: /);
    expect(run.stdout).not.toContain('row 3');
    expect(run.stdout).not.toContain('abcdefghij');
    expect(existsSync(join(p.dir, '.ferry'))).toBe(false);
  });

  it('--json masks strings only: a secret of digits (a port) leaves the numbers, so each line stays JSON', () => {
    p.write(
      'ferry.yaml',
      'connections:\n  users: { driver: sqlite, path: users.db }\n  crm: { driver: postgres, url: "postgres://u@127.0.0.1:${CRM_PORT}/crm" }\n',
    );
    p.write('crm.csv', 'Email,Name,Hash,Age\nada@x.io,Ada,,5432\n');
    const run = runFerry(['preview', 'p.yaml', '--json'], { cwd: p.dir, env: { CRM_PORT: '5432' } });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; values: Record<string, unknown> | null });
    expect(lines[0]!.values).toMatchObject({ user_metadata: { age: 5432 } });
  });

  it('--json: one object per record; usage errors exit 2', () => {
    const lines = p
      .ferry('preview', 'p.yaml', '--json')
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; values: Record<string, unknown>; errors: { code: string; path: string }[] });
    expect(lines.map((l) => l.row)).toEqual([1, 2, 3]);
    expect(lines[0]).toMatchObject({ values: { email: 'ada@x.io', password_hash: '*****', user_metadata: { age: 36 } }, errors: [] });
    expect(lines[1]!.errors).toEqual([expect.objectContaining({ code: 'FORMAT', path: 'email' })]);
    const bad = p.ferry('preview', 'p.yaml', '-n', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-n expects a whole number ≥ 1, got "0"');
    p.write('e.yaml', 'source: { connection: users, query: "*" }\ntarget: { file: out.csv }\n');
    const exp = p.ferry('preview', 'e.yaml');
    expect(exp.code).toBe(2);
    expect(exp.stderr).toContain('preview reads a source file');
  });
});
