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

  it('keeps the backup of a job whose failed rollback stays (a reset resumes it), --include-backups or not', async () => {
    worker ??= await startWorker(p.dir);
    p.write(
      'up2.json',
      generateUsers(10, 1).map((u) => ({ ...u, family_name: 'Changed' })),
    );
    p.write('up2.yaml', 'source: { file: up2.json }\ntarget: { connection: users, upsert: true }\n');
    const { code, report } = p.run('up2.yaml');
    expect(code).toBe(0);
    const backup = join(p.dir, '.ferry', 'jobs', report.job, 'backup.ndjson');
    expect(existsSync(backup)).toBe(true);
    await worker.kill();
    worker = undefined;
    // Visibility keeps close times to the millisecond: the upsert ended before this, the rollback after.
    await new Promise((done) => setTimeout(done, 50));
    const cutoff = new Date();
    await new Promise((done) => setTimeout(done, 50));
    const rollback = startCli(p.dir, ['jobs', 'rollback', report.job]);
    await withTestClient(server().address, async (client) => {
      let rollbackId: string | undefined;
      try {
        await until(async () => {
          rollbackId = /as job (\S+)/.exec(rollback.out.stderr)?.[1];
          return rollbackId !== undefined;
        }, 60_000);
        // The id is printed before the workflow's start returns: killed sooner, the CLI started none.
        await until(() =>
          client.workflow
            .getHandle(rollbackId!)
            .describe()
            .then(
              () => true,
              () => false,
            ),
        );
      } finally {
        rollback.child.kill('SIGKILL');
        await rollback.exit;
      }
      // A rollback that failed: its workflow closed, and `ferry jobs resume` would reset it.
      await client.workflow.getHandle(rollbackId!).terminate('the test fails it');
      // Visibility lists a workflow a moment after it changed: the prune reads the staying jobs from it.
      await until(async () => {
        for await (const info of client.workflow.list({ query: `WorkflowId = '${rollbackId}' AND ExecutionStatus = 'Terminated'` })) return info !== undefined;
        return false;
      }, 30_000);
      let pruned: Awaited<ReturnType<typeof pruneFolders>> | undefined;
      await until(async () => {
        pruned = await pruneFolders(client, p.dir, join(p.dir, '.ferry'), { endedBefore: cutoff, dryRun: false, includeBackups: true });
        return [...pruned.pruned, ...pruned.kept].some((j) => j.id === report.job);
      }, 30_000);
      expect(pruned?.kept).toContainEqual({ id: report.job, reason: `job ${rollbackId}, which stays, reads its files` });
      expect(existsSync(backup)).toBe(true);
      // Once the rollback ended before the cutoff too (it never ran, so it has no folder), the job goes.
      await until(async () => {
        pruned = await pruneFolders(client, p.dir, join(p.dir, '.ferry'), { endedBefore: new Date(Date.now() + 60_000), dryRun: false, includeBackups: true });
        return pruned.pruned.some((j) => j.id === report.job);
      }, 30_000);
      expect(existsSync(backup)).toBe(false);
    });
  });
});
