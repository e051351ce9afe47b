import type { FinalizeJobOutput, FinalStatus, JobSummary, NotifyOutput, PipelineActivities, RunBatchOutput } from './activity-types.js';
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
}

export interface JobOutcome {
  status: FinalStatus;
  summary: JobSummary;
  error: string | null;
  artifacts: FinalizeJobOutput | null;
  notifications: NotifyOutput[];
}

type Stop = { status: 'failed' | 'cancelled'; error: string | null };

export async function runPipelineJob(plan: JobPlan, acts: PipelineActivities, hooks: OrchestrationHooks = {}): Promise<JobOutcome> {
  const summary = emptySummary();
  let planned;
  try {
    planned = await acts.planJob({ plan });
  } catch (err) {
    return finish(plan, acts, { status: 'failed', summary, error: errorMessage(err), artifacts: null, notifications: [] });
  }
  summary.total = planned.total;
  summary.batches.total = planned.batches;
  hooks.progress?.({ summary });
  const stop = await runBatches(plan, acts, hooks, planned.batches, summary);
  const status: FinalStatus = stop?.status ?? 'succeeded';
  let artifacts: FinalizeJobOutput | null = null;
  let error = stop?.error ?? null;
  try {
    artifacts = await acts.finalizeJob({ jobDir: plan.jobDir, batches: planned.batches, status });
  } catch (err) {
    error ??= errorMessage(err);
    return finish(plan, acts, { status: 'failed', summary, error, artifacts, notifications: [] });
  }
  return finish(plan, acts, { status, summary, error, artifacts, notifications: [] });
}

/** Runs every batch, at most `parallelism` at once; returns why it stopped early, if it did. */
async function runBatches(plan: JobPlan, acts: PipelineActivities, hooks: OrchestrationHooks, count: number, summary: JobSummary): Promise<Stop | undefined> {
  const limit = rejectLimit(plan.validate.maxRejects, summary.total);
  const inFlight = new Map<number, Promise<{ batch: number; output?: RunBatchOutput; error?: unknown }>>();
  let next = 0;
  let stop: Stop | undefined;
  for (;;) {
    while (!stop && next < count && inFlight.size < plan.batch.parallelism) {
      if (hooks.cancelled?.()) {
        stop = { status: 'cancelled', error: null };
        break;
      }
      const batch = next++;
      const call = acts.runBatch({ jobDir: plan.jobDir, batch }).then(
        (output) => ({ batch, output }),
        (error: unknown) => ({ batch, error }),
      );
      inFlight.set(batch, call);
    }
    if (inFlight.size === 0) return stop;
    const done = await Promise.race(inFlight.values());
    inFlight.delete(done.batch);
    if (!done.output) {
      stop ??= { status: 'failed', error: `batch ${done.batch}: ${errorMessage(done.error)}` };
      continue;
    }
    addBatch(summary, done.output);
    hooks.progress?.({ summary });
    if (summary.rejected > limit) {
      stop ??= { status: 'failed', error: `reject budget exceeded: ${summary.rejected} rejected, at most ${limit} allowed (validate.max_rejects)` };
    }
  }
}

/** Sends the notifications whose `on` matches; a failed notification never changes the job's status. */
async function finish(plan: JobPlan, acts: PipelineActivities, outcome: JobOutcome): Promise<JobOutcome> {
  for (let index = 0; index < plan.notify.length; index++) {
    const entry = plan.notify[index]!;
    if (entry.on && !entry.on.includes(outcome.status)) continue;
    try {
      outcome.notifications.push(await acts.notify({ plan, index, status: outcome.status, summary: outcome.summary, error: outcome.error }));
    } catch (err) {
      outcome.notifications.push({ index, ok: false, detail: errorMessage(err) });
    }
  }
  return outcome;
}

export function emptySummary(): JobSummary {
  return { total: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, exported: 0, batches: { done: 0, total: 0 } };
}

function addBatch(summary: JobSummary, out: RunBatchOutput): void {
  summary.inserted += out.inserted;
  summary.updated += out.updated;
  summary.unchanged += out.unchanged;
  summary.rejected += out.rejected;
  summary.exported += out.exported;
  summary.batches.done += 1;
}

/** The innermost message of an error chain (Temporal wraps activity errors in ActivityFailure). */
export function errorMessage(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (!cause) break;
    current = cause;
  }
  if (current instanceof Error) return current.message;
  return String(current);
}
