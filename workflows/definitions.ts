import { defineQuery } from '@temporalio/workflow';
import type { FinalizeJobOutput, JobStatus, JobSummary } from '../src/plan/activity-types.js';

/** The workflow type name the client starts and lists by (visibility: WorkflowType='pipelineWorkflow'). */
export const WORKFLOW_TYPE = 'pipelineWorkflow';

/** The workflow type a Temporal Schedule starts for a pipeline's `schedule:` (workflows/scheduled.ts). */
export const SCHEDULED_WORKFLOW_TYPE = 'scheduledPipelineWorkflow';

/** What the `progress` query returns: enough for the CLI progress bar and `jobs show`. */
export interface JobView {
  status: JobStatus;
  summary: JobSummary;
  error: string | null;
  /** Set when the job ended: a cancelled workflow has no result, so its artifacts are read here. */
  artifacts: FinalizeJobOutput | null;
  /**
   * While `pending`: which job this one waits for and why (another job is writing its table).
   * Optional: workflows that predate the table lock do not set it.
   */
  waiting?: string | null;
}

export const progressQuery = defineQuery<JobView>('progress');

/** The failure type a failed job ends with; its details carry the JobOutcome. */
export const JOB_FAILED = 'JobFailed';

/**
 * A run launches at most this many batches before it continues as new (sooner when the server
 * suggests it): about 6 history events per batch keeps every run far below the history limits.
 */
export const MAX_BATCHES_PER_RUN = 500;

/**
 * Whether a run should continue as new before launching its next batch: only after launching some
 * (a run always makes progress), then at the cap or when the server suggests it.
 */
export function shouldContinueAsNew(started: number, suggested: boolean): boolean {
  return started > 0 && (started >= MAX_BATCHES_PER_RUN || suggested);
}
