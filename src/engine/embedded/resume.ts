import { JobRefused } from '../engine.js';
import { liveness } from './execute.js';
import { effectiveStatus } from './job-status.js';
import { ownerState } from './process-owner.js';
import type { JobRecord, Journal } from './journal.js';
import { noJobMessage } from '../no-job.js';

/** A job that cannot continue from its journal, said for the user. */
export class ResumeRefused extends JobRefused {}

/**
 * Checks that a job can continue from its journal and opens its next run: it must be failed,
 * cancelled or interrupted. What both engines refuse (a changed pipeline or source, moved
 * connections, a rollback) is checked before, by `refuseResume` (engine/resume-checks.ts).
 */
export function prepareResume(journal: Journal, id: string): JobRecord {
  const job = journal.getJob(id);
  if (!job) throw new ResumeRefused(noJobMessage(id, { hint: true }), { usage: true });
  const status = effectiveStatus(job);
  if (status === 'succeeded') throw new ResumeRefused(`job ${id} already succeeded; nothing to resume`);
  if (status === 'running' || status === 'pending') throw new ResumeRefused(heldBy(job));
  journal.checkSteps(id);
  journal.update(id, { run: job.run + 1 });
  return journal.getJob(id)!;
}

/** Why a live job cannot be resumed: who holds it, for as long as that process exists. */
function heldBy(job: JobRecord): string {
  const pid = job.ownerPid ?? '?';
  const state = job.ownerPid === null ? 'unknown' : ownerState(job.ownerPid, job.ownerStart);
  if (state === 'stopped') {
    return `job ${job.id} is held by process ${pid}, which is stopped (SIGSTOP or Ctrl-Z): continue it (kill -CONT ${pid}) to let it finish, or end it (kill ${pid}), then resume`;
  }
  if (state === 'unknown' && job.heartbeatAt) {
    const left = Math.max(0, Math.ceil((Date.parse(job.heartbeatAt) + liveness().staleMs - Date.now()) / 1000));
    return `job ${job.id} is running (process ${pid}); its lease expires in ${left}s unless renewed — cancel it first (ferry jobs cancel ${job.id}) or wait`;
  }
  return `job ${job.id} is running in process ${pid}, which holds it until it ends — cancel it first (ferry jobs cancel ${job.id}) or wait`;
}
