import { condition, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  requestTargetSignal,
  releaseTargetSignal,
  targetGrantedSignal,
  targetLockQuery,
  targetWaitingSignal,
  type TargetLockActivities,
  type TargetLockInput,
} from './target-definitions.js';
import {
  delivered,
  dropStopped,
  emptyQueue,
  holdersToCheck,
  isIdle,
  release,
  request,
  type Change,
  type Notice,
  type TargetQueueState,
} from './target-queue.js';

/** How often the holders are checked while the table is held: a terminated job frees it within about this. */
export const CHECK_MS = 60_000;
/** How long a lock with nobody holding or waiting stays for the next request before it ends. */
export const IDLE_MS = 60_000;
/** A run continues as new past this many events (or sooner when the server suggests it). */
export const MAX_HISTORY_EVENTS = 2_000;

const { runningWorkflows } = proxyActivities<TargetLockActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * The lock of one table (workflow id `ferry-target:<connection>/<table>`): jobs ask for it with a
 * request signal, in order; it grants by signalling them, and tells the others whom they wait for.
 * A job releases it when it ends. A holder that ends without releasing (terminated, timed out) is
 * found by a liveness check every CHECK_MS and released. Ends when idle; continues as new with its
 * queue when its history grows. The queue logic is pure (target-queue.ts); this only moves signals.
 */
export async function targetLockWorkflow(input: TargetLockInput = {}): Promise<void> {
  let state: TargetQueueState = input.state ?? emptyQueue();
  const outbox: Notice[] = [];
  const apply = (change: Change): void => {
    state = change.state;
    outbox.push(...change.notices);
  };
  setHandler(requestTargetSignal, (req) => apply(request(state, req, Date.now())));
  setHandler(releaseTargetSignal, ({ workflowId }) => apply(release(state, workflowId, Date.now())));
  setHandler(targetLockQuery, () => state);
  let nextCheck = Date.now() + CHECK_MS;
  for (;;) {
    await deliver(outbox, (notice, ok) => apply(delivered(state, notice, ok, Date.now())));
    if (isIdle(state)) {
      if (await condition(() => outbox.length > 0 || !isIdle(state), IDLE_MS)) continue;
      return;
    }
    if (Date.now() >= nextCheck) {
      const checked = holdersToCheck(state, Date.now());
      if (checked.length > 0) {
        const { running } = await runningWorkflows({ workflowIds: checked });
        apply(dropStopped(state, checked, running, Date.now()));
      }
      nextCheck = Date.now() + CHECK_MS;
      continue;
    }
    const info = workflowInfo();
    if (outbox.length === 0 && (info.continueAsNewSuggested || info.historyLength >= MAX_HISTORY_EVENTS)) {
      return continueAsNew<typeof targetLockWorkflow>({ state });
    }
    await condition(() => outbox.length > 0, nextCheck - Date.now());
  }
}

/** Sends the notices (all of a round at once), reporting each one's delivery; notices that follow from a failure go out in the next round. */
async function deliver(outbox: Notice[], report: (notice: Notice, ok: boolean) => void): Promise<void> {
  while (outbox.length > 0) {
    const round = outbox.splice(0);
    const results = await Promise.all(
      round.map((notice) =>
        send(notice).then(
          () => true,
          () => false,
        ),
      ),
    );
    round.forEach((notice, i) => report(notice, results[i]!));
  }
}

function send(notice: Notice): Promise<void> {
  const job = getExternalWorkflowHandle(notice.workflowId);
  return notice.kind === 'granted' ? job.signal(targetGrantedSignal) : job.signal(targetWaitingSignal, { blocker: notice.blocker });
}
