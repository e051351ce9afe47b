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
 * a rollback needs. As on the embedded engine (embedded/prune.ts), any job a staying job reads
 * stays too, `includeBackups` or not: a rollback's backup (running, or failed and resumable by a
 * reset), a retry's rejects. `{last_success}` comes from visibility, not from a folder, so no folder
 * is kept for it. Folders of jobs the server no longer knows are left alone.
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
  const going = new Map<string, { job: TemporalJob; dir: string }>();
  const folderless = new Set<string>();
  for (const job of candidates.values()) {
    const dir = resolve(rootDir, job.memo.jobDir);
    // Only the job's own folder: a memo naming another job's had that one deleted. One with no
    // folder has nothing to prune, and stays no more than a pruned one.
    if (!existsSync(dir) || !isOwnJobFolder(stateDir, job.id, dir)) {
      folderless.add(job.id);
      continue;
    }
    const latest = toJob(await client.workflow.getHandle(job.id).describe());
    if (!latest || latest.endedAt === null || latest.endedAt >= cutoff) continue;
    if (!options.includeBackups && hasBackup(dir)) {
      report.kept.push({ id: job.id, reason: `its backup allows a rollback (ferry jobs rollback ${job.id}); --include-backups prunes it` });
      continue;
    }
    going.set(job.id, { job: latest, dir });
  }
  await keepWhatStayingJobsRead(client, going, folderless, report.kept);
  for (const { job, dir } of going.values()) {
    report.pruned.push({ id: job.id, status: job.status, endedAt: job.endedAt!, bytes: 0 });
    if (!options.dryRun) rmSync(dir, { recursive: true, force: true });
  }
  report.pruned.sort((a, b) => a.endedAt.localeCompare(b.endedAt));
  return report;
}

/**
 * A staying job that reads another's files keeps that job's folder; repeated, as chains can form
 * (the retry of a retry). A rollback still running is said as such: it is what `--include-backups`
 * must not cut short.
 */
async function keepWhatStayingJobsRead(
  client: Client,
  going: Map<string, { job: TemporalJob }>,
  folderless: ReadonlySet<string>,
  kept: PruneReport['kept'],
): Promise<void> {
  const staying: TemporalJob[] = [];
  for await (const info of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPE}'` })) {
    const job = toJob(info);
    if (job && !going.has(job.id) && !folderless.has(job.id)) staying.push(job);
  }
  while (staying.length > 0) {
    const job = staying.pop()!;
    const reads = await readsOf(client, job);
    const read = reads === undefined ? undefined : going.get(reads);
    if (read === undefined) continue;
    going.delete(read.job.id);
    staying.push(read.job);
    const reason =
      job.memo.kind === 'rollback' && job.status === 'running'
        ? `its rollback ${job.id} has not finished (running): it reads the backup`
        : `job ${job.id}, which stays, reads its files`;
    kept.push({ id: read.job.id, reason });
  }
}

/** The job whose files `job` reads, from its memo; a memo from before it was recorded there: from its plan. */
async function readsOf(client: Client, job: TemporalJob): Promise<string | undefined> {
  if (job.memo.reads !== undefined) return typeof job.memo.reads === 'string' ? job.memo.reads : undefined;
  if (job.memo.kind === 'export') return undefined;
  const plan = await planOf(client, job.id, job.runId);
  return plan?.rollback?.job ?? plan?.retryOf?.job;
}

function hasBackup(jobDir: string): boolean {
  const file = backupPath(jobDir);
  return existsSync(file) && statSync(file).size > 0;
}
