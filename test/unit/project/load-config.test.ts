import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/project/load-config.js';
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
