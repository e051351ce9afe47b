import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryBuilder } from './history-builder.js';
import {
  cancelledRunningHistory,
  cancelledWaitingHistory,
  continuedLockedHistories,
  failedLockedHistory,
  grantedHistory,
  held,
  lockPlan,
  release,
  waitedHistory,
} from './lock-scenarios.js';
import { bundle, replayRecorded, scheduledIn, signalsIn, type Recorded } from './replay-helpers.js';

/**
 * The pipeline workflow's side of the table lock, replayed against built histories: a job that
 * writes a table asks for it before its first step, waits for the grant (asking again every 10
 * minutes), and releases it however it ends — succeeded, failed, cancelled while running or while
 * waiting — and keeps it across continue-as-new. The recorder checks the activity types and inputs
 * and the signals' targets and payloads, which the SDK's replay does not.
 */
describe('pipelineWorkflow and the table lock (replay)', () => {
  let workflows: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflows = await bundle();
  }, 120_000);

  const replayed = async (history: HistoryBuilder, name: string): Promise<Recorded> => {
    const recorded = await replayRecorded(workflows, history, name);
    expect(recorded.activities).toEqual(scheduledIn(history));
    expect(recorded.signals).toEqual(signalsIn(history));
    return recorded;
  };
  const releaseSignal = { workflowId: held.lockId, signalName: 'ferryTargetRelease', args: [release] };

  it('asks for the table before planning, runs once granted, and releases it at the end', async () => {
    const { activities, signals } = await replayed(grantedHistory(), 'granted');
    expect(activities.map((a) => a.type)).toEqual(['requestTarget', 'planJob', 'runBatch', 'runBatch', 'finalizeJob']);
    expect(activities[0]!.input).toEqual({ plan: lockPlan() });
    expect(signals).toEqual([releaseSignal]);
  });

  it('waits while another job writes the table, asks again after 10 minutes, and starts only when granted', async () => {
    const { activities, signals } = await replayed(waitedHistory(), 'waited');
    expect(activities.map((a) => a.type)).toEqual(['requestTarget', 'requestTarget', 'planJob', 'runBatch', 'runBatch', 'finalizeJob']);
    expect(signals).toEqual([releaseSignal]);
  });

  it('cancelled while waiting: withdraws its request and ends Canceled without running anything', async () => {
    const { activities, signals } = await replayed(cancelledWaitingHistory(), 'cancelled-waiting');
    expect(activities.map((a) => a.type)).toEqual(['requestTarget']);
    expect(signals).toEqual([releaseSignal]);
  });

  it('releases the table when the job fails, and when it is cancelled while running', async () => {
    expect((await replayed(failedLockedHistory(), 'failed-locked')).signals).toEqual([releaseSignal]);
    const cancelled = await replayed(cancelledRunningHistory(), 'cancelled-running');
    expect(cancelled.activities.map((a) => a.type)).toEqual(['requestTarget', 'planJob', 'runBatch', 'finalizeJob']);
    expect(cancelled.signals).toEqual([releaseSignal]);
  });

  it('keeps the table across continue-as-new: the next run gets it as an argument, does not ask again, and releases it', async () => {
    const { first, second, state } = continuedLockedHistories();
    const one = await replayed(first, 'continued-locked-1');
    expect(one.continued).toEqual([[lockPlan(), state, held]]);
    expect(one.signals).toEqual([]);
    const two = await replayed(second, 'continued-locked-2');
    expect(two.activities.map((a) => a.type)).toEqual(['runBatch', 'finalizeJob']);
    expect(two.signals).toEqual([releaseSignal]);
  });

  it('a job that does not release the table at its end fails to replay (the release is a command of its own)', async () => {
    const history = grantedHistory();
    const events = history.json().events;
    const at = events.findIndex((e) => e['eventType'] === 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
    // Drop the release (initiated + signaled) and the task after it: the history now ends right after finalize.
    events.splice(at, 5);
    events.forEach((e, i) => (e['eventId'] = String(i + 1)));
    const completed = events.at(-1)!;
    (completed['workflowExecutionCompletedEventAttributes'] as Record<string, unknown>)['workflowTaskCompletedEventId'] = String(events.length - 1);
    await expect(replayRecorded(workflows, history, 'no-release')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
