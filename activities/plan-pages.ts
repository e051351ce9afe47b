import { createHash } from 'node:crypto';
import type { PlanJobOutput } from '../src/plan/activity-types.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import type { ActivityDeps } from './deps.js';
import { mkdirSync } from 'node:fs';
import { fieldsRead } from '../src/mapping/fields-read.js';
import { pausepoint } from '../src/failpoints.js';
import { plannedBatches, snapshotPath, writePlanFile, type PlanFile } from './job-files.js';

/**
 * Plans a job that reads a store (an export, or a migration into another store). A store that can
 * copies the rows the batches will read into the job's snapshot (snapshotPath: the columns the
 * mapping reads, in page order); any other gives, in one streaming pass over the matching rows'
 * sort values and keys, the count and the cursor before each batch's page and the last row's
 * (where the last page ends), saved in plan.json. The checksum stands for what the batches will
 * read (query, sort, count, boundaries), since a store has no file to hash.
 */
export async function planPages(deps: ActivityDeps, plan: JobPlan): Promise<PlanJobOutput> {
  if (plan.source.type !== 'connection') throw new Error(`[job ${plan.jobId}] planPages reads a connection source`);
  const { connection: name, table, query, sort } = plan.source;
  const connection = await deps.pool.get(name, table, 'read');
  // Once per job, as for a target: a long-lived process (serve, a worker) sees a table altered since.
  await connection.columns('read');
  const fields = sourceFields(plan);
  mkdirSync(plan.jobDir, { recursive: true });
  // Tests hold the plan here (while the engine starts batch threads).
  await pausepoint('plan-before-scan');
  const { total, starts, last, snapshotTaken } = await connection.planPages({
    query,
    ...(sort ? { sort } : {}),
    size: plan.batch.size,
    ...(plan.sample === undefined ? {} : { limit: plan.sample }),
    snapshot: { path: snapshotPath(plan.jobDir), ...(fields ? { fields } : {}) },
  });
  const checksum = createHash('sha256')
    .update(JSON.stringify({ query, sort: sort ?? null, total, starts, snapshot: snapshotTaken ?? false }))
    .digest('hex');
  const file: PlanFile = { plan, scan: { checksum, total, bytes: 0, batches: [] }, ...(snapshotTaken ? { snapshot: true } : { pages: starts, last }) };
  writePlanFile(file);
  return { checksum, total, batches: plannedBatches(file) };
}

/** The only fields of a store a job's mapping reads (fields-read.ts); undefined: all of them. */
export function sourceFields(plan: JobPlan): string[] | undefined {
  const fields = plan.columns ? fieldsRead(Object.values(plan.columns)) : 'all';
  return fields === 'all' ? undefined : [...fields];
}
