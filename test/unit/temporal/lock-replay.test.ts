import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_MS, IDLE_MS } from '../../../workflows/target-lock.js';
import type { TargetQueueState } from '../../../workflows/target-queue.js';
import { HistoryBuilder } from './history-builder.js';
import { SDK_FLAGS } from './lock-scenarios.js';
import { bundle, replayRecorded, signalsIn, type Recorded } from './replay-helpers.js';

/**
 * The table's lock workflow replayed against built histories of the signals jobs send it: whom it
 * grants the table to, in which order, whom it tells to wait, what it does when a job is gone, and
 * what it carries over when it continues as new. The recorder checks every signal's target and
 * payload (the SDK's replay checks only that a signal command comes at that point).
 */
const LOCK = 'ferry-target:users/users';
const exclusive = (workflowId: string, extra: object = {}) => [{ workflowId, shared: false, ...extra }];
const granted = (workflowId: string) => ({ workflowId, signalName: 'ferryTargetGranted', args: [] });
const waiting = (workflowId: string, blocker: string) => ({ workflowId, signalName: 'ferryTargetWaiting', args: [{ blocker }] });

function lockHistory(input: object = {}): HistoryBuilder {
  return new HistoryBuilder('ferry', 'targetLockWorkflow', SDK_FLAGS).execution([input]);
}

/** A signal sent by the last task, and its outcome. */
function sent(h: HistoryBuilder, to: string, signal: string, args: unknown[], ok = true): void {
  const id = h.signalExternal(to, signal, args);
  if (ok) h.externalSignaled(id);
  else h.externalSignalFailed(id);
}

/** Nobody left: the lock waits IDLE_MS for another request, then ends. */
/** job-a asks and gets the table; job-b asks and is told it waits for job-a. */
function aHoldsBWaits(): HistoryBuilder {
  const h = lockHistory();
  h.signaled('ferryTargetRequest', exclusive('job-a')).workflowTask();
  sent(h, 'job-a', 'ferryTargetGranted', []);
  h.signaled('ferryTargetRequest', exclusive('job-b')).workflowTask();
  sent(h, 'job-b', 'ferryTargetWaiting', [{ blocker: 'job-a' }]);
  h.workflowTask();
  return h;
}

function idleEnd(h: HistoryBuilder): HistoryBuilder {
  const idle = h.startTimer(IDLE_MS);
  h.advance(IDLE_MS).fireTimer(idle);
  h.workflowTask();
  return h.completed(undefined);
}

describe('targetLockWorkflow (replay)', () => {
  let workflows: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    workflows = await bundle();
  }, 120_000);

  const replayed = async (history: HistoryBuilder, name: string): Promise<Recorded> => {
    const recorded = await replayRecorded(workflows, history, name, LOCK);
    expect(recorded.signals).toEqual(signalsIn(history));
    return recorded;
  };

  it('grants in arrival order, tells the second job whom it waits for, passes the table on at release, and ends when idle', async () => {
    const h = aHoldsBWaits();
    const check = h.startTimer(CHECK_MS);
    h.signaled('ferryTargetRelease', [{ workflowId: 'job-a' }]).workflowTask();
    h.cancelTimer(check);
    sent(h, 'job-b', 'ferryTargetGranted', []);
    h.signaled('ferryTargetRelease', [{ workflowId: 'job-b' }]).workflowTask();
    const { signals, activities } = await replayed(idleEnd(h), 'lock-in-order');
    expect(signals).toEqual([granted('job-a'), waiting('job-b', 'job-a'), granted('job-b')]);
    expect(activities).toEqual([]);
  });

  it('checks its holders every minute: one no longer running is released and the next job gets the table', async () => {
    const h = aHoldsBWaits();
    const check = h.startTimer(CHECK_MS);
    // job-a was terminated: it never releases. The check finds it not running.
    h.advance(CHECK_MS).fireTimer(check);
    h.workflowTask();
    h.activity('runningWorkflows', { workflowIds: ['job-a'] }, { running: [] });
    h.workflowTask();
    sent(h, 'job-b', 'ferryTargetGranted', []);
    h.signaled('ferryTargetRelease', [{ workflowId: 'job-b' }]).workflowTask();
    const { signals, activities } = await replayed(idleEnd(h), 'lock-dead-holder');
    expect(activities).toEqual([{ type: 'runningWorkflows', input: { workflowIds: ['job-a'] } }]);
    expect(signals.at(-1)).toEqual(granted('job-b'));
  });

  it('a grant that cannot be delivered (the job is gone) passes the table on; a resume request keeps its grant until the reset run asks again', async () => {
    const h = lockHistory();
    h.signaled('ferryTargetRequest', exclusive('job-a')).signaled('ferryTargetRequest', exclusive('job-b')).workflowTask();
    sent(h, 'job-a', 'ferryTargetGranted', [], false);
    sent(h, 'job-b', 'ferryTargetWaiting', [{ blocker: 'job-a' }]);
    h.workflowTask();
    sent(h, 'job-b', 'ferryTargetGranted', []);
    // `ferry jobs resume job-c`: its workflow is closed until it is reset, so the notices fail.
    h.signaled('ferryTargetRequest', exclusive('job-c', { resume: true })).workflowTask();
    sent(h, 'job-c', 'ferryTargetWaiting', [{ blocker: 'job-b' }], false);
    h.workflowTask();
    const check = h.startTimer(CHECK_MS);
    h.signaled('ferryTargetRelease', [{ workflowId: 'job-b' }]).workflowTask();
    h.cancelTimer(check);
    sent(h, 'job-c', 'ferryTargetGranted', [], false);
    h.workflowTask();
    const check2 = h.startTimer(CHECK_MS);
    // Reset, job-c asks again: it still holds the table and is granted again.
    h.signaled('ferryTargetRequest', exclusive('job-c')).workflowTask();
    h.cancelTimer(check2);
    sent(h, 'job-c', 'ferryTargetGranted', []);
    h.signaled('ferryTargetRelease', [{ workflowId: 'job-c' }]).workflowTask();
    const { signals } = await replayed(idleEnd(h), 'lock-undeliverable');
    expect(signals).toEqual([granted('job-a'), waiting('job-b', 'job-a'), granted('job-b'), waiting('job-c', 'job-b'), granted('job-c'), granted('job-c')]);
  });

  it('continues as new with its holders and queue when the server suggests it; the next run passes the table on', async () => {
    const first = lockHistory();
    first.signaled('ferryTargetRequest', exclusive('job-a')).workflowTask();
    sent(first, 'job-a', 'ferryTargetGranted', []);
    first.signaled('ferryTargetRequest', exclusive('job-b')).workflowTask();
    sent(first, 'job-b', 'ferryTargetWaiting', [{ blocker: 'job-a' }]);
    first.workflowTask({ suggestContinueAsNew: true });
    first.continuedAsNew([{ state: 'carried' }]);
    const { continued } = await replayed(first, 'lock-continued-1');
    expect(continued).toHaveLength(1);
    const state = (continued[0]![0] as { state: TargetQueueState }).state;
    expect(state).toEqual({
      holders: [{ workflowId: 'job-a', shared: false, since: expect.any(Number) as unknown as number }],
      waiting: [{ workflowId: 'job-b', shared: false }],
      told: { 'job-b': 'job-a' },
    });

    const second = lockHistory({ state });
    second.workflowTask();
    const check = second.startTimer(CHECK_MS);
    second.signaled('ferryTargetRelease', [{ workflowId: 'job-a' }]).workflowTask();
    second.cancelTimer(check);
    sent(second, 'job-b', 'ferryTargetGranted', []);
    second.signaled('ferryTargetRelease', [{ workflowId: 'job-b' }]).workflowTask();
    expect((await replayed(idleEnd(second), 'lock-continued-2')).signals).toEqual([granted('job-b')]);
  });
});
