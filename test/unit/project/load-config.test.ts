import { mkdirSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, displayPath, loadProject } from '../../../src/project/load-config.js';
import { TestProject } from '../../helpers/project.js';

/** A ferry.yaml that leaves out `connections:` keeps the `users` store a project without one has. */
describe('loadProject: the default users connection', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  it.each([
    ['engine and temporal only', 'engine: temporal\ntemporal: { address: "127.0.0.1:7233" }\n', '.ferry'],
    ['notify only', 'notify:\n  smtp: { url: "smtp://127.0.0.1:2525", from: ferry@example.com }\n', '.ferry'],
    ['another state dir', 'state_dir: state/\n', 'state'],
    ['other connections only', 'connections:\n  crm: { driver: sqlite, path: crm.db }\n', '.ferry'],
  ])('%s: users is SQLite in the state dir', (_name, yaml, stateDir) => {
    p = new TestProject();
    p.write('ferry.yaml', yaml);
    const project = loadProject(p.dir, undefined, {});
    expect(project.config.connections['users']).toEqual({ driver: 'sqlite', path: join(p.dir, stateDir, 'users.db'), table: 'users' });
  });

  it('a users connection in ferry.yaml is kept as written', () => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: store/u.db, table: people }\n');
    expect(loadProject(p.dir, undefined, {}).config.connections).toEqual({ users: { driver: 'sqlite', path: join(p.dir, 'store', 'u.db'), table: 'people' } });
  });
});

describe('displayPath: a path as the user would type it from where they are', () => {
  const project = resolve('project');
  it.each([
    ['inside the folder', project, join(project, 'pipelines/import.yaml'), 'pipelines/import.yaml'],
    ['from a subfolder of the project', join(project, 'pipelines/data'), join(project, 'pipelines/import.yaml'), join('..', 'import.yaml')],
    ['three folders up', join(project, 'a/b/c'), join(project, 'ferry.yaml'), join('..', '..', '..', 'ferry.yaml')],
    ['the folder itself', project, project, project],
  ])('%s: relative', (_name, cwd, file, shown) => {
    expect(displayPath(cwd, file)).toBe(shown);
  });

  it('far away (more than three folders up): absolute, as it is', () => {
    const file = join(project, 'ferry.yaml');
    expect(displayPath(join(project, 'a/b/c/d'), file)).toBe(file);
  });
});

/**
 * A ferry.yaml found in the folder (or a parent) that is no readable file is refused as a
 * `--config` one is: a dangling symlink passed for "no ferry.yaml" and the default SQLite
 * connection replaced the configured ones (a named pipe: test/integration/config-file-kinds.test.ts).
 */
describe('loadProject: a ferry.yaml that is not a file', () => {
  let p: TestProject;
  afterEach(() => p.cleanup());

  const refusal = (cwd: string): string => {
    try {
      loadProject(cwd, undefined, {});
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return 'loaded';
  };

  it('a dangling symlink is refused, naming its target, and found from a subfolder', () => {
    p = new TestProject();
    symlinkSync(join(p.dir, 'shared', 'ferry.yaml'), join(p.dir, 'ferry.yaml'));
    mkdirSync(join(p.dir, 'pipelines'));
    expect(refusal(join(p.dir, 'pipelines'))).toBe(
      `${join('..', 'ferry.yaml')} the config file is a symbolic link to ${join(p.dir, 'shared', 'ferry.yaml')}, which does not exist`,
    );
  });

  it('a directory is refused in words, not as EISDIR', () => {
    p = new TestProject();
    mkdirSync(join(p.dir, 'ferry.yaml'));
    expect(refusal(p.dir)).toBe('ferry.yaml the config file is a directory, not a file');
  });

  it('a symlink to a file is read', () => {
    p = new TestProject();
    p.write('shared.yaml', 'state_dir: shared-state\n');
    symlinkSync(join(p.dir, 'shared.yaml'), join(p.dir, 'ferry.yaml'));
    expect(loadProject(p.dir, undefined, {}).stateDir).toBe(join(p.dir, 'shared-state'));
  });
});
