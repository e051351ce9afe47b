import type { RetryPlan } from './job-plan.js';

/**
 * A notification is tried at most twice by the engine, whatever `retry.max_attempts` says: the
 * job's data is committed by then, and each try already makes its own attempts (a webhook 3
 * requests of up to 10 s each), so five engine attempts kept a job "running" for about 3 minutes
 * against a receiver that never answers. Intervals follow the pipeline's `retry`.
 */
export const NOTIFY_MAX_ATTEMPTS = 2;

export function notifyRetry(retry: RetryPlan): RetryPlan {
  return { ...retry, maxAttempts: Math.min(retry.maxAttempts, NOTIFY_MAX_ATTEMPTS) };
}
