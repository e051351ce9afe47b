import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pruneFolders } from '../../src/engine/temporal/prune.js';
import { TestProject } from '../helpers/project.js';
import { describeTemporal, useTemporalServer } from '../helpers/temporal-server.js';
import { startCli, startWorker, taskQueue, temporalConfig, until, withTestClient, type FerryWorker } from '../helpers/temporal-workers.js';
import { generateUsers } from '../helpers/users.js';

/**
 * Retention on Temporal while a rollback of a job has not ended: `--include-backups` deleted the
 * job's folder, backup and all, under the rollback, which then restored nothing. The folder stays,
 * and the prune says which rollback reads it.
 */
describeTemporal('Temporal: ferry jobs prune during a rollback', { timeout: 180_000 }, () => {
  const server = useTemporalServer();
  let p: TestProject;
  let worker: FerryWorker | undefined;

  beforeAll(async () => {
    p = new TestProject();
    p.write('ferry.yaml', temporalConfig(server().address, taskQueue('prune-rollback')));
    worker = await startWorker(p.dir);
  }, 120_000);
  afterAll(async () => {
    await worker?.kill();
    p?.cleanup();
  });

  it('keeps the backup of a job whose rollback is still running', async () => {
    p.write('seed.json', generateUsers(10, 1));
    p.write('seed.yaml', 'source: { file: seed.json }\ntarget: { connection: users }\n');
    expect(p.run('seed.yaml').code).toBe(0);
    p.write(
      'up.json',
      generateUsers(10, 1)
        .slice(5)
        .map((u) => ({ ...u, given_name: 'Changed' })),
    );
    p.write('up.yaml', 'source: { file: up.json }\ntarget: { connection: users, upsert: true }\n');
    const { code, report } = p.run('up.yaml');
    expect(code).toBe(0);
    const backup = join(p.dir, '.ferry', 'jobs', report.job, 'backup.ndjson');
    expect(existsSync(backup)).toBe(true);
    // No worker: the rollback's workflow starts and stays running, its planning not begun.
    await worker?.kill();
    worker = undefined;
    const rollback = startCli(p.dir, ['jobs', 'rollback', report.job]);
    try {
      await withTestClient(server().address, async (client) => {
        await until(async () => {
          for await (const info of client.workflow.list({ query: `ExecutionStatus = 'Running'` })) if (info.workflowId.startsWith('up-rollback-')) return true;
          return false;
        }, 60_000);
        const rollbackId = /as job (\S+)/.exec(rollback.out.stderr)?.[1];
        expect(rollbackId, rollback.out.stderr).toBeDefined();
        // Visibility lists the closed upsert a moment after it closed.
        let pruned: Awaited<ReturnType<typeof pruneFolders>> | undefined;
        await until(async () => {
          pruned = await pruneFolders(client, p.dir, join(p.dir, '.ferry'), {
            endedBefore: new Date(Date.now() + 60_000),
            dryRun: false,
            includeBackups: true,
          });
          return [...pruned.pruned, ...pruned.kept].some((j) => j.id === report.job);
        }, 30_000);
        expect(pruned?.kept).toContainEqual({ id: report.job, reason: `its rollback ${rollbackId} has not finished (running): it reads the backup` });
        expect(existsSync(backup)).toBe(true);
      });
    } finally {
      rollback.child.kill('SIGKILL');
      await rollback.exit;
    }
  });
});
