import { existsSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupPath } from '../../../activities/job-files.js';
import { pausepoint } from '../../failpoints.js';
import { isOwnJobFolder } from '../job-folder.js';
import type { PruneOptions, PruneReport } from '../engine.js';
import { liveness } from './execute.js';
import { effectiveStatus } from './job-status.js';
import { isLiveOwner, type JobRecord, type Journal } from './journal.js';

/**
 * Retention on the embedded engine. A job goes when it ended (succeeded, failed or cancelled) before
 * the cutoff: its journal record first, then its folder (a crash in between leaves a folder no job
 * names, never a job without its files). Stay: jobs that did not end (running, pending, interrupted:
 * resumable), each pipeline's newest success (the `{last_success}` cursor), a job whose non-empty
 * backup allows a rollback unless `includeBackups`, and any job a staying job reads (a rollback's
 * backup, a retry's rejects). Files outside the state dir's jobs folder are never touched.
 *
 * Choosing and measuring can take long (a big folder) while other processes resume or roll back
 * jobs: each job is deleted only after a last look in the same journal transaction (`stillGoing`),
 * and one that changed since it was chosen stays, reported as skipped.
 */
export async function pruneJournal(journal: Journal, stateDir: string, options: PruneOptions): Promise<PruneReport> {
  const kept: PruneReport['kept'] = [];
  // Not deleted unread: whether it may still run, or what it reads, cannot be told.
  const jobs = journal.allJobs((damaged) => kept.push({ id: damaged.id, reason: `its journal record cannot be read: ${damaged.why}` }));
  const cutoff = options.endedBefore.toISOString();
  const cursors = new Set(jobs.map((j) => journal.lastSuccessJob(j.pipeline)).filter((id) => id !== null));
  const going = new Map<string, JobRecord>();
  for (const job of jobs) {
    if (!ended(job, cutoff)) continue;
    if (cursors.has(job.id)) kept.push({ id: job.id, reason: `the last success of ${job.pipeline} ({last_success} of its next run)` });
    else if (!options.includeBackups && hasBackup(job))
      kept.push({ id: job.id, reason: `its backup allows a rollback (ferry jobs rollback ${job.id}); --include-backups prunes it` });
    else going.set(job.id, job);
  }
  keepWhatStayingJobsRead(jobs, going, kept);
  const jobsDir = resolve(stateDir, 'jobs');
  const pruned = [...going.values()]
    .sort((a, b) => (a.endedAt ?? a.createdAt).localeCompare(b.endedAt ?? b.createdAt))
    .map((job) => ({
      id: job.id,
      status: job.status,
      endedAt: job.endedAt ?? job.createdAt,
      bytes: isOwnJobFolder(stateDir, job.id, job.plan.jobDir) ? sizeOf(job.plan.jobDir) : 0,
    }));
  if (options.dryRun) return { pruned, kept };
  // Between the choice and the deletions: where a test resumes a chosen job (FERRY_FAILPOINTS).
  await pausepoint('prune-before-delete');
  const deleted = new Set<string>();
  // Newest first: a job that reads another's files (a rollback, a retry) is newer than it, so it goes first.
  for (const job of [...going.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt))) {
    const changed = journal.deleteJobIf(job.id, (now) => stillGoing(journal, job, now, cutoff));
    if (changed !== undefined) {
      kept.push({ id: job.id, reason: `skipped, changed while the prune ran: ${changed}` });
      continue;
    }
    deleted.add(job.id);
    if (isOwnJobFolder(stateDir, job.id, job.plan.jobDir)) rmSync(resolve(jobsDir, job.id), { recursive: true, force: true });
  }
  return { pruned: pruned.filter((j) => deleted.has(j.id)), kept };
}

/**
 * The last look before a chosen job goes, inside the journal transaction that deletes it: what
 * changed (it was resumed, claimed, is held by a live process, became the pipeline's last success,
 * or a job now reads its files), or undefined when it may go.
 */
function stillGoing(journal: Journal, chosen: JobRecord, now: JobRecord, cutoff: string): string | undefined {
  if (now.status !== chosen.status || !ended(now, cutoff)) return `it is now ${now.status}`;
  if (now.run !== chosen.run || now.lease !== chosen.lease) return `it was resumed (run ${now.run})`;
  if (isLiveOwner(now, liveness())) return `process ${now.ownerPid} holds it`;
  if (journal.lastSuccessJob(now.pipeline) === now.id) return `it became the last success of ${now.pipeline}`;
  const reader = journal.readersOf(now.id)[0];
  if (reader !== undefined) return `job ${reader} reads its files`;
  return undefined;
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

function ended(job: JobRecord, cutoff: string): boolean {
  return ENDED.has(job.status) && (job.endedAt ?? job.createdAt) < cutoff;
}

/** A staying rollback needs the backup of the job it undoes, a staying retry the rejects of its job; repeated, as chains can form. */
function keepWhatStayingJobsRead(jobs: JobRecord[], going: Map<string, JobRecord>, kept: PruneReport['kept']): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const job of jobs) {
      if (going.has(job.id)) continue;
      const reads = job.plan.rollback?.job ?? job.plan.retryOf?.job;
      if (reads === undefined || !going.has(reads)) continue;
      going.delete(reads);
      // A rollback not ended is what --include-backups must not cut short: said as such.
      const unfinished = job.plan.rollback !== undefined && !ENDED.has(job.status);
      const reason = unfinished
        ? `its rollback ${job.id} has not finished (${effectiveStatus(job)}): it reads the backup`
        : `job ${job.id}, which stays, reads its files`;
      kept.push({ id: reads, reason });
      changed = true;
    }
  }
}

function hasBackup(job: JobRecord): boolean {
  const file = backupPath(job.plan.jobDir);
  return existsSync(file) && statSync(file).size > 0;
}

/**
 * The bytes a job folder holds. Links are not followed (the deletion does not follow them either):
 * a link to a folder outside was counted with all it holds, and two links to `..` walked the jobs
 * folder over and over, 2^40 times (prune, and retention in `ferry serve`/`ui`, hung).
 */
function sizeOf(path: string): number {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}
