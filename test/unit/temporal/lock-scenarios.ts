import type { JobPlan } from '../../../src/plan/job-plan.js';
import type { ContinueState, JobOutcome } from '../../../src/plan/orchestrate.js';
import { TARGET_LOCK_PATCH } from '../../../workflows/pipeline.js';
import type { HeldTarget } from '../../../workflows/target-definitions.js';
import { REQUEST_AGAIN_MS } from '../../../workflows/target-gate.js';
import { HistoryBuilder } from './history-builder.js';
import { batchOut, importPlan } from './scenarios.js';

/**
 * Histories of jobs that write a table on Temporal with the table lock: the marker of the
 * `ferry-target-lock` patch, `requestTarget`, the lock's signals (granted, waiting), then the job,
 * and the release signal to the lock however the job ends.
 */

/** The SDK flags a worker of this SDK version records (see HistoryBuilder). */
export const SDK_FLAGS = [1, 2];
const builder = (args: unknown[], attrs: Record<string, unknown> = {}): HistoryBuilder =>
  new HistoryBuilder('ferry', 'pipelineWorkflow', SDK_FLAGS).start(args, attrs);

export const held: HeldTarget = { lockId: 'ferry-target:users/users', connection: 'users', table: 'users' };
export const release = { workflowId: 'job-1' };
const artifacts = { rejectsFile: '/jobs/job-1/rejects.ndjson', rejects: 0, output: null };
const summaryOf = (done: number, total: number) => ({
  total: total * 1000,
  inserted: done * 1000,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  exported: 0,
  batches: { done, total },
});

/** The first task's commands: the patch marker and the request; returns the request's scheduled and started event ids. */
function requested(h: HistoryBuilder, plan: JobPlan): { scheduled: number; started: number } {
  h.patchMarker(TARGET_LOCK_PATCH);
  const scheduled = h.scheduleActivity('requestTarget', { plan });
  return { scheduled, started: h.startActivity(scheduled) };
}

/** plan → 2 batches (one at a time) → finalize, as `status`; batch 1 fails when the job fails. */
function job(h: HistoryBuilder, plan: JobPlan, status: 'succeeded' | 'failed'): void {
  h.activity('planJob', { plan }, { checksum: 'c', total: 2000, batches: 2 });
  h.workflowTask();
  h.activity('runBatch', { jobDir: plan.jobDir, batch: 0 }, batchOut(0));
  h.workflowTask();
  const b1 = h.scheduleActivity('runBatch', { jobDir: plan.jobDir, batch: 1 });
  if (status === 'failed') h.failActivity(b1, h.startActivity(b1), 'database is locked');
  else h.completeActivity(b1, h.startActivity(b1), batchOut(1));
  h.workflowTask();
  h.activity('finalizeJob', { jobDir: plan.jobDir, batches: 2, status }, artifacts);
  h.workflowTask();
}

/** The release signal, sent by the last task, delivered; then the task that ends the workflow. */
function released(h: HistoryBuilder): void {
  h.externalSignaled(h.signalExternal(held.lockId, 'ferryTargetRelease', [release]));
  h.workflowTask();
}

/** A job's start when its table is free: the grant arrives with the request's result. */
function grantedAtOnce(plan: JobPlan): HistoryBuilder {
  const h = builder([plan]);
  const r = requested(h, plan);
  h.signaled('ferryTargetGranted', []);
  h.completeActivity(r.scheduled, r.started, held);
  h.workflowTask();
  // The wait's timeout timer was created and cancelled in that same task: it used an id, no event.
  h.unsentTimer();
  return h;
}

export function lockPlan(): JobPlan {
  return importPlan({ parallelism: 1 });
}

/** The table is free: the grant arrives with the request's result; the job runs and releases the table. */
export function grantedHistory(): HistoryBuilder {
  const plan = lockPlan();
  const h = grantedAtOnce(plan);
  job(h, plan, 'succeeded');
  released(h);
  const outcome: JobOutcome = { status: 'succeeded', summary: summaryOf(2, 2), error: null, artifacts, notifications: [] };
  return h.completed(outcome);
}

/**
 * Another job writes the table: the lock says whom this one waits for; after REQUEST_AGAIN_MS
 * the job asks again (same request); then the grant comes and the job runs.
 */
export function waitedHistory(): HistoryBuilder {
  const plan = lockPlan();
  const h = builder([plan]);
  const r = requested(h, plan);
  h.completeActivity(r.scheduled, r.started, held);
  h.workflowTask();
  const first = h.startTimer(REQUEST_AGAIN_MS);
  h.signaled('ferryTargetWaiting', [{ blocker: 'job-0' }]);
  h.workflowTask();
  h.advance(REQUEST_AGAIN_MS).fireTimer(first);
  h.workflowTask();
  h.activity('requestTarget', { plan }, held);
  h.workflowTask();
  const second = h.startTimer(REQUEST_AGAIN_MS);
  h.signaled('ferryTargetGranted', []);
  h.workflowTask();
  h.cancelTimer(second);
  job(h, plan, 'succeeded');
  released(h);
  return h.completed({ status: 'succeeded', summary: summaryOf(2, 2), error: null, artifacts, notifications: [] });
}

/** Cancelled while waiting: the request is withdrawn (a release), nothing else runs, the workflow ends Canceled. */
export function cancelledWaitingHistory(): HistoryBuilder {
  const plan = lockPlan();
  const h = builder([plan]);
  const r = requested(h, plan);
  h.completeActivity(r.scheduled, r.started, held);
  h.workflowTask();
  const timer = h.startTimer(REQUEST_AGAIN_MS);
  h.signaled('ferryTargetWaiting', [{ blocker: 'job-0' }]);
  h.workflowTask();
  h.cancelRequested();
  h.workflowTask();
  h.cancelTimer(timer);
  released(h);
  return h.canceled();
}

/** A batch fails after its retries: finalize as failed, release, the workflow fails. */
export function failedLockedHistory(): HistoryBuilder {
  const plan = lockPlan();
  const h = grantedAtOnce(plan);
  job(h, plan, 'failed');
  released(h);
  return h.failed('batch 1: database is locked');
}

/** Cancelled while batch 0 runs: it finishes, finalize runs as cancelled, the table is released, the workflow ends Canceled. */
export function cancelledRunningHistory(): HistoryBuilder {
  const plan = lockPlan();
  const h = grantedAtOnce(plan);
  h.activity('planJob', { plan }, { checksum: 'c', total: 2000, batches: 2 });
  h.workflowTask();
  const b0 = h.scheduleActivity('runBatch', { jobDir: plan.jobDir, batch: 0 });
  const started = h.startActivity(b0);
  h.cancelRequested();
  h.workflowTask();
  h.completeActivity(b0, started, batchOut(0));
  h.workflowTask();
  h.activity('finalizeJob', { jobDir: plan.jobDir, batches: 2, status: 'cancelled' }, artifacts);
  h.workflowTask();
  released(h);
  return h.canceled();
}

/**
 * A job holding the table continues as new after its first batch: the next run gets the table as
 * its third argument, does not ask for it again, and releases it at the end.
 */
export function continuedLockedHistories(): { first: HistoryBuilder; second: HistoryBuilder; state: ContinueState } {
  const plan = lockPlan();
  const planned = { checksum: 'c', total: 2000, batches: 2 };
  const first = builder([plan]);
  const r = requested(first, plan);
  first.signaled('ferryTargetGranted', []);
  first.completeActivity(r.scheduled, r.started, held);
  first.workflowTask();
  first.unsentTimer();
  first.activity('planJob', { plan }, planned);
  first.workflowTask();
  first.activity('runBatch', { jobDir: plan.jobDir, batch: 0 }, batchOut(0));
  first.workflowTask({ suggestContinueAsNew: true });
  const state: ContinueState = { planned, nextBatch: 1, summary: summaryOf(1, 2) };
  first.continuedAsNew([plan, state, held]);

  const second = builder([plan, state, held], { continuedExecutionRunId: 'run-1', initiator: 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW' });
  second.activity('runBatch', { jobDir: plan.jobDir, batch: 1 }, batchOut(1));
  second.workflowTask();
  second.activity('finalizeJob', { jobDir: plan.jobDir, batches: 2, status: 'succeeded' }, artifacts);
  second.workflowTask();
  released(second);
  second.completed({ status: 'succeeded', summary: summaryOf(2, 2), error: null, artifacts, notifications: [] });
  return { first, second, state };
}
