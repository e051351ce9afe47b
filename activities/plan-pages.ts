import { createHash } from 'node:crypto';
import type { PlanJobOutput } from '../src/plan/activity-types.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import type { ActivityDeps } from './deps.js';
import { writePlanFile } from './job-files.js';

/**
 * Plans a job that reads a store (an export, or a migration into another store): one streaming
 * pass over the matching rows' sort values and keys gives the count and the cursor before each
 * batch's page and the last row's (where the last page ends), saved in plan.json. The checksum
 * stands for what the batches will read (query, sort, count, boundaries), since a store has no file to hash.
 */
export async function planPages(deps: ActivityDeps, plan: JobPlan): Promise<PlanJobOutput> {
  if (plan.source.type !== 'connection') throw new Error(`[job ${plan.jobId}] planPages reads a connection source`);
  const { connection: name, table, query, sort } = plan.source;
  const connection = await deps.pool.get(name, table);
  // Once per job, as for a target: a long-lived process (serve, a worker) sees a table altered since.
  await connection.columns();
  const { total, starts, last } = await connection.planPages({
    query,
    ...(sort ? { sort } : {}),
    size: plan.batch.size,
    ...(plan.sample === undefined ? {} : { limit: plan.sample }),
  });
  const checksum = createHash('sha256')
    .update(JSON.stringify({ query, sort: sort ?? null, total, starts }))
    .digest('hex');
  writePlanFile({ plan, scan: { checksum, total, bytes: 0, batches: [] }, pages: starts, last });
  return { checksum, total, batches: starts.length };
}
