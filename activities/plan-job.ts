import type { PlanJobInput, PlanJobOutput } from '../src/plan/activity-types.js';
import { sourceFor } from '../src/sources/index.js';
import type { ActivityDeps } from './deps.js';
import { writePlanFile } from './job-files.js';
import { planPages } from './plan-pages.js';

/**
 * Plans a job and saves it as plan.json in the job folder: one pass over the source (a file's
 * checksum, count and batch boundaries; a store's page cursors), after checking that a target
 * store has every column the mapping writes.
 */
export async function planJob(deps: ActivityDeps, { plan }: PlanJobInput): Promise<PlanJobOutput> {
  if (plan.target.type === 'connection') await checkTargetColumns(deps, plan.target.connection, plan.target.table, plan.columns, plan.target.key);
  if (plan.source.type === 'connection') return planPages(deps, plan);
  const { path, format, csv } = plan.source;
  const scan = await sourceFor(format).scan({ path, format, csv }, plan.batch.size);
  writePlanFile({ plan, scan });
  return { checksum: scan.checksum, total: scan.total, batches: scan.batches.length };
}

async function checkTargetColumns(deps: ActivityDeps, name: string, table: string | undefined, columns: Record<string, string> | null, key: string[]): Promise<void> {
  const connection = await deps.pool.get(name, table);
  const known = new Set((await connection.columns()).map((c) => c.name));
  const wanted = [...new Set([...Object.keys(columns ?? {}), ...key])];
  const missing = wanted.filter((c) => !known.has(c));
  if (missing.length > 0) {
    throw new Error(`[connection:${connection.driver}] table ${connection.table} has no column ${missing.join(', ')} (columns: ${[...known].join(', ')})`);
  }
}
