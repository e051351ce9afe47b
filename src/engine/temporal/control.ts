import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { JobRefused } from '../engine.js';
import { resetPoint, type ResetPoint } from './reset-point.js';
import { refuseOtherQueue } from './visibility.js';
import { retakeTable, type RetakeOptions } from './target-resume.js';

/** What the server refuses for a reason the user can act on. */
export class TemporalRefused extends JobRefused {}

/**
 * Asks the job's workflow to cancel: it stops launching batches, finishes those in flight,
 * finalizes, ends Canceled. A job on another task queue than `taskQueue` is another project's.
 */
export async function cancelJob(client: Client, id: string, taskQueue: string): Promise<void> {
  const handle = client.workflow.getHandle(id);
  const info = await handle.describe();
  refuseOtherQueue({ id, taskQueue: info.taskQueue }, taskQueue);
  if (info.status.name !== 'RUNNING') throw new TemporalRefused(`job ${id} already ended (${info.status.name.toLowerCase()})`);
  await handle.cancel();
}

/**
 * `jobs resume` on Temporal: resets the ended workflow to the task before its failed step
 * (resetWorkflowExecution), so a new run replays the finished activities from history and runs
 * the rest. A job that writes a table first takes it again (waiting while another job writes
 * it), since the new run continues past its table gate. Returns the new run id and where it was reset.
 */
export async function resumeJob(client: Client, id: string, options: RetakeOptions): Promise<{ runId: string; point: ResetPoint }> {
  const handle = client.workflow.getHandle(id);
  const info = await handle.describe();
  const status = info.status.name;
  if (status === 'RUNNING') throw new TemporalRefused(`job ${id} is running; cancel it first or wait`);
  if (status === 'COMPLETED') throw new TemporalRefused(`job ${id} already succeeded; nothing to resume`);
  const history = await client.workflow.getHandle(id, info.runId).fetchHistory();
  const point = resetPoint(history.events ?? []);
  if (!point) throw new TemporalRefused(`job ${id} has no workflow task to reset to; run it again as a new job`);
  const table = await retakeTable(client, id, history.events ?? [], options);
  if (table === 'cancelled') throw new TemporalRefused(`job ${id} not resumed: stopped waiting for its table`);
  const runId = await reset(client, id, info.runId, point).catch(async (err: unknown) => {
    await table?.release();
    throw err;
  });
  // A run reset to before its grant waits for one; should this fail, it asks the lock again itself.
  await table?.grantAgain().catch(() => undefined);
  return { runId, point };
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
