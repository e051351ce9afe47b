import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runFerry, tempDir } from '../helpers/cli.js';

const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('ferry init and --version', () => {
  const dirs: Array<() => void> = [];
  const emptyFolder = (): string => {
    const { dir, cleanup } = tempDir('ferry-init-');
    dirs.push(cleanup);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

  it('--version prints the version of package.json', () => {
    const result = runFerry(['--version'], { cwd: emptyFolder() });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(packageVersion);
  });

  it('scaffolds a project whose pipelines validate, pass their test cases and run; the JSON reports carry the version', () => {
    const cwd = emptyFolder();
    const init = runFerry(['init'], { cwd });
    expect(init.code, init.stderr).toBe(0);
    for (const file of [
      'ferry.yaml',
      'pipelines/import-users.yaml',
      'pipelines/import-users.test.yaml',
      'pipelines/export-users.yaml',
      'pipelines/data/users.csv',
      '.gitignore',
    ]) {
      expect(existsSync(join(cwd, file)), file).toBe(true);
    }
    expect(readFileSync(join(cwd, 'pipelines/import-users.yaml'), 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/node_modules\/ferry\/schema\/pipeline\.schema\.json\n/,
    );
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['/.ferry/', '.env', '/exports/']));

    const validate = runFerry(['validate'], { cwd });
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toBe('ok pipelines/export-users.yaml\nok pipelines/import-users.yaml\n');

    const tested = runFerry(['test'], { cwd });
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toContain('2 of 2 case(s) passed');

    const imported = runFerry(['run', 'pipelines/import-users.yaml', '--json'], { cwd });
    expect(imported.code, imported.stderr).toBe(0);
    const report = JSON.parse(imported.stdout) as { job: string; status: string; version: string; summary: { inserted: number; rejected: number } };
    expect(report).toMatchObject({ status: 'succeeded', version: packageVersion, summary: { inserted: 4, rejected: 1 } });

    const shown = runFerry(['jobs', 'show', report.job, '--json'], { cwd });
    expect(JSON.parse(shown.stdout)).toMatchObject({ job: report.job, version: packageVersion });

    const exported = runFerry(['run', 'pipelines/export-users.yaml', '--json'], { cwd });
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ status: 'succeeded', summary: { exported: 4 } });
    expect(readdirSync(join(cwd, 'exports'))).toHaveLength(1);
  });

  it('overwrites nothing: an existing file is named, exit 2, and nothing else is written', () => {
    const cwd = emptyFolder();
    mkdirSync(join(cwd, 'pipelines'));
    writeFileSync(join(cwd, 'pipelines/export-users.yaml'), 'mine\n');
    const result = runFerry(['init'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipelines/export-users.yaml already exists; nothing written');
    expect(readdirSync(cwd).sort()).toEqual(['pipelines']);
    expect(readdirSync(join(cwd, 'pipelines'))).toEqual(['export-users.yaml']);
    expect(readFileSync(join(cwd, 'pipelines/export-users.yaml'), 'utf8')).toBe('mine\n');
  });

  it('refuses before writing anything: a dangling symlink, a file where a folder goes, a .gitignore folder', () => {
    const cases: Array<[string, (cwd: string) => void, RegExp]> = [
      [
        'dangling link',
        (cwd) => (mkdirSync(join(cwd, 'pipelines/data'), { recursive: true }), symlinkSync('gone.csv', join(cwd, 'pipelines/data/users.csv'))),
        /pipelines\/data\/users\.csv already exists/,
      ],
      ['file for a folder', (cwd) => writeFileSync(join(cwd, 'pipelines'), 'x'), /pipelines must be a folder/],
      ['.gitignore folder', (cwd) => mkdirSync(join(cwd, '.gitignore')), /\.gitignore cannot be read/],
    ];
    for (const [name, arrange, message] of cases) {
      const cwd = emptyFolder();
      arrange(cwd);
      const before = readdirSync(cwd, { recursive: true }).sort();
      const result = runFerry(['init'], { cwd });
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toMatch(message);
      expect(result.stderr, name).toContain('nothing written');
      expect(readdirSync(cwd, { recursive: true }).sort(), name).toEqual(before);
    }
  });

  it('keeps an existing .gitignore and appends only the lines it lacks', () => {
    const cwd = emptyFolder();
    writeFileSync(join(cwd, '.gitignore'), 'node_modules\n.env\ncoverage/');
    expect(runFerry(['init'], { cwd }).code).toBe(0);
    const lines = readFileSync(join(cwd, '.gitignore'), 'utf8').split('\n');
    expect(lines.slice(0, 3)).toEqual(['node_modules', '.env', 'coverage/']);
    expect(lines.filter((l) => l === '.env' || l.startsWith('node_modules'))).toEqual(['node_modules', '.env']);
    expect(lines).toEqual(expect.arrayContaining(['/.ferry/', '/exports/', '.env.*']));
  });

  it("ignores the project's own state and exports, not a src/exports/ of the repository's code; node_modules as a symlink too", () => {
    // `exports/` matched every folder of that name at any depth: code in src/exports/ was silently
    // left out of git. `node_modules/` does not match a node_modules that is a symlink.
    const cwd = emptyFolder();
    expect(spawnSync('git', ['init', '-q'], { cwd }).status).toBe(0);
    mkdirSync(join(cwd, 'shared/node_modules'), { recursive: true });
    symlinkSync('shared/node_modules', join(cwd, 'node_modules'));
    expect(runFerry(['init'], { cwd }).code).toBe(0);
    for (const file of ['src/exports/index.ts', 'lib/.ferry/notes.md', 'exports/users.csv', '.ferry/users.db']) {
      mkdirSync(dirname(join(cwd, file)), { recursive: true });
      writeFileSync(join(cwd, file), 'x\n');
    }
    const ignored = (path: string): boolean => spawnSync('git', ['check-ignore', '-q', path], { cwd }).status === 0;
    expect(['src/exports/index.ts', 'lib/.ferry/notes.md', 'exports/users.csv', '.ferry/users.db', 'node_modules'].map(ignored)).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it('points $schema and the reference at the installed package from where each file is: a project in a subfolder of the repository', () => {
    // A monorepo installs into the root node_modules; `ferry init` in packages/etl wrote
    // node_modules/ferry/… relative to packages/etl, which editors could not find.
    const repo = emptyFolder();
    mkdirSync(join(repo, 'node_modules'));
    symlinkSync(repoRoot, join(repo, 'node_modules/ferry'));
    const cwd = join(repo, 'packages/etl');
    mkdirSync(cwd, { recursive: true });
    const init = runFerry(['init'], { cwd });
    expect(init.code, init.stderr).toBe(0);
    const config = readFileSync(join(cwd, 'ferry.yaml'), 'utf8');
    expect(config).toMatch(/^# yaml-language-server: \$schema=\.\.\/\.\.\/node_modules\/ferry\/schema\/config\.schema\.json\n/);
    expect(existsSync(join(cwd, /Reference: (\S+)/.exec(config)?.[1] ?? '-'))).toBe(true);
    for (const file of ['ferry.yaml', 'pipelines/import-users.yaml', 'pipelines/export-users.yaml']) {
      const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(readFileSync(join(cwd, file), 'utf8'))?.[1] ?? '-';
      expect(existsSync(join(cwd, dirname(file), schema)), `${file}: ${schema}`).toBe(true);
    }
    expect(init.stdout).not.toContain('no node_modules/ferry');
    expect(runFerry(['validate'], { cwd }).code).toBe(0);
  });

  it('without the package in a node_modules here or above (a global install) says the $schema lines wait for a local one', () => {
    const cwd = emptyFolder();
    const init = runFerry(['init'], { cwd });
    expect(init.code, init.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'ferry.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=node_modules\/ferry\/schema\/config\.schema\.json\n/);
    expect(init.stdout).toContain('no node_modules/ferry here or above: the $schema lines resolve once Ferry is installed here (npm install --save-dev ferry)');
  });

  it("leaves an exports/ that was already there out of .gitignore, saying so (it hid the repository's own files)", () => {
    const cwd = emptyFolder();
    mkdirSync(join(cwd, 'exports'));
    writeFileSync(join(cwd, 'exports/index.ts'), 'export {};\n');
    const init = runFerry(['init'], { cwd });
    expect(init.code, init.stderr).toBe(0);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8').split('\n')).toEqual([
      '# Ferry: job state, exports and secrets stay out of git',
      '/.ferry/',
      '.env',
      '.env.*',
      'node_modules',
      '',
    ]);
    expect(init.stdout).toContain('exports/ was already here: /exports/ not added to .gitignore (add it if the folder only holds exports)');
    expect(readdirSync(join(cwd, 'exports'))).toEqual(['index.ts']);
  });

  it('appends to a .gitignore with CRLF line ends in CRLF', () => {
    const cwd = emptyFolder();
    writeFileSync(join(cwd, '.gitignore'), 'dist\r\n.env\r\n');
    expect(runFerry(['init'], { cwd }).code).toBe(0);
    const text = readFileSync(join(cwd, '.gitignore'), 'utf8');
    expect(text.startsWith('dist\r\n.env\r\n# Ferry: job state, exports and secrets stay out of git\r\n/.ferry/\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('counts a line the .gitignore has in another spelling (anchored or not, with or without the slash) as present', () => {
    const cwd = emptyFolder();
    writeFileSync(join(cwd, '.gitignore'), '.ferry\n/exports\nnode_modules/\n.env\n.env.*\n');
    const init = runFerry(['init'], { cwd });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('.gitignore already has what Ferry needs');
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('.ferry\n/exports\nnode_modules/\n.env\n.env.*\n');
  });

  it('--driver postgres --engine temporal: the connection reads $DATABASE_URL and the config validates', () => {
    const cwd = emptyFolder();
    expect(runFerry(['init', '--driver', 'postgres', '--engine', 'temporal'], { cwd }).code).toBe(0);
    const config = readFileSync(join(cwd, 'ferry.yaml'), 'utf8');
    expect(config).toContain('engine: temporal');
    expect(config).toContain('url: "${DATABASE_URL}"');
    const empty = runFerry(['validate'], { cwd, env: { DATABASE_URL: '' } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('ferry.yaml:11:35 connections.users.url');
    const validate = runFerry(['validate'], { cwd, env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db' } });
    expect(validate.code, validate.stderr + validate.stdout).toBe(0);
  });

  it('--engine temporal: each project gets a task queue of its own, named after its folder', () => {
    // Two projects on one server that shared `task_queue: ferry` ran each other's jobs.
    const parent = emptyFolder();
    const queues = ['alpha', 'Beta Proj'].map((name) => {
      const cwd = join(parent, name);
      mkdirSync(cwd);
      const init = runFerry(['init', '--engine', 'temporal'], { cwd });
      expect(init.code, init.stderr).toBe(0);
      return /^ {2}task_queue: (\S+)/m.exec(readFileSync(join(cwd, 'ferry.yaml'), 'utf8'))?.[1];
    });
    expect(queues).toEqual(['ferry-alpha', 'ferry-beta-proj']);
    const validate = runFerry(['validate'], { cwd: join(parent, 'alpha') });
    expect(validate.code, validate.stderr).toBe(0);
  });

  it('rejects an unknown driver with exit 2, writing nothing', () => {
    const cwd = emptyFolder();
    const result = runFerry(['init', '--driver', 'mysql'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--driver must be sqlite or postgres');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('inside an existing project (a ferry.yaml above) refuses, naming it, and writes nothing; --nested creates the project', () => {
    const outer = emptyFolder();
    writeFileSync(join(outer, 'ferry.yaml'), 'connections: {}\n');
    const cwd = join(outer, 'team', 'sub');
    mkdirSync(cwd, { recursive: true });
    const refused = runFerry(['init'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'ferry init: this folder is inside the Ferry project of ../../ferry.yaml; nothing written (run ferry commands from there, or ferry init --nested for a separate project here)',
    );
    expect(readdirSync(cwd)).toEqual([]);
    const nested = runFerry(['init', '--nested'], { cwd });
    expect(nested.code, nested.stderr).toBe(0);
    expect(existsSync(join(cwd, 'ferry.yaml'))).toBe(true);
  });
});
