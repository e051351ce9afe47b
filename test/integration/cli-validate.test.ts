import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runFerry, runFerryAsync, tempDir } from '../helpers/cli.js';

describe('ferry validate (CLI)', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('prints ok for every example pipeline and exits 0', () => {
    const result = runFerry(['validate'], { cwd: repoRoot });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const oks = result.stdout.trim().split('\n');
    expect(oks.length).toBeGreaterThanOrEqual(3);
    for (const line of oks) expect(line).toMatch(/^ok pipelines\/examples\/[\w-]+\.yaml$/);
  });

  it('reports every problem of a broken pipeline with file:line:col and exits 1', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'users.csv'), 'email\na@example.com\n');
    writeFileSync(
      join(t.dir, 'broken.yaml'),
      ['source:', '  file: nowhere.csv', 'target:', '  connection: crm', '  upsert: yes please', 'columns:', '  email: $lowercase(Email', ''].join('\n'),
    );
    writeFileSync(join(t.dir, 'good.yaml'), 'source: { file: users.csv }\ntarget: { connection: users }\n');
    const result = runFerry(['validate', 'broken.yaml', 'good.yaml'], { cwd: t.dir });
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split('\n')).toEqual([
      'broken.yaml:2:9 source.file: source file not found: nowhere.csv',
      'broken.yaml:4:15 target.connection: unknown connection "crm" (known: users; define it in ferry.yaml)',
      'broken.yaml:5:11 target.upsert: expected boolean, got "yes please"',
      'broken.yaml:7:26 columns.email: JSONata S0203: Expected ")" before end of expression',
      'ok good.yaml',
    ]);
    expect(result.stderr).toContain('1 of 2 pipeline file(s) invalid');
  });

  it('a source that is a symlink loop is said to be one, not "not found"', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    symlinkSync('loop.csv', join(t.dir, 'loop.csv'));
    writeFileSync(join(t.dir, 'p.yaml'), 'source: { file: loop.csv }\ntarget: { connection: users }\n');
    const result = runFerry(['validate', 'p.yaml'], { cwd: t.dir });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe('p.yaml:1:17 source.file: the source file is a loop of symbolic links, each leading to the next (ELOOP): loop.csv');
  });

  it('an unknown connection with a 100 kB name is quoted shortened, not whole', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'users.csv'), 'email\na@example.com\n');
    writeFileSync(join(t.dir, 'long.yaml'), `source: { file: users.csv }\ntarget: { connection: ${'c'.repeat(100_000)} }\n`);
    const result = runFerry(['validate', 'long.yaml'], { cwd: t.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('unknown connection "cccc');
    expect(result.stdout).toContain('(known: users; define it in ferry.yaml)');
    expect(result.stdout.length).toBeLessThan(1000);
  });

  it('an export whose folder a file blocks is refused at validate, before a page is read', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'out'), 'a file where the folder should be');
    writeFileSync(join(t.dir, 'e.yaml'), "source: { connection: users, query: '*' }\ntarget: { file: out/users.csv }\n");
    const result = runFerry(['validate', 'e.yaml'], { cwd: t.dir });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toMatch(
      /^e\.yaml:2:17 target\.file: refusing to write out\/users\.csv: it is under .*out, which is a file, not a folder, so the export could not create its folder$/,
    );
  });

  it('a connection named like a JavaScript built-in (constructor, toString) is unknown: validate reports it, run refuses it with exit 2', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'users.csv'), 'email\na@example.com\n');
    writeFileSync(join(t.dir, 'odd.yaml'), 'source: { file: users.csv }\ntarget: { connection: constructor }\n');
    const validate = runFerry(['validate', 'odd.yaml'], { cwd: t.dir });
    expect(validate.code).toBe(1);
    expect(validate.stdout).toBe('odd.yaml:2:23 target.connection: unknown connection "constructor" (known: users; define it in ferry.yaml)\n');
    writeFileSync(join(t.dir, 'odd.yaml'), 'source: { connection: toString, query: "*" }\ntarget: { file: out.csv }\n');
    const run = runFerry(['run', 'odd.yaml'], { cwd: t.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown connection "toString"');
    expect(existsSync(join(t.dir, '.ferry/journal.db')) && runFerry(['jobs', '--json'], { cwd: t.dir }).stdout.includes('"failed"')).toBe(false);
  });

  it('exits 2 when there is no pipeline to check, naming the folder it looked in, as ferry test does without cases', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'ferry.yaml'), 'engine: embedded\n');
    const message =
      'no pipelines found under pipelines/ (*.yaml, *.test.yaml aside): name pipeline files (ferry validate <file>…), or create a project with ferry init';
    const empty = runFerry(['validate'], { cwd: t.dir });
    expect([empty.code, empty.stdout, empty.stderr.trim()]).toEqual([2, '', message]);
    mkdirSync(join(t.dir, 'pipelines/sub'), { recursive: true });
    writeFileSync(join(t.dir, 'pipelines/sub/p.test.yaml'), 'tests: []\n');
    const fromBelow = runFerry(['validate'], { cwd: join(t.dir, 'pipelines/sub') });
    expect([fromBelow.code, fromBelow.stderr.trim()]).toEqual([2, message.replace('under pipelines/', 'under ../')]);
  });

  it('exits 2 for a pipeline file it cannot read, as run does, and still checks the others', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'users.csv'), 'email\na@example.com\n');
    writeFileSync(join(t.dir, 'good.yaml'), 'source: { file: users.csv }\ntarget: { connection: users }\n');
    for (const [file, message] of [
      ['missing.yaml', 'missing.yaml pipeline file not found'],
      ['good.yaml/p.yaml', 'good.yaml/p.yaml the pipeline file cannot be read (ENOTDIR)'],
    ] as const) {
      const run = runFerry(['run', file], { cwd: t.dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      const validate = runFerry(['validate', file, 'good.yaml'], { cwd: t.dir });
      expect(validate.code).toBe(2);
      expect(validate.stdout.trim().split('\n')).toEqual([message, 'ok good.yaml']);
      expect(validate.stderr.trim()).toBe('1 of 2 pipeline file(s) could not be read');
    }
  });

  it('refuses a ferry.yaml with an unset ${VAR}, naming it and its position, exit 2', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'ferry.yaml'), 'connections:\n  crm: { driver: postgres, url: "postgres://ferry:${CRM_PASSWORD}@db/crm" }\n');
    writeFileSync(join(t.dir, 'users.json'), '[]');
    writeFileSync(join(t.dir, 'p.yaml'), 'source: { file: users.json }\ntarget: { connection: crm }\n');
    const unset = runFerry(['validate', 'p.yaml'], { cwd: t.dir, env: { CRM_PASSWORD: '' } });
    // An empty value counts as set; only a missing variable is an error.
    expect(unset.code).toBe(0);
    // Node's spawn drops undefined variables, so this runs with CRM_PASSWORD unset.
    const missing = runFerry(['validate', 'p.yaml'], { cwd: t.dir, env: { CRM_PASSWORD: undefined as unknown as string } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ferry.yaml:2:51 connections.crm.url: environment variable CRM_PASSWORD is not set');
  });

  it('never prints a secret from ferry.yaml', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(join(t.dir, 'ferry.yaml'), 'connections:\n  crm: { driver: postgres, url: "postgres://ferry:${CRM_PASSWORD}@db/crm", tabel: x }\n');
    writeFileSync(join(t.dir, 'users.json'), '[]');
    writeFileSync(join(t.dir, 'p.yaml'), 'source: { file: users.json }\ntarget: { connection: crm }\n');
    const result = runFerry(['validate', 'p.yaml'], { cwd: t.dir, env: { CRM_PASSWORD: 'correct-horse-battery' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('connections.crm.tabel: unknown key "tabel"');
    expect(result.stdout + result.stderr).not.toContain('correct-horse-battery');
  });

  it('exits 2 on a usage error and prints help', () => {
    const result = runFerry(['validate', '--bogus'], { cwd: repoRoot });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });

  it('ferry schema prints the JSON Schema committed in schema/ for editors', () => {
    const result = runFerry(['schema'], { cwd: repoRoot });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(printed.properties)).toEqual(expect.arrayContaining(['source', 'target', 'columns', 'validate', 'batch', 'notify', 'schedule']));
    expect(printed.additionalProperties).toBe(false);
    expect(JSON.parse(readFileSync(join(repoRoot, 'schema/pipeline.schema.json'), 'utf8'))).toEqual(printed);
  });

  it("ferry schema --config prints ferry.yaml's JSON Schema; --config without a file is a usage error elsewhere", () => {
    for (const args of [
      ['schema', '--config'],
      ['--config', 'ferry.yaml', 'schema', '--config'],
    ]) {
      const result = runFerry(args, { cwd: repoRoot });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(repoRoot, 'schema/config.schema.json'), 'utf8')));
    }
    const bare = runFerry(['validate', '--config'], { cwd: repoRoot });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("option '-c, --config <file>' needs the ferry.yaml to use");
  });
});

/** validate read the first MiB of a CSV: a wider header was not checked, and a job wrote every row without the field. */
describe('ferry validate: a CSV header wider than a megabyte', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('is read whole: a mapped field it lacks is refused, one at its end is found', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const names = Array.from({ length: 100_000 }, (_, i) => `column_${String(i).padStart(6, '0')}`);
    const header = ['email', ...names, 'plan'].join(',');
    expect(header.length).toBeGreaterThan(1024 * 1024);
    writeFileSync(join(t.dir, 'users.csv'), `${header}\na@example.com${','.repeat(names.length)},pro\n`);
    writeFileSync(
      join(t.dir, 'lacks.yaml'),
      'source: { file: users.csv }\ntarget: { connection: users }\ncolumns: { email: email, user_metadata: \'{"tier": tier}\' }\n',
    );
    writeFileSync(
      join(t.dir, 'finds.yaml'),
      'source: { file: users.csv }\ntarget: { connection: users }\ncolumns: { email: email, user_metadata: \'{"plan": plan}\' }\n',
    );
    // The message lists the header's columns (over a megabyte): the async runner has no output limit.
    const lacks = await runFerryAsync(['validate', 'lacks.yaml'], { cwd: t.dir });
    expect(lacks.code).toBe(1);
    expect(lacks.stdout).toMatch(/^lacks\.yaml:3:51 columns\.user_metadata: field tier is not in the header of users\.csv/);
    const finds = await runFerryAsync(['validate', 'finds.yaml'], { cwd: t.dir });
    expect(finds.stdout.trim()).toBe('ok finds.yaml');
    expect(finds.code).toBe(0);
  });
});
