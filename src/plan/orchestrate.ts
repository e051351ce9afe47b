import {
  addCounts,
  type FinalizeJobOutput,
  type FinalStatus,
  type JobSummary,
  type NotifyOutput,
  type PipelineActivities,
  type PlanJobOutput,
  type RunBatchOutput,
} from './activity-types.js';
import { deliveryId } from './delivery-id.js';
import { rejectLimit, type JobPlan } from './job-plan.js';

/**
 * The one orchestration both engines run: plan, batches with bounded parallelism, finalize, notify.
 * Deterministic and side-effect free — it only calls activities and adds up their results — so
 * Temporal can replay it from history and the embedded engine from its journal.
 */

export interface JobProgress {
  summary: JobSummary;
}

export interface OrchestrationHooks {
  /** After planning and after every finished batch. */
  progress?(progress: JobProgress): void;
  /** Checked before each batch starts: true stops launching batches; the job ends cancelled. */
  cancelled?(): boolean;
  /**
   * Checked before each batch starts (Temporal: continue-as-new keeps history bounded): true stops
   * launching batches, waits for those in flight, and returns a `continue` result with the cursor.
   * `started` counts the batches this segment launched. Absent: the job runs in one segment.
   */
  continueAsNew?(started: number): boolean;
  /**
   * Which ending of the job this run brings (delivery-id.ts): the same in a run that continues one
   * a crash interrupted, so that its notifications keep their delivery ids. Absent: `1`.
   */
  completion?: string;
  /**
   * Whether a step's error may pass on another attempt (the embedded engine's: connections/errors.ts
   * `isRetryable`, as its retries decide). Temporal's activity failures say so themselves.
   */
  isRetryable?(err: unknown): boolean;
}

/** Where a job continues in its next segment: everything before `nextBatch` is done and counted. */
export interface ContinueState {
  planned: PlanJobOutput;
  nextBatch: number;
  summary: JobSummary;
}

export type SegmentResult = { kind: 'done'; outcome: JobOutcome } | { kind: 'continue'; state: ContinueState };

export interface JobOutcome {
  status: FinalStatus;
  summary: JobSummary;
  error: string | null;
  /**
   * The step whose error failed the job, and whether another attempt may pass (connections/errors.ts,
   * on Temporal the activity's ApplicationFailure). Absent when no step's error failed it (rejects
   * over the budget, a cancel) and in records of a Ferry before it: then nothing is known.
   */
  failure?: JobFailure;
  artifacts: FinalizeJobOutput | null;
  notifications: NotifyOutput[];
}

export interface JobFailure {
  step: 'plan' | 'batch' | 'finalize';
  retryable: boolean;
}

/** Why a job ends short of success. */
type Ending = { status: 'failed' | 'cancelled'; error: string | null; failure?: JobFailure };

type Stop = Ending | { status: 'continue'; nextBatch: number; error: null };

export async function runPipelineJob(plan: JobPlan, acts: PipelineActivities, hooks: OrchestrationHooks = {}): Promise<JobOutcome> {
  const result = await runPipelineSegment(plan, acts, { ...hooks, continueAsNew: undefined });
  if (result.kind === 'continue') throw new Error('unreachable: a job without a continueAsNew hook runs in one segment');
  return result.outcome;
}

/**
 * One segment of a job: from the start (plan, batches…) or from a `ContinueState` (batches from
 * `nextBatch`, planJob not called again), to the end or to a continue-as-new point.
 */
export async function runPipelineSegment(
  plan: JobPlan,
  acts: PipelineActivities,
  hooks: OrchestrationHooks = {},
  resume?: ContinueState,
): Promise<SegmentResult> {
  const summary = resume ? cloneSummary(resume.summary) : emptySummary();
  let planned = resume?.planned;
  if (!planned) {
    try {
      planned = await acts.planJob({ plan });
    } catch (err) {
      const failure = failureOf('plan', err, hooks);
      return done(await finish(plan, acts, hooks, { status: 'failed', summary, error: errorMessage(err), ...failure, artifacts: null, notifications: [] }));
    }
    summary.total = planned.total;
    summary.batches.total = planned.batches;
  }
  hooks.progress?.({ summary });
  const stop = await runBatches(plan, acts, hooks, { count: planned.batches, first: resume?.nextBatch ?? 0 }, summary);
  if (stop?.status === 'continue') return { kind: 'continue', state: { planned, nextBatch: stop.nextBatch, summary } };
  const ended = stop ?? allRejected(plan, summary);
  const status: FinalStatus = ended?.status ?? 'succeeded';
  let artifacts: FinalizeJobOutput | null = null;
  let error = ended?.error ?? null;
  let failure = ended?.failure && { failure: ended.failure };
  try {
    artifacts = await acts.finalizeJob({ jobDir: plan.jobDir, batches: planned.batches, status });
  } catch (err) {
    // The first failure stands: a batch's error says more than finalizing a job that already failed.
    if (error === null) [error, failure] = [errorMessage(err), failureOf('finalize', err, hooks)];
    return done(
      await finish(plan, acts, hooks, {
        status: 'failed',
        summary: endSummary(plan, 'failed', summary),
        error,
        ...failure,
        artifacts,
        notifications: [],
      }),
    );
  }
  return done(await finish(plan, acts, hooks, { status, summary: endSummary(plan, status, summary), error, ...failure, artifacts, notifications: [] }));
}

/**
 * The summary a job ends with. An export's rows reach its output file only when a succeeded job
 * assembles the file from the batches' parts; a failed (a full disk while assembling, a batch that
 * could not write its part) or cancelled export wrote nothing there, so it exported nothing.
 */
function endSummary(plan: JobPlan, status: FinalStatus, summary: JobSummary): JobSummary {
  if (plan.kind !== 'export' || status === 'succeeded') return summary;
  return { ...cloneSummary(summary), exported: 0 };
}

function done(outcome: JobOutcome): SegmentResult {
  return { kind: 'done', outcome };
}

/**
 * Runs batches `first`…`count - 1`, at most `parallelism` at once; returns why it stopped early, if
 * it did. A continue point is only taken with nothing in flight and nothing failed, so every batch
 * before `nextBatch` is done.
 */
async function runBatches(
  plan: JobPlan,
  acts: PipelineActivities,
  hooks: OrchestrationHooks,
  range: { count: number; first: number },
  summary: JobSummary,
): Promise<Stop | undefined> {
  const limit = rejectLimit(plan.validate.maxRejects, summary.total);
  const inFlight = new Map<number, Promise<{ batch: number; output?: RunBatchOutput; error?: unknown }>>();
  let next = range.first;
  let stop: Stop | undefined;
  let overRejects: Stop | undefined;
  for (;;) {
    while (!stop && next < range.count && inFlight.size < plan.batch.parallelism) {
      stop = stopBefore(hooks, next, next - range.first);
      if (stop) break;
      const batch = next++;
      const call = acts.runBatch({ jobDir: plan.jobDir, batch }).then(
        (output) => ({ batch, output }),
        (error: unknown) => ({ batch, error }),
      );
      inFlight.set(batch, call);
    }
    if (inFlight.size === 0) {
      // The batches still in flight when the budget ran out add their rejects too: say the final count, as the summary does.
      if (stop === overRejects && overRejects) overRejects.error = rejectBudgetMessage(summary.rejected, limit);
      return stop;
    }
    const done = await Promise.race(inFlight.values());
    inFlight.delete(done.batch);
    if (!done.output) {
      stop = failedUnlessStopped(stop, `batch ${done.batch}: ${errorMessage(done.error)}`, failureOf('batch', done.error, hooks));
      continue;
    }
    addBatch(summary, done.output);
    hooks.progress?.({ summary });
    if (summary.rejected > limit && !overRejects) {
      const before = stop;
      stop = failedUnlessStopped(stop, rejectBudgetMessage(summary.rejected, limit));
      if (stop !== before) overRejects = stop;
    }
  }
}

/**
 * A job that rejected every one of its records did nothing a user wanted: almost always a wrong
 * mapping or the wrong file, so it fails (with its reject report) unless the pipeline says that
 * can be expected (`validate.allow_all_rejected`). A rollback's skipped rows are not rejects of this kind.
 */
function allRejected(plan: JobPlan, summary: JobSummary): Ending | undefined {
  if (plan.kind === 'rollback' || plan.validate.allowAllRejected || summary.total === 0 || summary.rejected < summary.total) return undefined;
  const written = plan.kind === 'export' ? 'exported' : 'written';
  return {
    status: 'failed',
    error: `every record was rejected (${summary.rejected} of ${summary.total}), nothing was ${written}; set validate.allow_all_rejected: true if that can be expected`,
  };
}

function rejectBudgetMessage(rejected: number, limit: number): string {
  return `reject budget exceeded: ${rejected} rejected, at most ${limit} allowed (validate.max_rejects)`;
}

/** Cancellation wins over continuing; neither is checked once the job has a reason to stop. */
function stopBefore(hooks: OrchestrationHooks, next: number, started: number): Stop | undefined {
  if (hooks.cancelled?.()) return { status: 'cancelled', error: null };
  if (hooks.continueAsNew?.(started)) return { status: 'continue', nextBatch: next, error: null };
  return undefined;
}

/** The first failure or cancellation stands; a failure while draining for a continue point replaces it. */
function failedUnlessStopped(stop: Stop | undefined, error: string, failure?: { failure: JobFailure }): Stop {
  if (stop && stop.status !== 'continue') return stop;
  return { status: 'failed', error, ...failure };
}

/** Sends the notifications whose `on` matches; a failed notification never changes the job's status. */
async function finish(plan: JobPlan, acts: PipelineActivities, hooks: OrchestrationHooks, outcome: JobOutcome): Promise<JobOutcome> {
  for (let index = 0; index < plan.notify.length; index++) {
    const entry = plan.notify[index]!;
    if (entry.on && !entry.on.includes(outcome.status)) continue;
    const { status, summary, error } = outcome;
    const delivery = deliveryId(plan.jobId, hooks.completion ?? '1', index, status);
    try {
      outcome.notifications.push(await acts.notify({ plan, index, status, summary, error, delivery }));
    } catch (err) {
      outcome.notifications.push({ index, ok: false, detail: errorMessage(err) });
    }
  }
  return outcome;
}

export function emptySummary(): JobSummary {
  return { total: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, exported: 0, batches: { done: 0, total: 0 } };
}

function cloneSummary(s: JobSummary): JobSummary {
  return { ...s, batches: { ...s.batches } };
}

function addBatch(summary: JobSummary, out: RunBatchOutput): void {
  addCounts(summary, out);
  summary.batches.done += 1;
}

/**
 * The failing step, and whether its error may pass on another attempt. On Temporal the workflow
 * sees the activity's ApplicationFailure (activities/temporal.ts made it `nonRetryable` as
 * isRetryable said); its other failures (a timeout, a worker gone) are retryable. Elsewhere the
 * engine's `isRetryable` tells; without it, nothing is known.
 */
function failureOf(step: JobFailure['step'], err: unknown, hooks: OrchestrationHooks): { failure: JobFailure } | undefined {
  const cause = unwrapped(err);
  if (cause !== err) return { failure: { step, retryable: (cause as { nonRetryable?: unknown } | null)?.nonRetryable !== true } };
  return hooks.isRetryable && { failure: { step, retryable: hooks.isRetryable(err) } };
}

/** Temporal's wrappers around the error an activity or child threw: their own message says only that it failed. */
const wrappers = new Set(['ActivityFailure', 'ChildWorkflowFailure', 'WorkflowFailedError']);

/**
 * The message of the error that says what went wrong: Temporal's wrappers are unwrapped, but not
 * Ferry's own errors, whose message puts the cause in context (`[connection:sqlite] cannot open
 * users.db: disk I/O error. Hint: …`) — their cause alone would lose which file and what to do.
 */
export function errorMessage(err: unknown): string {
  const current = unwrapped(err);
  if (current instanceof Error) return current.message;
  return String(current);
}

function unwrapped(err: unknown): unknown {
  let current: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const { cause, name } = (current ?? {}) as { cause?: unknown; name?: unknown };
    if (!cause || !(typeof name === 'string' && wrappers.has(name))) break;
    current = cause;
  }
  return current;
}
