import { randomUUID } from 'node:crypto';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { JobPlan } from '../../plan/job-plan.js';
import { JobRefused } from '../engine.js';
import { noJobMessage } from '../no-job.js';
import { continueAfterCancel, type ContinuedRun } from './cancelled-resume.js';
import { jobStatusOf } from './job-memo.js';
import { resetPoint, type ResetPoint } from './reset-point.js';
import { refuseOtherQueue } from './visibility.js';
import { retakeTable, type RetakeOptions } from './target-resume.js';

/** What the server refuses for a reason the user can act on. */
export class TemporalRefused extends JobRefused {}

/**
 * The job's workflow as the server describes it, or the one "no job" answer (exit 2): an id the
 * server knows no workflow of came out as the client's "workflow not found for ID: <the id, whole>",
 * exit 1, and an empty id as "Failed to describe workflow".
 */
export async function describeJobWorkflow(client: Client, id: string): Promise<WorkflowExecutionDescription> {
  const refuse = (): never => {
    throw new JobRefused(noJobMessage(id, { hint: true, onTemporal: true }), { usage: true });
  };
  if (id === '') return refuse();
  return client.workflow
    .getHandle(id)
    .describe()
    .catch((err: unknown) => ((err as Error).name === 'WorkflowNotFoundError' ? refuse() : Promise.reject(err)));
}

/**
 * Asks the job's workflow to cancel: it stops launching batches, finishes those in flight,
 * finalizes, ends Canceled. A job on another task queue than `taskQueue` is another project's.
 */
export async function cancelJob(client: Client, id: string, taskQueue: string): Promise<void> {
  const handle = client.workflow.getHandle(id);
  const info = await describeJobWorkflow(client, id);
  refuseOtherQueue({ id, taskQueue: info.taskQueue }, taskQueue);
  // In Ferry's words, as the embedded engine says it: Temporal's COMPLETED is a job that succeeded.
  if (info.status.name !== 'RUNNING') throw new TemporalRefused(`job ${id} already ended (${endedAs(info.status.name)})`);
  await handle.cancel();
}

/** An ended workflow's status as a job's, with Temporal's own word where Ferry's alone would hide how it ended (terminated, timed out). */
function endedAs(status: string): string {
  const job = jobStatusOf(status);
  return job === 'failed' && status !== 'FAILED' ? `failed: ${status.toLowerCase().replace(/_/g, ' ')}` : job;
}

export interface ResumeJobOptions extends RetakeOptions {
  /**
   * Starts the job's workflow again from its plan (a new run of the same id), for a job that never
   * finished planning; resolves with the new run's id.
   */
  restart(plan: JobPlan): Promise<string>;
  /** Starts a new run of the job with these arguments (a cancelled job going on, cancelled-resume.ts); resolves with its id. */
  startRun(args: ContinuedRun['args']): Promise<string>;
}

/**
 * How `resumeJob` went on: a reset to a point of the history, the job started again because its
 * planning never finished, or a cancelled job going on from its next batch.
 */
export type ResumedRun = { runId: string; point: ResetPoint } | { runId: string; replanned: true } | { runId: string; nextBatch: number };

/**
 * `jobs resume` on Temporal: resets the ended workflow to the task before its failed step
 * (resetWorkflowExecution), so a new run replays the finished activities from history and runs
 * the rest. A job that writes a table first takes it again (waiting while another job writes
 * it), since the new run continues past its table gate. Returns the new run id and where it was reset.
 *
 * A job whose planning never finished (its source would not parse, say, and the user fixed it)
 * has done nothing yet: like the embedded engine, which plans such a job again from the file as
 * it is, it starts again from its plan, with the submitter's digests of the files as they are now
 * (a reset run keeps the first run's input, whose source digest the worker would refuse as another
 * project's).
 */
export async function resumeJob(client: Client, id: string, options: ResumeJobOptions): Promise<ResumedRun> {
  const info = await describeJobWorkflow(client, id);
  const status = info.status.name;
  if (status === 'RUNNING') throw new TemporalRefused(`job ${id} is running; cancel it first or wait`);
  if (status === 'COMPLETED') throw new TemporalRefused(`job ${id} already succeeded; nothing to resume`);
  const history = await client.workflow.getHandle(id, info.runId).fetchHistory();
  const events = history.events ?? [];
  const plan = unplannedJob(events);
  if (plan) return { runId: await options.restart(plan), replanned: true };
  const after = status === 'CANCELLED' ? continueAfterCancel(events) : undefined;
  if (after) {
    // The new run holds the table from its start (its third argument), as a continued run does.
    const held = await retakeTable(client, id, events, options);
    if (held === 'cancelled') throw new TemporalRefused(`job ${id} not resumed: stopped waiting for its table`);
    const runId = await options.startRun(after.args).catch(async (err: unknown) => {
      await held?.release();
      throw err;
    });
    return { runId, nextBatch: after.args[1].nextBatch };
  }
  const point = resetPoint(events);
  if (!point) throw new TemporalRefused(`job ${id} has no workflow task to reset to; run it again as a new job`);
  const table = await retakeTable(client, id, events, options);
  if (table === 'cancelled') throw new TemporalRefused(`job ${id} not resumed: stopped waiting for its table`);
  const runId = await reset(client, id, info.runId, point).catch(async (err: unknown) => {
    await table?.release();
    throw err;
  });
  // A run reset to before its grant waits for one; should this fail, it asks the lock again itself.
  await table?.grantAgain().catch(() => undefined);
  return { runId, point };
}

/** EVENT_TYPE_ACTIVITY_TASK_COMPLETED, EVENT_TYPE_ACTIVITY_TASK_SCHEDULED (temporal/api/enums/v1/event_type.proto; wire constants). */
const ACTIVITY_TASK_COMPLETED = 12;
const ACTIVITY_TASK_SCHEDULED = 10;

/**
 * The plan of a run that has not planned its job: no planJob completed, and it is no continued run
 * (those carry the planned batches as their second argument). Undefined for any other run.
 */
export function unplannedJob(events: temporal.api.history.v1.IHistoryEvent[]): JobPlan | undefined {
  const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  if (!input[0] || input.length >= 2) return undefined;
  const planJobs = new Set(
    events
      .filter((e) => e.eventType === ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'planJob')
      .map((e) => String(e.eventId)),
  );
  const planned = events.some((e) => e.eventType === ACTIVITY_TASK_COMPLETED && planJobs.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
  return planned ? undefined : defaultPayloadConverter.fromPayload<JobPlan>(input[0]);
}

async function reset(client: Client, id: string, runId: string, point: ResetPoint): Promise<string> {
  const request: temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest = {
    namespace: client.options.namespace,
    workflowExecution: { workflowId: id, runId },
    reason: `ferry jobs resume: ${point.reason}`,
    // protobufjs encodes a plain number for an int64 field; the type says Long.
    workflowTaskFinishEventId: point.eventId as unknown as temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest['workflowTaskFinishEventId'],
    requestId: randomUUID(),
  };
  const response = (await client.workflowService.resetWorkflowExecution(request)) as temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse;
  return response.runId ?? '';
}
