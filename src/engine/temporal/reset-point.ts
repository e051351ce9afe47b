import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * The event types this module reads (temporal/api/enums/v1/event_type.proto; wire constants, so
 * stable). Spelled out because @temporalio/proto is not a direct dependency; the reset tests run on
 * histories decoded by the SDK, which checks them.
 */
const EventType = {
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 3,
  EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: 4,
  EVENT_TYPE_WORKFLOW_TASK_COMPLETED: 7,
  EVENT_TYPE_ACTIVITY_TASK_FAILED: 13,
  EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: 14,
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED: 20,
  EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: 21,
  EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: 27,
} as const;

export interface ResetPoint {
  /** The WorkflowTaskCompleted event to reset to: its commands are dropped and the task runs again. */
  eventId: number;
  /** What the reset redoes, for the user. */
  reason: string;
}

/**
 * Where `ferry jobs resume` resets a failed (or cancelled, terminated, timed out) workflow: the
 * workflow task that scheduled the first activity that failed or timed out. Everything finished
 * before it comes from history; its batch runs again (batches that finished after it, scheduled in
 * the same task, are replayed against their markers and write nothing twice). Without a failed
 * activity (a reject budget, a cancel request, a termination), the last workflow task before the
 * event that ended the job. Undefined when the history has no completed workflow task.
 */
export function resetPoint(events: HistoryEvent[]): ResetPoint | undefined {
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED || e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  if (failed) {
    const scheduledId = Number(failed.activityTaskFailedEventAttributes?.scheduledEventId ?? failed.activityTaskTimedOutEventAttributes?.scheduledEventId);
    const scheduled = byId.get(scheduledId)?.activityTaskScheduledEventAttributes;
    if (scheduled?.workflowTaskCompletedEventId) {
      return {
        eventId: Number(scheduled.workflowTaskCompletedEventId),
        reason: `activity ${scheduled.activityType?.name ?? '?'}${describeInput(scheduled)} failed`,
      };
    }
  }
  const end = events.findIndex((e) => ending.has(e.eventType ?? 0));
  const before = end === -1 ? events : events.slice(0, end);
  const last = before.findLast((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  return last ? { eventId: Number(last.eventId), reason: 'the job stopped without a failed step' } : undefined;
}

const ending = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
]);

/** "batch 7" for runBatch; the payload is json/plain with references only (no records). */
function describeInput(attrs: temporal.api.history.v1.IActivityTaskScheduledEventAttributes): string {
  try {
    const data = attrs.input?.payloads?.[0]?.data;
    const input = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { batch?: number }) : {};
    return typeof input.batch === 'number' ? ` (batch ${input.batch})` : '';
  } catch {
    return '';
  }
}
