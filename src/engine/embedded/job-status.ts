import type { JobStatus } from '../../plan/activity-types.js';
import { liveness } from './execute.js';
import { isLiveOwner, type JobRecord } from './journal.js';
import { ownerState } from './process-owner.js';

/**
 * The status to show: a job recorded as running whose owner process is gone (killed, machine
 * rebooted) was interrupted and can be resumed.
 */
export function effectiveStatus(job: JobRecord, now = new Date()): JobStatus {
  if (job.status !== 'running' && job.status !== 'pending') return job.status;
  return isLiveOwner(job, { ...liveness(), now }) ? job.status : 'interrupted';
}

/**
 * The pid of the process holding a live job while it is stopped (SIGSTOP, Ctrl-Z): the job still
 * counts as running (continued, it goes on writing) but makes no progress and answers no cancel
 * until then, so `jobs cancel`, `list` and `show` say so instead of waiting or showing an ETA.
 */
export function stoppedOwner(job: JobRecord): number | undefined {
  if (job.ownerPid === null || (job.status !== 'running' && job.status !== 'pending')) return undefined;
  return ownerState(job.ownerPid, job.ownerStart) === 'stopped' ? job.ownerPid : undefined;
}

/** What an operator can do about a stopped holder (said by `jobs cancel`). */
export function stoppedHint(pid: number): string {
  return `continue it (kill -CONT ${pid}) to let it act on the request, or end it (kill ${pid}): the job is then interrupted, resumable`;
}
