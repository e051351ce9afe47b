import { ApplicationFailure, CancellationScope, CancelledFailure, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { emptySummary, runPipelineSegment, type ContinueState, type JobOutcome, type SegmentResult } from '../src/plan/orchestrate.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import { pipelineActivities } from './activity-options.js';
import { JOB_FAILED, progressQuery, shouldContinueAsNew, type JobView } from './definitions.js';
import { planProblems } from './plan-guard.js';
import { writesTable, type HeldTarget } from './target-definitions.js';
import { acquireTarget, releaseTarget } from './target-gate.js';

/** Jobs started before the table lock existed replay without it (their histories have no marker). */
export const TARGET_LOCK_PATCH = 'ferry-target-lock';

/**
 * A job on Temporal: the same orchestration the embedded engine runs (src/plan/orchestrate.ts),
 * with activities from the task queue. Ends completed with the JobOutcome, failed (ApplicationFailure
 * `JobFailed`, the outcome in its details), or cancelled. `resume` is the cursor of a run that
 * continued as new: the batches before it are done and counted. A job that writes a table first
 * waits for it (target-gate.ts: one writer per table unless `batch.exclusive: false`), holds it
 * across continue-as-new (`held`), and releases it however it ends.
 */
export async function pipelineWorkflow(plan: JobPlan, resume?: ContinueState, held?: HeldTarget): Promise<JobOutcome> {
  const problems = planProblems(plan);
  if (problems.length > 0) throw ApplicationFailure.nonRetryable(`invalid plan: ${problems.join('; ')}`, 'InvalidPlan');
  const view: JobView = { status: 'running', summary: resume?.summary ?? emptySummary(), error: null, artifacts: null, waiting: null };
  setHandler(progressQuery, () => view);
  const cancel = cancelRequests();
  const target = held ?? (await waitForTable(plan, view, cancel, resume));
  if (target === 'cancelled') {
    view.status = 'cancelled';
    throw new CancelledFailure(`job ${plan.jobId} cancelled while waiting for its table`);
  }
  let result = await segment(plan, view, cancel, resume);
  // A cancel that arrived while draining for continue-as-new must not be lost in the next run.
  if (result.kind === 'continue' && cancel.requested()) result = await segment(plan, view, cancel, result.state);
  if (result.kind === 'continue') {
    return target ? continueAsNew<typeof pipelineWorkflow>(plan, result.state, target) : continueAsNew<typeof pipelineWorkflow>(plan, result.state);
  }
  if (target) await releaseTarget(target);
  const { outcome } = result;
  Object.assign(view, { status: outcome.status, summary: outcome.summary, error: outcome.error, artifacts: outcome.artifacts });
  if (outcome.status === 'cancelled')
    throw new CancelledFailure(`job ${plan.jobId} cancelled after ${outcome.summary.batches.done}/${outcome.summary.batches.total} batches`);
  if (outcome.status === 'failed') {
    throw ApplicationFailure.create({ message: outcome.error ?? 'job failed', type: JOB_FAILED, nonRetryable: true, details: [outcome] });
  }
  return outcome;
}

/**
 * The table, before the first step of a job that writes one; undefined for exports, dry runs,
 * continued runs of jobs that started without the lock, and histories recorded before it.
 */
async function waitForTable(
  plan: JobPlan,
  view: JobView,
  cancel: { requested(): boolean },
  resume: ContinueState | undefined,
): Promise<HeldTarget | 'cancelled' | undefined> {
  if (resume || !writesTable(plan) || !patched(TARGET_LOCK_PATCH)) return undefined;
  return (await acquireTarget(plan, view, cancel)) ?? 'cancelled';
}

/**
 * Runs the orchestration in a non-cancellable scope: a cancel request only stops launching new
 * batches; batches in flight finish (each chunk commits atomically anyway), then finalize and
 * notify run, so the job ends consistent with its summary.
 */
function segment(plan: JobPlan, view: JobView, cancel: { requested(): boolean }, resume: ContinueState | undefined): Promise<SegmentResult> {
  return CancellationScope.nonCancellable(() =>
    runPipelineSegment(
      plan,
      pipelineActivities(plan),
      {
        progress: ({ summary }) => void (view.summary = summary),
        cancelled: () => cancel.requested(),
        continueAsNew: (started) => shouldContinueAsNew(started, workflowInfo().continueAsNewSuggested),
        // A worker that dies is replaced within the run (same id, notifications resent alike); a
        // resume (a reset, or a new run after a cancel) is a run of its own, and ends the job anew.
        completion: workflowInfo().runId,
      },
      resume,
    ),
  );
}

/** Whether the workflow was asked to cancel: the root scope's request, observed without cancelling anything. */
function cancelRequests(): { requested(): boolean } {
  let requested = false;
  CancellationScope.current().cancelRequested.catch(() => {
    requested = true;
  });
  return { requested: () => requested };
}
