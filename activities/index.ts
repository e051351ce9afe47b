import type { PipelineActivities } from '../src/plan/activity-types.js';
import type { ActivityDeps } from './deps.js';
import { finalizeJob } from './finalize-job.js';
import { JobContexts } from './job-context.js';
import { notify } from './notify.js';
import { planJob } from './plan-job.js';
import { runBatch } from './run-batch.js';

export { ConnectionPool, type ActivityDeps } from './deps.js';

/**
 * The activities, bound to their dependencies. Temporal workers register the returned object;
 * the embedded engine calls it through its journal. No module-level state: each call of the factory
 * has its own caches.
 */
export function createActivities(deps: ActivityDeps): PipelineActivities {
  const contexts = new JobContexts(deps);
  return {
    planJob: (input) => planJob(deps, input),
    runBatch: (input) => runBatch(contexts, deps.progress, input),
    finalizeJob: (input) => finalizeJob(contexts, input),
    notify: (input) => notify(deps, input),
  };
}
