import { CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { isRetryable } from '../src/connections/errors.js';
import type { PipelineActivities } from '../src/plan/activity-types.js';
import type { ActivityDeps } from './deps.js';
import { createActivities } from './index.js';
import type { ActivityProgress } from './progress.js';

/**
 * The activities as a Temporal worker registers them: createActivities with heartbeats, heartbeat
 * details and cancellation taken from the activity Context, and errors translated so that the
 * server retries only what may succeed on a second attempt.
 */
export function createTemporalActivities(deps: Omit<ActivityDeps, 'progress'>): PipelineActivities {
  const acts = createActivities({ ...deps, progress: temporalProgress });
  const mask = (text: string): string => deps.masker.mask(text);
  return {
    planJob: (input) => translated(() => acts.planJob(input), mask),
    runBatch: (input) => translated(() => acts.runBatch(input), mask),
    finalizeJob: (input) => translated(() => acts.finalizeJob(input), mask),
    notify: (input) => translated(() => acts.notify(input), mask),
  };
}

/** ActivityProgress backed by the current activity's Context (an AsyncLocalStorage lookup per call). */
export const temporalProgress: ActivityProgress = {
  heartbeat: (details) => Context.current().heartbeat(details),
  lastDetails: () => Context.current().info.heartbeatDetails as unknown,
  throwIfCancelled: () => {
    const signal = Context.current().cancellationSignal;
    if (!signal.aborted) return;
    // The worker aborts with a CancelledFailure; rethrowing it reports the attempt as cancelled.
    throw signal.reason instanceof CancelledFailure ? signal.reason : new CancelledFailure('activity cancelled');
  },
};

async function translated<T>(run: () => Promise<T>, mask: (text: string) => string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toTemporalFailure(err, mask);
  }
}

/**
 * Temporal failures pass through; anything else becomes an ApplicationFailure with the masked
 * message only (no stack, no cause: a driver error may quote a connection string), retryable only
 * when isRetryable says so (lost connections, lock timeouts) — bad input fails the step at once.
 */
export function toTemporalFailure(err: unknown, mask: (text: string) => string = (t) => t): Error {
  if (err instanceof TemporalFailure) return err;
  const message = mask(err instanceof Error ? err.message : String(err));
  const type = err instanceof Error ? err.name : 'Error';
  return isRetryable(err) ? ApplicationFailure.retryable(message, type) : ApplicationFailure.nonRetryable(message, type);
}
