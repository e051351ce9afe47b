import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { displayPath, loadProject } from '../../../src/project/load-config.js';
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
