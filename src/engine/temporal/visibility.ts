import { defaultPayloadConverter, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../../workflows/definitions.js';
import { isJobMemo, jobStatusOf, type JobMemo } from './job-memo.js';
import type { JobStatus } from '../../plan/activity-types.js';
import type { JobPlan } from '../../plan/job-plan.js';
import { JobRefused } from '../engine.js';

/**
 * Jobs as Temporal visibility lists them. The pipeline is a custom search attribute when the
 * namespace has `FerryPipeline` (Keyword) registered (`ferry dev-server` registers it); otherwise
 * jobs are found by workflow type and filtered by their memo, which always carries the pipeline.
 */
export const PIPELINE_ATTRIBUTE = defineSearchAttributeKey('FerryPipeline', SearchAttributeType.KEYWORD);

export interface TemporalJob {
  id: string;
  runId: string;
  /** The queue its workers poll: the project's (ferry.yaml temporal.task_queue) that started it. */
  taskQueue: string;
  status: JobStatus;
  memo: JobMemo;
  startedAt: string;
  endedAt: string | null;
}

export async function hasPipelineAttribute(client: Client): Promise<boolean> {
  try {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: client.options.namespace });
    return Object.keys(customAttributes ?? {}).includes(PIPELINE_ATTRIBUTE.name);
  } catch {
    // Temporal Cloud and restricted servers refuse the operator API: fall back to the memo.
    return false;
  }
}

/**
 * Ferry jobs, newest first, one per job id (a reset or continued job has several runs: the latest
 * wins). With `taskQueue`, only the jobs started on it: one project's, when other projects use the
 * same namespace with queues of their own (`TaskQueue` is a built-in search attribute).
 */
export async function listJobs(
  client: Client,
  options: { limit: number; pipeline?: string; running?: boolean; indexed?: boolean; taskQueue?: string },
): Promise<TemporalJob[]> {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, ...queueClause(options.taskQueue)];
  if (options.running) clauses.push(`ExecutionStatus = 'Running'`);
  if (options.pipeline && options.indexed) clauses.push(`${PIPELINE_ATTRIBUTE.name} = '${quote(options.pipeline)}'`);
  const jobs = new Map<string, TemporalJob>();
  for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
    const job = toJob(info);
    if (!job || (options.pipeline && job.memo.pipeline !== options.pipeline)) continue;
    const seen = jobs.get(job.id);
    if (!seen || seen.startedAt < job.startedAt) jobs.set(job.id, job);
    if (jobs.size >= options.limit * 2) break;
  }
  return [...jobs.values()].sort((a, b) => b.memo.startedAt.localeCompare(a.memo.startedAt)).slice(0, options.limit);
}

export function toJob(
  info: Pick<WorkflowExecutionInfo, 'workflowId' | 'runId' | 'taskQueue' | 'status' | 'memo' | 'startTime' | 'closeTime'>,
): TemporalJob | undefined {
  if (!isJobMemo(info.memo)) return undefined;
  return {
    id: info.workflowId,
    runId: info.runId,
    taskQueue: info.taskQueue,
    status: jobStatusOf(info.status.name),
    memo: info.memo,
    startedAt: info.startTime.toISOString(),
    endedAt: info.closeTime && info.status.name !== 'CONTINUED_AS_NEW' ? info.closeTime.toISOString() : null,
  };
}

/**
 * Refuses a job of another project: one started on another task queue of the namespace. `jobs
 * show`, `errors`, `rollback`, `resume` and `cancel` of it would read or act on that project's job
 * with this project's folders and stores.
 */
export function refuseOtherQueue(job: Pick<TemporalJob, 'id' | 'taskQueue'>, taskQueue: string): void {
  if (job.taskQueue === taskQueue) return;
  throw new JobRefused(
    `job ${job.id} is another project's: it runs on task queue ${job.taskQueue}, this project's is ${taskQueue} (ferry.yaml temporal.task_queue); ` +
      'run the command in that project',
    { usage: true },
  );
}

function queueClause(taskQueue: string | undefined): string[] {
  return taskQueue === undefined ? [] : [`TaskQueue = '${quote(taskQueue)}'`];
}

function quote(value: string): string {
  return value.replaceAll("'", "\\'");
}

/**
 * `{last_success}`: the memo's start of the pipeline's newest completed job (a completed workflow is
 * a succeeded job), samples and rollbacks left out, on `taskQueue` (this project's) when given; null
 * when visibility has none — also once the namespace's retention has dropped them.
 */
export async function lastSuccess(client: Client, pipeline: string, indexed: boolean, taskQueue?: string): Promise<string | null> {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `ExecutionStatus = 'Completed'`, ...queueClause(taskQueue)];
  if (indexed) clauses.push(`${PIPELINE_ATTRIBUTE.name} = '${quote(pipeline)}'`);
  let newest: string | null = null;
  for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
    const job = toJob(info);
    if (!job || job.memo.pipeline !== pipeline || job.memo.sample !== undefined || job.memo.kind === 'rollback') continue;
    if (newest === null || job.memo.startedAt > newest) newest = job.memo.startedAt;
  }
  return newest;
}

/** The job's plan: the first argument of its latest run (a continued run gets it again). */
export async function planOf(client: Client, id: string, runId: string): Promise<JobPlan | undefined> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: id, runId },
    maximumPageSize: 1,
  });
  const payload = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload<JobPlan>(payload) : undefined;
}
