import { isRetryable } from '../connections/errors.js';
import { failpoint } from '../failpoints.js';
import { stepKey, type ActivityName, type PipelineActivities } from '../plan/activity-types.js';
import type { JobPlan } from '../plan/job-plan.js';
import { runPipelineJob, type JobOutcome, type JobProgress } from '../plan/orchestrate.js';
import type { Journal, JobRecord } from './journal.js';
import { withRetry } from './retry.js';

export interface EmbeddedOptions {
  journal: Journal;
  activities: PipelineActivities;
  progress?: (progress: JobProgress) => void;
  /** Polled before each batch: true (Ctrl-C) stops after the batches in flight. */
  cancelled?: () => boolean;
  log?: (line: string) => void;
  /** How often the lease is renewed; a job whose heartbeat is older than 5× this counts as interrupted. */
  heartbeatMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 2000;

export class JobBusyError extends Error {}

/** Starts a new job on the embedded engine and runs it to the end. */
export async function startJob(plan: JobPlan, options: EmbeddedOptions): Promise<JobOutcome> {
  options.journal.createJob(plan, 'running', new Date().toISOString());
  return execute(options.journal.getJob(plan.jobId)!, options);
}

/**
 * Runs a job (new or resumed) under a lease: finished steps come back from the journal, the rest
 * run with retries, and each finished step is recorded before the next depends on it.
 */
export async function execute(job: JobRecord, options: EmbeddedOptions): Promise<JobOutcome> {
  const { journal } = options;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  if (!journal.claim(job.id, process.pid, new Date(), heartbeatMs * 5, isAlive)) {
    throw new JobBusyError(`job ${job.id} is being run by another process (pid ${job.ownerPid})`);
  }
  let cancelRequested = false;
  const timer = setInterval(() => {
    cancelRequested ||= journal.heartbeat(job.id, process.pid, new Date()).cancelRequested;
  }, heartbeatMs);
  timer.unref();
  journal.update(job.id, { status: 'running', endedAt: null, error: null });
  try {
    const acts = journaled(options.activities, journal, job, options.log);
    const outcome = await runPipelineJob(job.plan, acts, {
      progress: (p) => options.progress?.(p),
      cancelled: () => cancelRequested || (options.cancelled?.() ?? false),
    });
    const { status, summary, error, artifacts, notifications } = outcome;
    journal.update(job.id, { status, summary, error, artifacts, notifications, endedAt: new Date().toISOString() });
    return outcome;
  } finally {
    clearInterval(timer);
    journal.release(job.id, process.pid);
  }
}

/** Wraps each activity: replay a recorded step, or run it with retries and record its output. */
function journaled(acts: PipelineActivities, journal: Journal, job: JobRecord, log?: (line: string) => void): PipelineActivities {
  const wrap = <I, O>(name: ActivityName, fn: (input: I) => Promise<O>) => {
    return async (input: I): Promise<O> => {
      const key = stepKey(name, input, job.run);
      const recorded = journal.getStep(job.id, key);
      if (recorded !== undefined) return recorded as O;
      const output = await withRetry(() => fn(input), {
        policy: job.plan.retry,
        isRetryable,
        onRetry: (err, attempt, delay) => log?.(`${key}: attempt ${attempt} failed (${(err as Error).message}); retrying in ${delay} ms`),
      });
      failpoint('step-before-record');
      journal.recordStep(job.id, key, output, new Date().toISOString());
      failpoint('step-after-record');
      return output;
    };
  };
  return {
    planJob: wrap('planJob', (i) => acts.planJob(i)),
    runBatch: wrap('runBatch', (i) => acts.runBatch(i)),
    finalizeJob: wrap('finalizeJob', (i) => acts.finalizeJob(i)),
    notify: wrap('notify', (i) => acts.notify(i)),
  };
}

/** Whether a process exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
