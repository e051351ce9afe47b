import type { JobStatus } from '../../plan/activity-types.js';
import { DEFAULT_HEARTBEAT_MS, isAlive } from './execute.js';
import type { JobRecord } from './journal.js';

/**
 * The status to show: a job recorded as running whose owner process is gone, or whose heartbeat
 * is stale, was interrupted (killed, machine rebooted) and can be resumed.
 */
export function effectiveStatus(job: JobRecord, now = new Date()): JobStatus {
  if (job.status !== 'running' && job.status !== 'pending') return job.status;
  if (job.ownerPid === null || job.heartbeatAt === null) return 'interrupted';
  const stale = now.getTime() - Date.parse(job.heartbeatAt) > DEFAULT_HEARTBEAT_MS * 5;
  return stale || !isAlive(job.ownerPid) ? 'interrupted' : job.status;
}
