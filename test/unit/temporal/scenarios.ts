import type { RunBatchOutput } from '../../../src/plan/activity-types.js';
import type { JobPlan } from '../../../src/plan/job-plan.js';
import type { ContinueState, JobOutcome } from '../../../src/plan/orchestrate.js';
import { testPlan } from '../../helpers/fake-activities.js';
import { HistoryBuilder } from './history-builder.js';

/**
 * The histories the replay tests check the workflow against, each the exact command sequence the
 * orchestration issues: planJob, runBatch × n (parallelism at a time), finalizeJob, notify.
 */

export function importPlan(overrides: { batches?: number; parallelism?: number; notify?: boolean } = {}): JobPlan {
  const plan = testPlan({ batch: { size: 1000, parallelism: overrides.parallelism ?? 4, exclusive: false } } as never);
  return overrides.notify ? { ...plan, notify: [{ webhook: 'https://hooks.example.com/ferry' } as never] } : plan;
}

export const batchOut = (batch: number, rejected = 0): RunBatchOutput => ({
  batch,
  read: 1000,
  inserted: 1000 - rejected,
  updated: 0,
  unchanged: 0,
  rejected,
  exported: 0,
});
const artifacts = { rejectsFile: '/jobs/job-1/rejects.ndjson', rejects: 0, output: null };
const summaryOf = (done: number, total: number, rejected = 0) => ({
  total: total * 1000,
  inserted: done * 1000 - rejected,
  updated: 0,
  unchanged: 0,
  rejected,
  exported: 0,
  batches: { done, total },
});

/** A 3-batch import that succeeds and sends one webhook notification. */
export function succeededHistory({ delivery: withDelivery = true } = {}): { history: HistoryBuilder; plan: JobPlan; outcome: JobOutcome } {
  const plan = importPlan({ notify: true });
  const h = new HistoryBuilder().start([plan]);
  h.activity('planJob', { plan }, { checksum: 'c', total: 3000, batches: 3 });
  h.workflowTask();
  const ids = [0, 1, 2].map((b) => h.scheduleActivity('runBatch', { jobDir: plan.jobDir, batch: b }));
  ids.forEach((id, b) => h.completeActivity(id, h.startActivity(id), batchOut(b, b === 1 ? 2 : 0)));
  h.workflowTask();
  h.activity('finalizeJob', { jobDir: plan.jobDir, batches: 3, status: 'succeeded' }, artifacts);
  h.workflowTask();
  const summary = summaryOf(3, 3, 2);
  // The delivery id names the workflow run (the replay's is run-1): a worker that dies is replaced within it.
  const delivery = withDelivery ? { delivery: 'job-1.run-1.0.succeeded' } : {};
  h.activity('notify', { plan, index: 0, status: 'succeeded', summary, error: null, ...delivery }, { index: 0, ok: true, detail: 'sent' });
  h.workflowTask();
  const outcome: JobOutcome = { status: 'succeeded', summary, error: null, artifacts, notifications: [{ index: 0, ok: true, detail: 'sent' }] };
  h.completed(outcome);
  return { history: h, plan, outcome };
}

/** Batch 1 fails after its retries: the others finish, finalize runs as failed, the workflow fails. */
export function failedHistory(): HistoryBuilder {
  const plan = importPlan();
  const h = new HistoryBuilder().start([plan]);
  h.activity('planJob', { plan }, { checksum: 'c', total: 3000, batches: 3 });
  h.workflowTask();
  const ids = [0, 1, 2].map((b) => h.scheduleActivity('runBatch', { jobDir: plan.jobDir, batch: b }));
  h.completeActivity(ids[0]!, h.startActivity(ids[0]!), batchOut(0));
  h.failActivity(ids[1]!, h.startActivity(ids[1]!, 5), 'database is locked');
  h.completeActivity(ids[2]!, h.startActivity(ids[2]!), batchOut(2));
  h.workflowTask();
  h.activity('finalizeJob', { jobDir: plan.jobDir, batches: 3, status: 'failed' }, artifacts);
  h.workflowTask();
  return h.failed('batch 1: database is locked');
}

/**
 * Five batches, two at a time; after the first two the server suggests continue-as-new, so the run
 * ends ContinuedAsNew with the cursor. Returns that run and the next one, which finishes the job.
 */
export function continuedHistories(): { first: HistoryBuilder; second: HistoryBuilder; state: ContinueState } {
  const plan = importPlan({ parallelism: 2 });
  const planned = { checksum: 'c', total: 5000, batches: 5 };
  const first = new HistoryBuilder().start([plan]);
  first.activity('planJob', { plan }, planned);
  first.workflowTask();
  const ids = [0, 1].map((b) => first.scheduleActivity('runBatch', { jobDir: plan.jobDir, batch: b }));
  ids.forEach((id, b) => first.completeActivity(id, first.startActivity(id), batchOut(b)));
  first.workflowTask({ suggestContinueAsNew: true });
  const state: ContinueState = { planned, nextBatch: 2, summary: summaryOf(2, 5) };
  first.continuedAsNew([plan, state]);

  const second = new HistoryBuilder().start([plan, state], { continuedExecutionRunId: 'run-1', initiator: 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW' });
  let done = 2;
  for (const pair of [[2, 3], [4]]) {
    const scheduled = pair.map((b) => second.scheduleActivity('runBatch', { jobDir: plan.jobDir, batch: b }));
    scheduled.forEach((id, i) => second.completeActivity(id, second.startActivity(id), batchOut(pair[i]!)));
    done += pair.length;
    second.workflowTask();
  }
  second.activity('finalizeJob', { jobDir: plan.jobDir, batches: 5, status: 'succeeded' }, artifacts);
  second.workflowTask();
  second.completed({ status: 'succeeded', summary: summaryOf(done, 5), error: null, artifacts, notifications: [] });
  return { first, second, state };
}

/**
 * Cancelled while batch 0 of 3 runs (one at a time): batch 0 completes, no further batch starts,
 * finalize runs as cancelled, the workflow ends Canceled.
 */
export function cancelledHistory(): HistoryBuilder {
  const plan = importPlan({ parallelism: 1 });
  const h = new HistoryBuilder().start([plan]);
  h.activity('planJob', { plan }, { checksum: 'c', total: 3000, batches: 3 });
  h.workflowTask();
  const b0 = h.scheduleActivity('runBatch', { jobDir: plan.jobDir, batch: 0 });
  const started = h.startActivity(b0);
  h.cancelRequested();
  h.workflowTask();
  h.completeActivity(b0, started, batchOut(0));
  h.workflowTask();
  h.activity('finalizeJob', { jobDir: plan.jobDir, batches: 3, status: 'cancelled' }, artifacts);
  h.workflowTask();
  return h.canceled();
}

/** A scheduled run: plan a fresh job on a worker, then run it as a child workflow whose id is the job id. */
export function scheduledHistory(): HistoryBuilder {
  const { plan, outcome } = succeededHistory();
  const h = new HistoryBuilder('ferry', 'scheduledPipelineWorkflow').start([{ pipelineFile: plan.pipelineFile }]);
  h.activity(
    'planScheduledRun',
    { pipelineFile: plan.pipelineFile },
    {
      plan,
      memo: { pipeline: plan.pipeline, submissionKey: 'k', kind: 'import', pipelineFile: plan.pipelineFile, jobDir: plan.jobDir, startedAt: plan.startedAt },
    },
  );
  h.workflowTask();
  const child = h.startChild('pipelineWorkflow', plan.jobId, [plan]);
  h.workflowTask();
  h.completeChild(child, 'pipelineWorkflow', plan.jobId, outcome);
  h.workflowTask();
  return h.completed(outcome);
}
