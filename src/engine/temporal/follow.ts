import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common';
import type { JobOutcome } from '../../plan/orchestrate.js';
import type { FollowOptions } from '../engine.js';
import { withOwnSignal } from './calls.js';
import { awaitOutcome, queryView, retryingNow, serverUnreachable } from './results.js';
import { unreachable, type TemporalSettings } from './settings.js';
import { describeJobWorkflow } from './control.js';

export interface FollowSettings {
  settings: TemporalSettings;
  /** How often the workflow is asked for its progress. */
  pollMs: number;
  /** How long a job may go unanswered before the task queue is checked for workers. */
  noWorkerMs?: number;
  /** How long after a first look that found no worker a second look must still find none (SECOND_LOOK_MS). */
  secondLookMs?: number;
}

/** Unanswered progress queries for this long (a job between batches answers within one poll) trigger the check for workers. */
const NO_WORKER_MS = 10_000;

/**
 * A worker's poll on the task queue lasts up to a minute, and the server forgets a poller five
 * minutes after its last poll: one seen within this long is alive (temporal task-queue describe).
 */
const POLLER_FRESH_MS = 70_000;

/**
 * A server that restarted knows no poller until the workers poll again (after their own backoff,
 * seconds): "no worker" is said only when a second look this much after the first still sees none.
 */
const SECOND_LOOK_MS = 10_000;

/**
 * Follows the workflow until it ends, from its `progress` query; Ctrl-C requests cancellation
 * once. The query needs a worker: while none answers, progress is not reported, and once that
 * lasts `noWorkerMs` with no worker polling the task queue, `stalled` says so once (a run would
 * otherwise wait in silence for ever). A server out of reach for longer than awaitOutcome rides
 * through ends the follow with what to do, not the client's "Failed to get Workflow execution history".
 */
export async function untilEnded(client: Client, id: string, follow: FollowOptions, options: FollowSettings, signal: AbortSignal): Promise<JobOutcome> {
  const handle = client.workflow.getHandle(id);
  await describeJobWorkflow(client, id);
  let ended = false;
  const outage = options.settings.outageMs === undefined ? {} : { outageMs: options.settings.outageMs };
  const result = awaitOutcome(client, handle, { signal, ...outage }).finally(() => (ended = true));
  // Waited on between polls; its failure is taken below, once.
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  let cancelSent = false;
  let answeredAt = Date.now();
  let workersChecked = false;
  let noneSince: number | undefined;
  while (!ended) {
    // Each poll under a signal of its own: one for the whole follow gathered a listener per request (calls.ts).
    const [view, retrying] = await Promise.all([
      withOwnSignal(client, signal, () => queryView(client, handle)),
      withOwnSignal(client, signal, () => retryingNow(client, handle)),
    ]);
    if (view) answeredAt = Date.now();
    // A step being retried is said like a wait for a table: once, and again when it changes.
    if (view && !ended) follow.progress?.({ status: view.status, summary: view.summary, waiting: view.waiting ?? retrying });
    if (view) noneSince = undefined;
    if (!view && !workersChecked && Date.now() - answeredAt >= (options.noWorkerMs ?? NO_WORKER_MS)) {
      const none = await withOwnSignal(client, signal, () => noWorkerPolls(client, options.settings));
      // Unknown (the server did not answer, it may be restarting): looked at again on a later poll.
      if (none === false) workersChecked = true;
      if (none === true && Date.now() - (noneSince ??= Date.now()) >= (options.secondLookMs ?? SECOND_LOOK_MS)) {
        workersChecked = true;
        if (!ended) (follow.stalled ?? follow.log)?.(noWorkerHint(options.settings));
      }
    }
    if (follow.interrupted?.() && !cancelSent) {
      cancelSent = true;
      await handle.cancel().catch(() => undefined);
    }
    await Promise.race([settled, new Promise((r) => setTimeout(r, options.pollMs))]);
  }
  const outcome = await result.catch((err: unknown) => {
    if (serverUnreachable(err) && !signal.aborted) throw lostServer(options.settings, id, err);
    throw err;
  });
  follow.progress?.({ status: outcome.status, summary: outcome.summary });
  return outcome;
}

/** Said once when a followed job waits for a worker none is there to be: the same words as `jobs show` (no worker answered). */
export function noWorkerHint(settings: TemporalSettings): string {
  return `no worker answered the progress query, and no worker is polling task queue ${settings.taskQueue} on ${settings.address}: start one with \`ferry worker\` in the project folder (the job waits on the server until then)`;
}

/** True when no worker has polled the task queue for workflow tasks lately; false when one has; undefined when the server cannot say. */
async function noWorkerPolls(client: Client, settings: TemporalSettings): Promise<boolean | undefined> {
  try {
    const response = await client.withDeadline(Date.now() + 5000, () =>
      client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        // TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW (temporal/api/enums/v1/task_queue.proto; wire constants).
        taskQueue: { name: settings.taskQueue, kind: 1 },
        taskQueueType: 1,
      }),
    );
    const now = Date.now();
    return !(response.pollers ?? []).some((p) => p.lastAccessTime && now - tsToMs(p.lastAccessTime) < POLLER_FRESH_MS);
  } catch {
    return undefined;
  }
}

/** The follow ends, the job does not: it goes on on the server's workers, which keep it while the server is away. */
function lostServer(settings: TemporalSettings, id: string, err: unknown): Error {
  return unreachable(
    settings,
    err,
    `stopped following job ${id}: it goes on on the server's workers once the server is back — ferry jobs show ${id} (or ferry jobs list) says where it is`,
  );
}
