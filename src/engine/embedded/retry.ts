import type { RetryPlan } from '../../plan/job-plan.js';

export interface RetryOptions {
  policy: RetryPlan;
  isRetryable: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Runs `fn`, retrying transient failures with exponential backoff and jitter (half to full delay,
 * so retries of parallel batches do not hit a recovering database in lockstep). Bad input is not
 * retried; after the last attempt the last error is thrown.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, isRetryable } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.maxAttempts || !isRetryable(err)) throw err;
      const ceiling = Math.min(policy.maxIntervalMs, policy.initialIntervalMs * 2 ** (attempt - 1));
      const delay = Math.round(ceiling * (0.5 + random() / 2));
      options.onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}
