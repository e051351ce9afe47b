import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { taskQueue, temporalConfig } from '../helpers/temporal-workers.js';

/**
 * `jobs list` asks each listed job for its counts, all at once under one call: the client leaves a
 * listener per request on that call's signal, and a project of 9 jobs made Node print
 * "MaxListenersExceededWarning: Possible EventTarget memory leak detected" on every list.
 */
describeTemporal('Temporal: jobs list of many jobs', { timeout: 120_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;
  const jobs = 12;

  beforeAll(() => {
    p = new TestProject();
    // No worker: the jobs stay running, and each listed one is asked for its progress.
    p.write('ferry.yaml', temporalConfig(server().address, taskQueue('list-many')));
    p.write('users.json', '[{"email":"a@example.com"}]');
    for (let i = 0; i < jobs; i++) {
      p.write(`import-${i}.yaml`, 'source: { file: users.json }\ntarget: { connection: users }\n');
      const started = p.ferry('run', `import-${i}.yaml`, '--detach');
      expect(started.code, started.stderr).toBe(0);
    }
  });
  afterAll(() => p?.cleanup());

  it('lists them all and prints no warning', () => {
    const list = p.ferry('jobs', 'list', '--json');
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n')).toHaveLength(jobs);
  });
});
