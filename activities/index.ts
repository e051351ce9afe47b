import type { PipelineActivities } from '../src/plan/activity-types.js';
import type { ActivityDeps } from './deps.js';
import { finalizeJob } from './finalize-job.js';
import { notify } from './notify.js';
import { planJob } from './plan-job.js';
import { createBatchRunner } from './batch-runner.js';

export { ConnectionPool, type ActivityDeps } from './deps.js';

/**
 * The activities, bound to their dependencies. Temporal workers register the returned object;
 * the embedded engine calls it through its journal. No module-level state: each call of the factory
 * has its own caches.
 */
export function createActivities(deps: ActivityDeps): PipelineActivities {
  const batches = createBatchRunner(deps);
  return {
    planJob: (input) => planJob(deps, input),
    runBatch: batches.runBatch,
    finalizeJob: (input) => finalizeJob(deps, batches.contexts, input),
    notify: (input) => notify(deps, input),
  };
}
