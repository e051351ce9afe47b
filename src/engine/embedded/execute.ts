import { isRetryable } from '../../connections/errors.js';
import { failpoint } from '../../failpoints.js';
import { stepKey, type ActivityName, type NotifyInput, type NotifyOutput, type PipelineActivities } from '../../plan/activity-types.js';
import type { JobPlan } from '../../plan/job-plan.js';
import { notifyRetry } from '../../plan/notify-retry.js';
import { runPipelineJob, type JobOutcome, type JobProgress } from '../../plan/orchestrate.js';
import { LeaseLost, type Journal, type JobRecord, type Liveness } from './journal.js';
import { deliveredBefore, notifyOutput, runCompletion, type RecordedNotification } from './completion.js';
import { ownerState } from './process-owner.js';
import { withRetry } from './retry.js';
import { cheapSubmissionKey, fileSubmissionKey, submissionKey } from '../submission.js';
import { writeTargetOf, type ConnectionTables } from '../../plan/write-target.js';
import { passTargetGate } from './target-gate.js';
import { JobRefused } from '../engine.js';

export interface EmbeddedOptions {
  journal: Journal;
  activities: PipelineActivities;
  progress?: (progress: JobProgress) => void;
  /** Polled before each batch: true (Ctrl-C) stops after the batches in flight. */
  cancelled?: () => boolean;
  log?: (line: string) => void;
  /** Masks the project's secrets in what the journal keeps of a job's end: its error and its notifications'. */
  mask?: (text: string) => string;
  /** How often the lease is renewed; a job whose heartbeat is older than 5× this counts as interrupted. */
  heartbeatMs?: number;
  /**
   * The project's connections (ferry.yaml), naming the table of a target that leaves it out, so
   * that the target gate sees one table whichever way pipelines spell it.
   */
  connections?: ConnectionTables;
  /** A resumed job: the fencing token its resume checked it under; a cancel or another resume since wins (`Journal.claim`). */
  checkedLease?: number;
}

export const DEFAULT_HEARTBEAT_MS = 2000;
const PROGRESS_SAVE_MS = 1000;
const CANCEL_CHECK_MS = 100;

export class JobBusyError extends Error {}

/** Starts a new job on the embedded engine and runs it to the end (no submission check: see submit.ts). */
export async function startJob(plan: JobPlan, options: EmbeddedOptions): Promise<JobOutcome> {
  options.journal.createJob(plan, 'pending', new Date().toISOString(), { ownerPid: process.pid });
  return execute(options.journal.getJob(plan.jobId)!, options);
}

/**
 * Runs a job (new or resumed) under a lease: it waits at the target gate while another job writes
 * its table, then finished steps come back from the journal, the rest run with retries, and each
 * finished step is recorded before the next depends on it.
 */
export async function execute(job: JobRecord, options: EmbeddedOptions): Promise<JobOutcome> {
  const { journal } = options;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const lease = journal.claim(job.id, process.pid, liveness(heartbeatMs), options.checkedLease);
  if (lease === undefined) throw notClaimed(journal, job, options.checkedLease !== undefined);
  const state = { cancelRequested: false, lost: false };
  const timer = setInterval(() => {
    const beat = journal.heartbeat(job.id, process.pid, lease, new Date());
    state.cancelRequested ||= beat.cancelRequested;
    state.lost ||= !beat.held;
  }, heartbeatMs);
  timer.unref();
  // Before the update below: it reads the status the previous run left.
  const completion = runCompletion(journal, job, lease);
  // Pending until past the target gate: a job waiting for another shows as pending, not running.
  journal.update(job.id, { status: 'pending', endedAt: null, error: null, failure: null }, lease);
  try {
    // Asked before each batch starts: the journal is read at most every CANCEL_CHECK_MS, so a cancel
    // stops the job after the batches in flight, not after the next heartbeat (a busy main thread
    // ran its heartbeat late, and 120 batches went by after a cancel).
    let checkedAt = 0;
    const cancelled = (): boolean => {
      const now = Date.now();
      if (!state.cancelRequested && now - checkedAt >= CANCEL_CHECK_MS) {
        checkedAt = now;
        state.cancelRequested = journal.cancelRequested(job.id);
      }
      return state.lost || state.cancelRequested || (options.cancelled?.() ?? false);
    };
    // Counts so far, for `jobs show` and `jobs list` in other processes: at most once a second, and the last.
    let savedAt = 0;
    const saveProgress = ({ summary }: JobProgress): void => {
      const now = Date.now();
      if (now - savedAt < PROGRESS_SAVE_MS && summary.batches.done < summary.batches.total) return;
      savedAt = now;
      if (!state.lost) journal.update(job.id, { summary }, lease);
    };
    const acts = withSubmissionKey(journaled(options.activities, journal, job, { lease, lost: () => state.lost, log: options.log }), journal, job);
    await enterTarget(job, options, cancelled);
    // Cancelled at the gate, the job stops before its first batch like any cancelled job.
    const outcome = await runPipelineJob(job.plan, acts, {
      progress: (p) => (saveProgress(p), options.progress?.(p)),
      cancelled,
      completion,
      isRetryable,
    });
    const { status, summary, artifacts } = outcome;
    // Stored masked: an error may quote a connection's URL (a PostgreSQL ?password=), a server's reply.
    const mask = options.mask ?? ((text: string) => text);
    const error = outcome.error === null ? null : mask(outcome.error);
    const notifications = outcome.notifications.map((n) => ({ ...n, detail: mask(n.detail) }));
    const failure = outcome.failure ?? null;
    journal.update(job.id, { status, summary, error, failure, artifacts, notifications, endedAt: new Date().toISOString() }, lease);
    return outcome;
  } finally {
    clearInterval(timer);
    journal.release(job.id, process.pid, lease);
  }
}

/** Why a job could not be claimed: another process holds it, or, for a resume, a cancel or another resume took it since. */
function notClaimed(journal: Journal, job: JobRecord, resumed: boolean): Error {
  const now = journal.getJob(job.id);
  if (!resumed || !now) return new JobBusyError(`job ${job.id} is being run by another process (pid ${now?.ownerPid ?? job.ownerPid})`);
  if (now.status === 'cancelled') {
    return new JobRefused(
      `job ${job.id} was cancelled (ferry jobs cancel) while this resume was starting: it stays cancelled; ferry jobs resume ${job.id} continues it`,
    );
  }
  const by = now.ownerPid === null ? 'another process' : `process ${now.ownerPid}`;
  return new JobRefused(`job ${job.id} was resumed by ${by} while this resume was starting: ferry jobs show ${job.id} for how it goes`);
}

/**
 * The target gate (target-gate.ts): waits while another live job writes the same table, unless
 * both are `batch.exclusive: false`; then the job is running. Exports pass at once.
 */
async function enterTarget(job: JobRecord, options: EmbeddedOptions, cancelled: () => boolean): Promise<void> {
  const { journal } = options;
  const target = writeTargetOf(job.plan, options.connections);
  if (!target) return journal.update(job.id, { status: 'running' });
  await passTargetGate(job, target, {
    journal,
    liveness: () => liveness(options.heartbeatMs),
    cancelled,
    ...(options.log ? { log: options.log } : {}),
    // A file source's key otherwise comes from the plan step; a waiting job reads its source now,
    // so that a resubmission meanwhile can tell whether it is the same (submit.ts). An unreadable
    // source is the plan step's to report: the key then stays unknown until it runs.
    onBlocked: async () => {
      if (job.submissionKey !== null) return;
      const key = await submissionKey(job.plan).catch(() => undefined);
      if (key !== undefined) journal.setSubmissionKey(job.id, key);
    },
  });
}

/**
 * Submission keys for jobs that started without one (`--force-new`, `ferry serve`, journals from
 * before keys), at no extra read: a connection source's at once (it hashes the query), a file
 * source's from the plan step's checksum (the sha256 of the bytes it read).
 */
function withSubmissionKey(acts: PipelineActivities, journal: Journal, job: JobRecord): PipelineActivities {
  if (job.submissionKey !== null) return acts;
  const cheap = cheapSubmissionKey(job.plan);
  if (cheap !== undefined) {
    journal.setSubmissionKey(job.id, cheap);
    return acts;
  }
  return {
    ...acts,
    planJob: async (input) => {
      const planned = await acts.planJob(input);
      journal.setSubmissionKey(job.id, fileSubmissionKey(job.plan, planned.checksum));
      return planned;
    },
  };
}

interface Fence {
  lease: number;
  /** The heartbeat found the job taken over by another process. */
  lost: () => boolean;
  log?: ((line: string) => void) | undefined;
}

/**
 * Wraps each activity: replay a recorded step, or run it with retries and record its output — only
 * while this process holds the job's lease (the fencing token is checked when a step starts and in
 * the transaction that records it).
 */
function journaled(acts: PipelineActivities, journal: Journal, job: JobRecord, { lease, lost, log }: Fence): PipelineActivities {
  const wrap = <I, O>(name: ActivityName, fn: (input: I) => Promise<O>, policy = job.plan.retry) => {
    return async (input: I): Promise<O> => {
      const key = stepKey(name, input, job.run);
      const recorded = journal.getStep(job.id, key);
      if (recorded !== undefined) return recorded as O;
      if (lost()) throw new LeaseLost(`job ${job.id} was taken over by another process; ${key} not started`);
      const output = await withRetry(() => fn(input), {
        policy,
        isRetryable,
        onRetry: (err, attempt, delay) => log?.(`${key}: attempt ${attempt} failed (${(err as Error).message}); retrying in ${delay} ms`),
      });
      failpoint('step-before-record');
      journal.recordStep(job.id, key, output, new Date().toISOString(), lease);
      failpoint('step-after-record');
      return output;
    };
  };
  return {
    planJob: wrap('planJob', (i) => acts.planJob(i)),
    runBatch: wrap('runBatch', (i) => acts.runBatch(i)),
    finalizeJob: wrap('finalizeJob', (i) => acts.finalizeJob(i)),
    notify: notifyOnce(
      wrap('notify', (i: NotifyInput) => withDelivery(i, acts.notify(i)), notifyRetry(job.plan.retry)),
      journal,
      job,
      { lease, lost, log },
    ),
  };
}

/** Journals a sent notification with its delivery id, for a resumed run to find (`deliveredBefore`). */
async function withDelivery(input: NotifyInput, sent: Promise<NotifyOutput>): Promise<RecordedNotification> {
  const output = await sent;
  return input.delivery === undefined ? output : { ...output, delivery: input.delivery };
}

/**
 * A notification that a crashed run of this completion delivered and recorded is replayed, not sent
 * again: notify steps belong to a run, so a resume otherwise resent every one. One the crash caught
 * between sending and recording goes out again, with the same delivery id.
 */
function notifyOnce(send: (input: NotifyInput) => Promise<RecordedNotification>, journal: Journal, job: JobRecord, fence: Fence): PipelineActivities['notify'] {
  return async (input) => {
    const key = stepKey('notify', input, job.run);
    const earlier = journal.getStep(job.id, key) === undefined ? deliveredBefore(journal, job.id, input) : undefined;
    if (earlier === undefined) return notifyOutput(await send(input));
    if (fence.lost()) throw new LeaseLost(`job ${job.id} was taken over by another process; ${key} not started`);
    journal.recordStep(job.id, key, { ...earlier.output, delivery: input.delivery }, new Date().toISOString(), fence.lease);
    fence.log?.(`${key}: delivered by ${earlier.key} before the crash (delivery id ${input.delivery}); not sent again`);
    return earlier.output;
  };
}

/** Who counts as running now: an owner process that exists (process-owner.ts); else, a heartbeat younger than 5 heartbeats. */
export function liveness(heartbeatMs = DEFAULT_HEARTBEAT_MS): Liveness {
  return { now: new Date(), staleMs: heartbeatMs * 5, state: ownerState };
}
