import type { JobStatus } from '../../plan/activity-types.js';
import type { JobPlan } from '../../plan/job-plan.js';

// The key is shared with the embedded engine; re-exported for the scheduled-run activity and tests.
export { submissionKey } from '../submission.js';

/**
 * What visibility keeps with a job's workflow (memo): enough for `jobs list/show` without the
 * result, and the submission key that makes a second submission of the same work return the first.
 */
export interface JobMemo {
  pipeline: string;
  submissionKey: string;
  kind: JobPlan['kind'];
  pipelineFile: string;
  jobDir: string;
  startedAt: string;
  sample?: number;
  /**
   * The job whose files this one reads (a rollback's backup, a retry's rejects), or null: prune
   * keeps them while this job stays. Absent in the memos of jobs started before it was recorded.
   */
  reads?: string | null;
}

export function jobMemo(plan: JobPlan, submissionKey: string): JobMemo {
  const { pipeline, kind, pipelineFile, jobDir, startedAt, sample } = plan;
  const reads = plan.rollback?.job ?? plan.retryOf?.job ?? null;
  return { pipeline, submissionKey, kind, pipelineFile, jobDir, startedAt, ...(sample !== undefined ? { sample } : {}), reads };
}

/** Temporal's execution status as a Ferry job status. */
export function jobStatusOf(status: string): JobStatus {
  switch (status) {
    case 'RUNNING':
      return 'running';
    case 'COMPLETED':
      return 'succeeded';
    case 'CANCELLED':
      return 'cancelled';
    case 'CONTINUED_AS_NEW':
      return 'running';
    default:
      // FAILED, TERMINATED, TIMED_OUT: the job did not finish; `ferry jobs resume` resets it.
      return 'failed';
  }
}

export function isJobMemo(value: unknown): value is JobMemo {
  const m = value as Partial<JobMemo> | undefined;
  return typeof m?.pipeline === 'string' && typeof m.submissionKey === 'string' && typeof m.jobDir === 'string';
}
