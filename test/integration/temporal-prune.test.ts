import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pruneFolders } from '../../src/engine/temporal/prune.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { startWorker, taskQueue, temporalConfig, until, withTestClient, type FerryWorker } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Retention on Temporal, on a real server: pruneFolders called with a cutoff just ahead (the CLI
 * takes ages of a minute at least), so a job that just ended counts as old.
 */
describeTemporal('Temporal: ferry jobs prune', { timeout: 180_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;
  let worker: FerryWorker;

  beforeAll(async () => {
    p = new TestProject();
    p.write('ferry.yaml', temporalConfig(server().address, taskQueue('prune')));
    p.write('users.json', generateUsers(5, 1));
    worker = await startWorker(p.dir);
  }, 120_000);
  afterAll(async () => {
    await worker?.kill();
    p?.cleanup();
  });

  // A relative path starting with ".." read as outside the jobs folder: the folder of job "..x-…" was never deleted.
  it('deletes the folder of a job whose id starts with two dots (pipeline file ..x.yaml)', async () => {
    p.write('..x.yaml', 'source: { file: users.json }\ntarget: { connection: users, upsert: true }\n');
    const { code, report } = p.run('..x.yaml');
    expect(code).toBe(0);
    expect(report.job).toMatch(/^\.\.x-/);
    const dir = join(p.dir, '.ferry', 'jobs', report.job);
    expect(existsSync(dir)).toBe(true);
    await withTestClient(server().address, async (client) => {
      // Visibility lists a closed workflow a moment after it closed.
      await until(async () => {
        const pruned = await pruneFolders(client, p.dir, join(p.dir, '.ferry'), {
          endedBefore: new Date(Date.now() + 60_000),
          dryRun: false,
          includeBackups: true,
        });
        return pruned.pruned.some((j) => j.id === report.job);
      }, 30_000);
    });
    expect(existsSync(dir)).toBe(false);
  });
});
