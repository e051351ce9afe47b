import { CancellationScope, condition, getExternalWorkflowHandle, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { JobPlan } from '../src/plan/job-plan.js';
import type { JobView } from './definitions.js';
import { waitingMessage } from '../src/plan/write-target.js';
import { releaseTargetSignal, targetGrantedSignal, targetWaitingSignal, type HeldTarget, type TargetLockActivities } from './target-definitions.js';

/**
 * A waiting job asks again this often: a lost lock (an operator terminated it) is started afresh
 * with the job in its queue, and a holder asking again is simply granted again.
 */
export const REQUEST_AGAIN_MS = 10 * 60_000;

const { requestTarget } = proxyActivities<TargetLockActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

/**
 * The Temporal side of the target gate: asks the table's lock for the job and waits for the
 * grant, `pending` with a message naming the job it waits for meanwhile. Returns the table held,
 * or undefined when the job was cancelled while waiting (its request withdrawn, nothing run).
 * Not cancellable itself: a cancel request is noticed through `cancel` and handled here.
 */
export function acquireTarget(plan: JobPlan, view: JobView, cancel: { requested(): boolean }): Promise<HeldTarget | undefined> {
  return CancellationScope.nonCancellable(async () => {
    let granted = false;
    let blocker: string | undefined;
    let target: HeldTarget | undefined;
    const show = (): void => void (view.waiting = blocker && target && !granted ? waitingMessage(blocker, target) : null);
    setHandler(targetGrantedSignal, () => void (granted = true));
    setHandler(targetWaitingSignal, (notice) => {
      blocker = notice.blocker;
      show();
    });
    view.status = 'pending';
    for (;;) {
      target = await requestTarget({ plan });
      show();
      if (await condition(() => granted || cancel.requested(), REQUEST_AGAIN_MS)) break;
    }
    if (cancel.requested()) {
      await releaseTarget(target);
      return undefined;
    }
    Object.assign(view, { status: 'running', waiting: null });
    return target;
  });
}

/** Lets go of the table (or withdraws the request): the next job in line may write. A lock that is gone has nothing to release. */
export function releaseTarget(target: HeldTarget): Promise<void> {
  return CancellationScope.nonCancellable(() =>
    getExternalWorkflowHandle(target.lockId).signal(releaseTargetSignal, { workflowId: workflowInfo().workflowId }),
  ).catch(() => undefined);
}
