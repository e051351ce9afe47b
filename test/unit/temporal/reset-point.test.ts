import { describe, expect, it } from 'vitest';
import { resetPoint } from '../../../src/engine/temporal/reset-point.js';
import { HistoryBuilder } from './history-builder.js';
import { cancelledHistory, failedHistory, importPlan, succeededHistory } from './scenarios.js';

/** `jobs resume` on Temporal resets to the workflow task before the failed step (histories decoded by the SDK). */
describe('resetPoint', () => {
  const events = (h: HistoryBuilder) => h.history().events ?? [];
  const typeOf = (h: HistoryBuilder, id: number) => h.json().events[id - 1]!['eventType'];

  it('resets a failed job to the task that scheduled the failed batch, after planJob', () => {
    const h = failedHistory();
    const point = resetPoint(events(h))!;
    expect(typeOf(h, point.eventId)).toBe('EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
    // Events 1-4 start the workflow, 5-7 are planJob, 8-10 the task that scheduled the batches.
    expect(point.eventId).toBe(10);
    expect(point.reason).toBe('activity runBatch (batch 1) failed');
  });

  it('a failed planJob resets to the first workflow task', () => {
    const plan = importPlan();
    const h = new HistoryBuilder().start([plan]);
    const s = h.scheduleActivity('planJob', { plan });
    h.failActivity(s, h.startActivity(s), 'source missing', { nonRetryable: true });
    h.workflowTask().failed('source missing');
    expect(resetPoint(events(h))).toEqual({ eventId: 4, reason: 'activity planJob failed' });
  });

  it('a cancelled job resets to the last task before the cancel request (which the new run drops)', () => {
    const h = cancelledHistory();
    const point = resetPoint(events(h))!;
    const cancelAt = h.json().events.findIndex((e) => e['eventType'] === 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED') + 1;
    expect(point.eventId).toBeLessThan(cancelAt);
    expect(typeOf(h, point.eventId)).toBe('EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
    expect(point.eventId).toBe(10);
  });

  it('a history that never completed a workflow task has no reset point', () => {
    const h = succeededHistory().history;
    expect(resetPoint(events(h).slice(0, 3))).toBeUndefined();
  });
});
