import type { Client } from '@temporalio/client';
import type { JobPlan } from '../../plan/job-plan.js';
import type { ContinuedRun } from './cancelled-resume.js';
import type { pipelineWorkflow } from '../../../workflows/pipeline.js';
import { WORKFLOW_TYPE } from '../../../workflows/definitions.js';
import { jobMemo } from './job-memo.js';
import { portablePlan } from './portable-plan.js';
import { submissionOf, type ProjectIdentity } from './project-identity.js';
import { withHeartbeatTimeout, type TemporalSettings } from './settings.js';
import { hasPipelineAttribute, listJobs, PIPELINE_ATTRIBUTE } from './visibility.js';

export interface Submitted {
  jobId: string;
  /** True when a running job of the same submission was returned instead of starting one. */
  existing: boolean;
}

/**
 * Starts a job's workflow (workflow id = job id). A running job of the same pipeline with the
 * same submission key (pipeline text + source bytes) is returned instead: job ids are unique per
 * submission, so the id-conflict policy alone (USE_EXISTING, kept for safety) cannot catch a
 * resubmission. Visibility is eventually consistent, so two submissions within about a second
 * of each other can still both start. `forceNew` (`run --force-new`) skips the lookup. With
 * `rootDir` (the project folder) the workflow gets the plan's paths relative to it (portable-plan.ts).
 * The plan carries the submitting `project`, which a worker of another project refuses
 * (activities/project-check.ts).
 */
export async function submitJob(
  client: Client,
  settings: TemporalSettings,
  plan: JobPlan,
  options: { forceNew?: boolean; rootDir?: string; project: ProjectIdentity },
): Promise<Submitted> {
  const { key, project } = await submissionOf(plan, options.project);
  const indexed = await hasPipelineAttribute(client);
  if (!options.forceNew) {
    // Only this project's: another project's job of the same work is not this submission.
    const running = await listJobs(client, { limit: 100, pipeline: plan.pipeline, running: true, indexed, taskQueue: settings.taskQueue });
    const same = running.find((job) => job.memo.submissionKey === key);
    if (same) return { jobId: same.id, existing: true };
  }
  const started = { ...plan, project };
  await client.workflow.start<typeof pipelineWorkflow>(WORKFLOW_TYPE, {
    taskQueue: settings.taskQueue,
    workflowId: plan.jobId,
    args: [withHeartbeatTimeout(options.rootDir ? portablePlan(started, options.rootDir) : started, settings)],
    workflowIdConflictPolicy: 'USE_EXISTING',
    memo: { ...jobMemo(plan, key) },
    ...(indexed ? { typedSearchAttributes: [{ key: PIPELINE_ATTRIBUTE, value: plan.pipeline }] } : {}),
  });
  return { jobId: plan.jobId, existing: false };
}

/**
 * A new run of an ended job (same workflow id: a closed one may be started again), with the
 * arguments of a continued run and the memo and pipeline attribute of the run before it.
 * Resolves with the new run's id.
 */
export async function startRunAgain(client: Client, settings: TemporalSettings, id: string, args: ContinuedRun['args']): Promise<string> {
  const { memo } = await client.workflow.getHandle(id).describe();
  const indexed = await hasPipelineAttribute(client);
  const handle = await client.workflow.start<typeof pipelineWorkflow>(WORKFLOW_TYPE, {
    taskQueue: settings.taskQueue,
    workflowId: id,
    args,
    workflowIdConflictPolicy: 'FAIL',
    ...(memo ? { memo } : {}),
    ...(indexed ? { typedSearchAttributes: [{ key: PIPELINE_ATTRIBUTE, value: args[0].pipeline }] } : {}),
  });
  return handle.firstExecutionRunId;
}
