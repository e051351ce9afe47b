import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { clip } from '../../validation/clip.js';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/** What each step is called for the user; runBatch is named by its batch. */
const STEPS = new Map([
  ['planJob', 'planning'],
  ['finalizeJob', 'finalizing'],
  ['notify', 'a notification'],
  ['requestTarget', 'asking for its table'],
]);

/**
 * The steps of a running job that failed an attempt and are being retried, from the workflow's
 * pending activities (DescribeWorkflowExecution): `batch 8: attempt 1 of 3 failed (database is
 * locked …); retrying`, so an operator sees a batch retried instead of a job that seems stuck.
 * Null when none is. The failure messages were masked by the worker (activities/temporal.ts).
 */
export function retryingOf(pending: readonly PendingActivity[] | null | undefined): string | null {
  const lines = (pending ?? []).filter((a) => (a.attempt ?? 1) > 1).map(retryLine);
  return lines.length > 0 ? lines.join('; ') : null;
}

function retryLine(a: PendingActivity): string {
  const attempt = a.attempt ?? 2;
  const of = a.maximumAttempts ? ` of ${a.maximumAttempts}` : '';
  const why = a.lastFailure?.message ? ` (${oneLine(a.lastFailure.message)})` : '';
  return `${stepOf(a)}: attempt ${attempt - 1}${of} failed${why}; retrying`;
}

function stepOf(a: PendingActivity): string {
  const type = a.activityType?.name ?? 'a step';
  if (type !== 'runBatch') return STEPS.get(type) ?? type;
  const batch = cursorBatch(a) ?? Number(/\bbatch (\d+)\b/.exec(a.lastFailure?.message ?? '')?.[1] ?? NaN);
  return Number.isInteger(batch) ? `batch ${batch}` : 'a batch';
}

/** The batch of runBatch's last heartbeat (its cursor, activities/run-batch.ts), when it sent one. */
function cursorBatch(a: PendingActivity): number | undefined {
  const payload = a.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  try {
    const cursor = defaultPayloadConverter.fromPayload<{ batch?: unknown }>(payload);
    return typeof cursor?.batch === 'number' ? cursor.batch : undefined;
  } catch {
    return undefined;
  }
}

/** A driver's message may run over lines; the progress line and `jobs show` keep it on one, shortened. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return clip(flat, 199);
}
