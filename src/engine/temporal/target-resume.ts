import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { JobPlan } from '../../plan/job-plan.js';
import { releaseTargetSignal, targetLockId, targetLockQuery } from '../../../workflows/target-definitions.js';
import { waitingMessage } from '../../plan/write-target.js';
import type { TargetQueueState } from '../../../workflows/target-queue.js';
import { writeTargetOf, type ConnectionTables } from '../../plan/write-target.js';
import { withOwnSignal } from './calls.js';
import { requestLock } from './target-lock.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** EVENT_TYPE_ACTIVITY_TASK_SCHEDULED (temporal/api/enums/v1/event_type.proto; a wire constant). */
const ACTIVITY_TASK_SCHEDULED = 10;

export interface RetakeOptions {
  taskQueue: string;
  connections: ConnectionTables;
  log?: (line: string) => void;
  /** Ctrl-C: stop waiting (the request is withdrawn, nothing is reset). */
  cancelled?: () => boolean;
  pollMs?: number;
  /** The engine's call signal: each lock query runs under one of its own (calls.ts `withOwnSignal`). */
  signal?: AbortSignal;
}

/** What `retakeTable` got: the table is held in the job's name (send `grantAgain` once reset), or the wait was cancelled. */
export type Retaken = { grantAgain(): Promise<void>; release(): Promise<void> } | 'cancelled';

/**
 * `ferry jobs resume` resets a job's workflow into a run that already passed its table gate (the
 * grant is in the history it keeps), while the job released the table when it ended. So before
 * the reset, the table is taken again in the job's name — waiting, like `ferry run`, while another
 * job writes it — and after the reset the lock grants it again to the new run (which, reset to
 * before its grant, is still waiting for one). Undefined for jobs that never asked for a table
 * (exports, histories from before the lock).
 */
export async function retakeTable(client: Client, id: string, events: HistoryEvent[], options: RetakeOptions): Promise<Retaken | undefined> {
  const plan = lockingPlanOf(events);
  const target = plan && writeTargetOf(plan, options.connections);
  if (!target) return undefined;
  const lockId = targetLockId(target.key, options.taskQueue);
  const request = { workflowId: id, shared: target.shared, resume: true };
  const release = async (): Promise<void> =>
    void (await client.workflow
      .getHandle(lockId)
      .signal(releaseTargetSignal, { workflowId: id })
      .catch(() => undefined));
  await requestLock(client, options.taskQueue, lockId, request);
  let said: string | undefined;
  for (;;) {
    const state = await withOwnSignal(client, options.signal, () => lockState(client, lockId));
    if (state?.holders.some((h) => h.workflowId === id)) break;
    const blocker = state?.holders[0]?.workflowId;
    if (blocker && blocker !== said) options.log?.(waitingMessage((said = blocker), target));
    if (options.cancelled?.()) {
      await release();
      return 'cancelled';
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
  return { grantAgain: () => requestLock(client, options.taskQueue, lockId, request), release };
}

/**
 * The plan of a job whose workflow uses the table lock: it scheduled `requestTarget`, or it is a
 * continued run that was handed the table (a third argument). Undefined otherwise.
 */
export function lockingPlanOf(events: HistoryEvent[]): JobPlan | undefined {
  const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  const asked = events.some((e) => e.eventType === ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'requestTarget');
  if (!input[0] || (!asked && input.length < 3)) return undefined;
  return defaultPayloadConverter.fromPayload<JobPlan>(input[0]);
}

/** The lock's holders and queue; null when no worker answers in time (asked again on the next poll). */
async function lockState(client: Client, lockId: string): Promise<TargetQueueState | null> {
  try {
    return await client.withDeadline(Date.now() + 5000, () => client.workflow.getHandle(lockId).query(targetLockQuery));
  } catch {
    return null;
  }
}
