import { isGrpcServiceError, ServiceError, WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { emptySummary, errorMessage, type JobOutcome } from '../../plan/orchestrate.js';
import { JOB_FAILED, progressQuery, type JobView } from '../../../workflows/definitions.js';
import { withOwnSignal } from './calls.js';
import { retryingOf } from './retries.js';
import { toJob, type TemporalJob } from './visibility.js';

/** How long a `progress` query may take: it needs a worker, which a finished job may no longer have. */
const QUERY_MS = 5000;

/** A job's visibility record plus its outcome (ended) or its progress (running; null without a worker). */
export interface TemporalJobDetails extends TemporalJob {
  outcome: JobOutcome | null;
  progress: JobView | null;
  /** While it runs: the steps being retried after a failed attempt (retries.ts), else null. */
  retrying: string | null;
}

/** The job's current state: its result when it ended, else (or when cancelled) the `progress` query (`pending` while it waits for its table). */
export async function describeJob(client: Client, id: string): Promise<TemporalJobDetails | undefined> {
  // The server answers an empty id with "Failed to describe workflow": it names no job.
  if (id === '') return undefined;
  const handle = client.workflow.getHandle(id);
  const info = await handle.describe().catch((err: unknown) => {
    if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
    throw err;
  });
  const job = info && toJob(info);
  if (!job) return undefined;
  if (job.status === 'running') {
    // Visibility says running; a job waiting for another's table says pending through its query.
    const progress = await queryView(client, handle);
    return {
      ...job,
      status: progress?.status === 'pending' ? 'pending' : job.status,
      outcome: null,
      progress,
      retrying: retryingOf(info.raw.pendingActivities),
    };
  }
  return { ...job, outcome: await outcomeOf(client, handle), progress: null, retrying: null };
}

/** A listed job's counts: its result when it ended, its `progress` query while it runs (null without a worker). */
export async function summaryOf(client: Client, job: TemporalJob): Promise<JobOutcome['summary'] | null> {
  const handle = client.workflow.getHandle(job.id, job.runId);
  if (job.status === 'running') return (await queryView(client, handle))?.summary ?? null;
  return (await outcomeOf(client, handle).catch(() => null))?.summary ?? null;
}

/**
 * The JobOutcome of an ended workflow: its result (succeeded), the details of its JobFailed
 * failure (failed), or the `progress` query's last view (cancelled, terminated, timed out).
 */
export async function outcomeOf(client: Client, handle: WorkflowHandle): Promise<JobOutcome> {
  try {
    return (await handle.result()) as JobOutcome;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === JOB_FAILED && cause.details?.[0]) return cause.details[0] as JobOutcome;
    const view = await queryView(client, handle);
    const cancelled = cause?.name === 'CancelledFailure';
    return {
      status: cancelled ? 'cancelled' : 'failed',
      summary: view?.summary ?? emptySummary(),
      error: cancelled ? null : errorMessage(err),
      artifacts: view?.artifacts ?? null,
      notifications: [],
    };
  }
}

/**
 * gRPC status codes of a server that is restarting or out of reach (CANCELLED 1, UNKNOWN 2,
 * DEADLINE_EXCEEDED 4, RESOURCE_EXHAUSTED 8, ABORTED 10, INTERNAL 13, UNAVAILABLE 14): the long
 * poll for a result breaks with one of these while the job itself goes on.
 */
const UNREACHABLE_CODES = new Set([1, 2, 4, 8, 10, 13, 14]);

/**
 * How long one wait for the result runs before it is started again: its long polls (one each
 * 20 s or so) each leave an abort listener on its signal (calls.ts `withOwnSignal`), so a wait is
 * renewed before they could reach Node's warning at 11.
 */
const RENEW_MS = 60_000;

/** How long the server may stay out of reach, without a break, before waiting for a result gives up. */
export const SERVER_OUTAGE_MS = 120_000;

/**
 * `outcomeOf`, waited for through a server restart: a job outlives the connection of the client
 * following it, so a broken long poll is retried (backoff 250 ms → 5 s) until the server has been
 * out of reach for `outageMs` without a break, or `signal` aborts; any other error is thrown at once.
 */
export async function awaitOutcome(
  client: Client,
  handle: WorkflowHandle,
  { outageMs = SERVER_OUTAGE_MS, signal }: { outageMs?: number; signal?: AbortSignal } = {},
): Promise<JobOutcome> {
  let unreachableSince: number | undefined;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    const attempt = Date.now();
    try {
      return await withOwnSignal(client, signal, () => outcomeOf(client, handle), RENEW_MS);
    } catch (err) {
      // A poll cancelled because the engine is closing ends the wait; the job goes on.
      if (!serverUnreachable(err) || signal?.aborted) throw err;
      if (Date.now() - attempt >= RENEW_MS) {
        // Our own renewal (or a poll that held that long, so the server was up meanwhile): wait
        // again at once, the backoff from its start.
        delay = 125;
        continue;
      }
      // A poll that held for a while before it broke means the server was back in between.
      if (unreachableSince === undefined || Date.now() - attempt > 30_000) unreachableSince = attempt;
      if (Date.now() - unreachableSince > outageMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A gRPC failure of a server restarting or out of reach (UNREACHABLE_CODES), bare or wrapped by the client. */
export function serverUnreachable(err: unknown): boolean {
  const grpc = err instanceof ServiceError ? err.cause : err;
  return isGrpcServiceError(grpc) && UNREACHABLE_CODES.has(grpc.code);
}

/** The running job's steps being retried (retries.ts); null when none is, or when the server does not answer in time. */
export async function retryingNow(client: Client, handle: WorkflowHandle): Promise<string | null> {
  try {
    return retryingOf((await client.withDeadline(Date.now() + QUERY_MS, () => handle.describe())).raw.pendingActivities);
  } catch {
    return null;
  }
}

export async function queryView(client: Client, handle: WorkflowHandle): Promise<JobView | null> {
  try {
    return await client.withDeadline(Date.now() + QUERY_MS, () => handle.query(progressQuery));
  } catch {
    return null;
  }
}
