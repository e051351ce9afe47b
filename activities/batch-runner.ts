import type { PipelineActivities } from '../src/plan/activity-types.js';
import type { ActivityDeps } from './deps.js';
import { JobContexts } from './job-context.js';
import { runBatch } from './run-batch.js';

/**
 * runBatch over job caches of its own: the activities' (index.ts), and a batch thread's
 * (batch-thread.ts), which loads only this, not the other activities.
 */
export function createBatchRunner(deps: ActivityDeps): Pick<PipelineActivities, 'runBatch'> & { contexts: JobContexts } {
  const contexts = new JobContexts(deps);
  return { contexts, runBatch: (input) => runBatch(contexts, deps.progress, input) };
}
