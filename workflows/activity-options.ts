import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { PipelineActivities } from '../src/plan/activity-types.js';
import type { JobPlan, RetryPlan } from '../src/plan/job-plan.js';
import { notifyRetry } from '../src/plan/notify-retry.js';

/** How long runBatch may go without a heartbeat when ferry.yaml sets no `temporal.heartbeat_timeout`. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 120_000;

/**
 * The activities as the workflow calls them. Retries follow the pipeline's `retry:`; errors the
 * worker marks non-retryable (bad input) fail at once. runBatch heartbeats after every committed
 * chunk, so a worker that dies is noticed within the heartbeat timeout and the retry resumes from
 * the last cursor instead of waiting out the start-to-close timeout.
 */
export function pipelineActivities(plan: JobPlan): PipelineActivities {
  const retry = retryOptions(plan.retry);
  const heartbeatTimeout = plan.retry.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  // planJob scans the whole source once (minutes for 10M rows), finalizeJob assembles an export
  // file of them, notify waits on a webhook or mail server: they heartbeat while they work
  // (activities/temporal.ts), so a worker that dies in one is replaced within the heartbeat
  // timeout, not after its start-to-close timeout.
  const planning = proxyActivities<PipelineActivities>({ startToCloseTimeout: '2 hours', heartbeatTimeout, retry });
  const batches = proxyActivities<PipelineActivities>({ startToCloseTimeout: '1 hour', heartbeatTimeout, retry });
  const closing = proxyActivities<PipelineActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout, retry });
  const notifying = proxyActivities<PipelineActivities>({ startToCloseTimeout: '30 minutes', heartbeatTimeout, retry: retryOptions(notifyRetry(plan.retry)) });
  return { planJob: planning.planJob, runBatch: batches.runBatch, finalizeJob: closing.finalizeJob, notify: notifying.notify };
}

function retryOptions(policy: RetryPlan): ActivityOptions['retry'] {
  return { maximumAttempts: policy.maxAttempts, initialInterval: policy.initialIntervalMs, maximumInterval: policy.maxIntervalMs, backoffCoefficient: 2 };
}
