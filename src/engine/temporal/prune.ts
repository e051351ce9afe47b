import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { backupPath } from '../../../activities/job-files.js';
import { WORKFLOW_TYPE } from '../../../workflows/definitions.js';
import { isOwnJobFolder } from '../job-folder.js';
import type { PruneOptions, PruneReport } from '../engine.js';
import { planOf, toJob, type TemporalJob } from './visibility.js';

/**
 * Retention on Temporal: the server keeps (and, after the namespace's retention period, drops) the
 * jobs' histories; what grows here is each job's folder in this project's state dir. A folder goes
 * when visibility says its job ended before the cutoff — the latest run of the workflow, so a job
 * reset by `ferry jobs resume` since stays — and, unless `includeBackups`, when it holds no backup
 * a rollback needs; with it too, when a rollback of the job still runs. `{last_success}` comes from visibility, not from a folder, so no folder is kept
 * for it. Folders of jobs the server no longer knows are left alone.
 */
export async function pruneFolders(client: Client, rootDir: string, stateDir: string, options: PruneOptions): Promise<PruneReport> {
  const cutoff = options.endedBefore.toISOString();
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus != 'Running' AND CloseTime < '${cutoff}'`;
  const candidates = new Map<string, TemporalJob>();
  for await (const info of client.workflow.list({ query })) {
    const job = toJob(info);
    if (job) candidates.set(job.id, job);
  }
  const report: PruneReport = { pruned: [], kept: [] };
  const rollbacks = await unfinishedRollbacks(client);
  for (const job of candidates.values()) {
    const dir = resolve(rootDir, job.memo.jobDir);
    // Only the job's own folder: a memo naming another job's had that one deleted.
    if (!existsSync(dir) || !isOwnJobFolder(stateDir, job.id, dir)) continue;
    const latest = toJob(await client.workflow.getHandle(job.id).describe());
    if (!latest || latest.endedAt === null || latest.endedAt >= cutoff) continue;
    // --include-backups too: the rollback reads the backup, and restored nothing once it was gone.
    const rollback = rollbacks.get(job.id);
    if (rollback !== undefined) {
      report.kept.push({ id: job.id, reason: `its rollback ${rollback} has not finished (running): it reads the backup` });
      continue;
    }
    if (!options.includeBackups && hasBackup(dir)) {
      report.kept.push({ id: job.id, reason: `its backup allows a rollback (ferry jobs rollback ${job.id}); --include-backups prunes it` });
      continue;
    }
    report.pruned.push({ id: job.id, status: latest.status, endedAt: latest.endedAt, bytes: 0 });
    if (!options.dryRun) rmSync(dir, { recursive: true, force: true });
  }
  report.pruned.sort((a, b) => a.endedAt.localeCompare(b.endedAt));
  return report;
}

/**
 * Job id → the rollback of it whose workflow still runs. The memo does not say which job a rollback
 * undoes: its plan, the first argument of its workflow, does.
 */
async function unfinishedRollbacks(client: Client): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const info of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'` })) {
    const job = toJob(info);
    if (job?.memo.kind !== 'rollback') continue;
    const undone = (await planOf(client, job.id, job.runId))?.rollback?.job;
    if (undone !== undefined) found.set(undone, job.id);
  }
  return found;
}

function hasBackup(jobDir: string): boolean {
  const file = backupPath(jobDir);
  return existsSync(file) && statSync(file).size > 0;
}
