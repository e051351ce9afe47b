import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/project/load-config.js';
import { storesOf } from '../../../src/project/plan-for.js';
import { TestProject } from '../../helpers/project.js';

/**
 * What a job's plan keeps of its connections (`JobPlan.stores`): enough to see that a connection
 * now points at another store, and nothing secret, since the plan is stored (plan.json, the
 * journal, Temporal's history).
 */
describe('storesOf', () => {
  let p: TestProject;
  afterEach(() => p?.cleanup());

  const described = (config: string, env: Record<string, string>): Record<string, string> => {
    p.write('ferry.yaml', config);
    return storesOf(loadProject(p.dir, undefined, env), ['crm']);
  };

  it('sees a PostgreSQL host that moved behind an environment variable, without storing the host', () => {
    p = new TestProject();
    const config = 'connections:\n  crm: { driver: postgres, url: "postgres://app@${PGHOST}:5432/crm", table: people }\n';
    const a = described(config, { PGHOST: 'db-a.internal' });
    const b = described(config, { PGHOST: 'db-b.internal' });
    expect(a['crm']).not.toBe(b['crm']);
    expect(a['crm']).toMatch(/^postgres app@\*\*\*:5432\/crm \(digest [0-9a-f]{12}\) table people$/);
    expect(JSON.stringify([a, b])).not.toMatch(/db-a|db-b/);
    expect(described(config, { PGHOST: 'db-a.internal' })).toEqual(a);
  });

  it('keeps no password, from the URL or its query string', () => {
    p = new TestProject();
    const stores = described('connections:\n  crm: { driver: postgres, url: "postgres://app:hunter22@db:5432/crm?sslmode=require&password=hunter33" }\n', {});
    expect(stores['crm']).toMatch(/^postgres app@db:5432\/crm \(digest [0-9a-f]{12}\) table users$/);
    expect(JSON.stringify(stores)).not.toMatch(/hunter/);
  });

  it('describes a SQLite store by its path from the project folder, and leaves out a name ferry.yaml lacks', () => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  crm: { driver: sqlite, path: data/crm.db }\n');
    expect(storesOf(loadProject(p.dir, undefined, {}), ['crm', 'gone'])).toEqual({ crm: 'sqlite data/crm.db table users' });
  });
});
