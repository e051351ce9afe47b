import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { PlanScheduledRunInput, ScheduleActivities } from '../activities/schedule.js';
import type { JobOutcome } from '../src/plan/orchestrate.js';
import { pipelineWorkflow } from './pipeline.js';

/**
 * One scheduled run: plan a new job on a worker (fresh id, time and folder), then run it as a
 * child workflow whose id is the job id, so `ferry jobs` lists it like any other job. Abandoned on
 * close: the job outlives a schedule that is deleted while it runs.
 */
export async function scheduledPipelineWorkflow(input: PlanScheduledRunInput): Promise<JobOutcome> {
  const { planScheduledRun } = proxyActivities<ScheduleActivities>({ startToCloseTimeout: '10 minutes', retry: { maximumAttempts: 3 } });
  const { plan, memo } = await planScheduledRun(input);
  return executeChild(pipelineWorkflow, { workflowId: plan.jobId, args: [plan], memo: { ...memo }, parentClosePolicy: 'ABANDON' });
}
