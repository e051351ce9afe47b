import type { JobStatus } from '../../plan/activity-types.js';
import { liveness } from './execute.js';
import { isLiveOwner, type JobRecord } from './journal.js';

/**
 * The status to show: a job recorded as running whose owner process is gone (killed, machine
 * rebooted) was interrupted and can be resumed.
 */
export function effectiveStatus(job: JobRecord, now = new Date()): JobStatus {
  if (job.status !== 'running' && job.status !== 'pending') return job.status;
  return isLiveOwner(job, { ...liveness(), now }) ? job.status : 'interrupted';
}
