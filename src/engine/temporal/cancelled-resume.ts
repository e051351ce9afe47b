import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { addCounts, type PlanJobOutput, type RunBatchOutput } from '../../plan/activity-types.js';
import type { JobPlan } from '../../plan/job-plan.js';
import { emptySummary, type ContinueState } from '../../plan/orchestrate.js';
import type { HeldTarget } from '../../../workflows/target-definitions.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;

/** The event types read here (temporal/api/enums/v1/event_type.proto; wire constants). */
const SCHEDULED = 10;
const COMPLETED = 12;
const FAILED = 13;
const TIMED_OUT = 14;

/** A new run of a cancelled job: its plan, where it goes on, and the table it holds (the workflow's three arguments). */
export interface ContinuedRun {
  args: [JobPlan, ContinueState] | [JobPlan, ContinueState, HeldTarget];
}

/**
 * Where a cancelled job goes on: after every batch its run finished. A cancel stops launching
 * batches and lets those in flight finish; a reset has to go back before the cancel request (or
 * the new run would see it and stop again), and so dropped the results of the batches that
 * finished after it: they ran again, and a resumed run that failed before they were done again
 * counted fewer rows than the job had written. A cancelled run whose finished batches follow on
 * from its first without a gap (none failed) continues instead, as a continued-as-new run does:
 * the batches done and their counts, read from its history, and the table it held. Undefined for
 * any other run (one whose batch failed is reset to that batch, as before).
 */
export function continueAfterCancel(events: readonly HistoryEvent[]): ContinuedRun | undefined {
  const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  if (!input[0]) return undefined;
  const plan = decode<JobPlan>(input[0]);
  const carried = input[1] ? decode<ContinueState>(input[1]) : undefined;
  let held = input[2] ? decode<HeldTarget>(input[2]) : undefined;
  let planned: PlanJobOutput | undefined = carried?.planned;
  const types = new Map<string, string>();
  const batches: RunBatchOutput[] = [];
  for (const e of events) {
    if (e.eventType === SCHEDULED) types.set(String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
    const failed = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if ((e.eventType === FAILED || e.eventType === TIMED_OUT) && types.get(String(failed?.scheduledEventId)) === 'runBatch') return undefined;
    if (e.eventType !== COMPLETED) continue;
    const { scheduledEventId, result } = e.activityTaskCompletedEventAttributes ?? {};
    const payload = result?.payloads?.[0];
    if (!payload) continue;
    const type = types.get(String(scheduledEventId));
    if (type === 'planJob') planned = decode<PlanJobOutput>(payload);
    else if (type === 'requestTarget') held = decode<HeldTarget>(payload);
    else if (type === 'runBatch') batches.push(decode<RunBatchOutput>(payload));
  }
  if (!planned) return undefined;
  const first = carried?.nextBatch ?? 0;
  batches.sort((a, b) => a.batch - b.batch);
  if (batches.some((b, i) => b.batch !== first + i)) return undefined;
  const summary = carried
    ? { ...carried.summary, batches: { ...carried.summary.batches } }
    : { ...emptySummary(), total: planned.total, batches: { done: 0, total: planned.batches } };
  for (const b of batches) {
    addCounts(summary, b);
    summary.batches.done += 1;
  }
  const state: ContinueState = { planned, nextBatch: first + batches.length, summary };
  return { args: held ? [plan, state, held] : [plan, state] };
}

function decode<T>(payload: Payload): T {
  return defaultPayloadConverter.fromPayload<T>(payload);
}
