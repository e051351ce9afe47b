import { afterEach, describe, expect, it } from 'vitest';
import { startConsole } from '../helpers/browser.js';
import { TestProject } from '../helpers/project.js';

const scheduled = 'name: nightly\nsource: { file: users.csv }\ntarget: { connection: users, key: [email] }\ncolumns: { email: email }\nschedule: "0 2 * * *"\n';
const exported = 'name: dump\nsource: { connection: users }\ntarget: { file: out/users.csv }\n';
const cases = 'tests:\n  - name: email passes through\n    input: { email: a@example.com }\n    expect: { row: { email: a@example.com } }\n';
/** A real pipeline broken by a YAML mistake (its source: indented under name:): its only readable top-level key is `name`. */
const brokenYaml = 'name: broken\n  source: { file: users.csv }\ntarget: { connection: users, key: [email] }\nschedule: "0 3 * * *"\n';

/** Other tools' YAML kept in pipelines/: a GitHub workflow, a docker-compose file with its test override, a k8s manifest, an Ansible playbook. */
function withForeignFiles(p: TestProject): void {
  p.write('pipelines/.github/workflows/ci.yml', 'name: CI\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n');
  p.write('pipelines/docker-compose.yml', 'services:\n  db:\n    image: postgres:16\n');
  p.write('pipelines/docker-compose.test.yml', 'services:\n  db:\n    environment: { POSTGRES_PASSWORD: test }\n');
  p.write('pipelines/k8s.yaml', 'apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Service\n');
  p.write('pipelines/site.test.yml', '- hosts: all\n  tasks: []\n');
}

function project(): TestProject {
  const p = new TestProject();
  p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: .ferry/users.db, table: users }\n');
  p.write('pipelines/users.csv', 'email\na@example.com\n');
  p.write('pipelines/nightly.yaml', scheduled);
  p.write('pipelines/nightly.test.yaml', cases);
  p.write('pipelines/dump.yaml', exported);
  return p;
}

/**
 * `ferry validate` skips another tool's YAML found under pipelines/ with a note; the other commands
 * that list the project's pipelines read it as a broken pipeline: `schedules apply` refused to
 * apply anything, `ferry test` stopped at a docker-compose.test.yml, and every `schedules list`
 * printed the files' schema errors.
 */
describe("every command that lists the project's pipelines skips other tools' YAML as validate does", () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('schedules list and apply schedule the pipelines and say nothing of the other files', () => {
    p = project();
    withForeignFiles(p);
    const listed = p.ferry('schedules', 'list', '--json');
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { pipeline: string }).pipeline),
    ).toEqual(['nightly']);
    const applied = p.ferry('schedules', 'apply');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  });

  it('ferry test skips the test files of other tools, with the reason, and runs the real cases', () => {
    p = project();
    withForeignFiles(p);
    const r = p.ferry('test');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^skipped pipelines\/docker-compose\.test\.yml: not a Ferry test file, pipelines\/docker-compose\.yml beside it is not a Ferry pipeline: it has neither source nor target.*\(its keys: services\)\. Hint: keep other tools' YAML outside pipelines\//,
      ),
      expect.stringMatching(
        /^skipped pipelines\/site\.test\.yml: not a Ferry test file, its top level is a list, and a test file is a map holding tests:\. Hint: keep other tools' YAML outside pipelines\/; ferry test pipelines\/site\.test\.yml runs it as one$/,
      ),
      'ok   pipelines/nightly.test.yaml:2 email passes through',
      '1 of 1 case(s) passed',
    ]);
  });

  it('ferry test with only test files of other tools finds none (exit 2) and says they were skipped', () => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections: {}\n');
    p.write('pipelines/ci.test.yml', 'jobs:\n  build: { runs-on: ubuntu-latest }\n');
    const r = p.ferry('test');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^skipped pipelines\/ci\.test\.yml: not a Ferry test file, it has no tests: key.*\(its keys: jobs\)/);
    expect(r.stderr).toContain('no test files found under pipelines/');
    expect(r.stderr).toContain('1 file(s) of other tools skipped');
  });

  it('says a hostile file name and key escaped, each note on one line', () => {
    p = project();
    p.write('pipelines/a\x1b[2Jb\nc.yml', '"\\e]0;pwned\\a": 1\n');
    p.write('pipelines/x\ny.test.yml', 'services: {}\n');
    for (const command of ['validate', 'test']) {
      const r = p.ferry(command);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).not.toMatch(/[\x1b\x07]/);
      const notes = r.stdout.split('\n').filter((line) => line.startsWith('skipped '));
      expect(notes).toHaveLength(1);
      expect(notes[0]).toContain(
        command === 'validate' ? 'skipped pipelines/a\\x1b[2Jb\\nc.yml: not a Ferry pipeline' : 'skipped pipelines/x\\ny.test.yml: not a Ferry test file',
      );
    }
  });

  it('run --sample still runs beside them', () => {
    p = project();
    withForeignFiles(p);
    // The export reads the users table, which the import makes (a source's table must be there).
    expect(p.ferry('run', 'pipelines/nightly.yaml').code).toBe(0);
    const r = p.ferry('run', 'pipelines/dump.yaml', '--sample', '1');
    expect(r.stderr).not.toMatch(/docker-compose|k8s|ci\.yml|site\.test/);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the console lists and schedules only the pipelines', async () => {
    p = project();
    withForeignFiles(p);
    const ui = await startConsole(p.dir);
    try {
      const listed = (await (await fetch(`${ui.url}api/pipelines`)).json()) as { file: string; diagnostics: string[] }[];
      expect(listed.map((e) => [e.file, e.diagnostics])).toEqual([
        ['pipelines/dump.yaml', []],
        ['pipelines/nightly.yaml', []],
      ]);
      const schedules = (await (await fetch(`${ui.url}api/schedules`)).json()) as { pipeline: string }[];
      expect(schedules.map((s) => s.pipeline)).toEqual(['nightly']);
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });
});

/** The other way round: a pipeline that merely fails to parse is a broken pipeline, reported by each command, never skipped as another tool's file. */
describe('a real pipeline with a YAML error is an error everywhere, not a skipped file', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it('validate fails on it', () => {
    p = project();
    p.write('pipelines/broken.yaml', brokenYaml);
    const r = p.ferry('validate');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('skipped');
    expect(r.stdout).toMatch(/^pipelines\/broken\.yaml:\d+:\d+ /m);
  });

  it('schedules apply refuses, naming it', () => {
    p = project();
    p.write('pipelines/broken.yaml', brokenYaml);
    const r = p.ferry('schedules', 'apply');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pipelines\/broken\.yaml:\d+:\d+ /m);
    expect(r.stderr).toContain('not applied: fix the pipelines above first');
  });

  it('ferry test reports it with its cases', () => {
    p = project();
    p.write('pipelines/broken.yaml', brokenYaml);
    p.write('pipelines/broken.test.yaml', cases);
    const r = p.ferry('test');
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('skipped');
    expect(r.stderr).toMatch(/^pipelines\/broken\.yaml:\d+:\d+ /m);
  });

  it('ferry test reports a broken test file whose pipeline is missing', () => {
    p = project();
    p.write('pipelines/gone.test.yaml', 'tests:\n  - name: x\n   input: {}\n');
    const r = p.ferry('test');
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('skipped');
    expect(r.stderr).toContain('pipelines/gone.yaml: pipeline file not found');
  });

  it('the console lists it with its error', async () => {
    p = project();
    p.write('pipelines/broken.yaml', brokenYaml);
    const ui = await startConsole(p.dir);
    try {
      const listed = (await (await fetch(`${ui.url}api/pipelines`)).json()) as { file: string; name: string | null; diagnostics: string[] }[];
      const broken = listed.find((e) => e.file === 'pipelines/broken.yaml');
      expect(broken?.name).toBeNull();
      expect(broken?.diagnostics.join('\n')).toMatch(/^pipelines\/broken\.yaml:\d+:\d+ /m);
    } finally {
      expect(await ui.stop()).toBe(0);
    }
  });
});
