import type { PlanJobInput, PlanJobOutput } from '../src/plan/activity-types.js';
import { readFileSync } from 'node:fs';
import { sourceFor } from '../src/sources/index.js';
import type { ByteRange, SourceScan } from '../src/sources/types.js';
import type { ActivityDeps } from './deps.js';
import { writePlanFile } from './job-files.js';
import { planPages } from './plan-pages.js';
import { refuseForeignProject, refuseForeignSource } from './project-check.js';

/**
 * Plans a job and saves it as plan.json in the job folder: one pass over the source (a file's
 * checksum, count and batch boundaries; a store's page cursors), after checking that a target
 * store has every column the mapping writes. On Temporal it first refuses a job another project
 * submitted to this worker's task queue (project-check.ts).
 */
export async function planJob(deps: ActivityDeps, { plan }: PlanJobInput): Promise<PlanJobOutput> {
  refuseForeignProject(deps.project, plan);
  if (plan.target.type === 'connection') await checkTargetColumns(deps, plan.target.connection, plan.target.table, plan.columns, plan.target.key);
  if (plan.source.type === 'connection') return planPages(deps, plan);
  const { path, format, csv } = plan.source;
  const full = await sourceFor(format).scan({ path, format, csv }, plan.batch.size);
  refuseForeignSource(deps.project, plan, full.checksum);
  const scan = plan.retryOf ? onlyRows(full, readRetryRows(plan.retryOf.rowsFile)) : full;
  writePlanFile({ plan, scan });
  return { checksum: scan.checksum, total: scan.total, batches: scan.batches.length };
}

/** The rows a retry of rejects reads (`ferry jobs retry-rejects`), written by the CLI as a JSON array. */
export function readRetryRows(rowsFile: string): Set<number> {
  return new Set(JSON.parse(readFileSync(rowsFile, 'utf8')) as number[]);
}

/**
 * A retry reads only the batches holding one of its rows; `total` counts the rows, as the job's
 * summary will. One pass over the batches and the sorted rows together: a retry of a million
 * rejects must not test every row against every batch.
 */
function onlyRows(scan: SourceScan, rows: Set<number>): SourceScan {
  const wanted = [...rows].sort((a, b) => a - b);
  const batches: ByteRange[] = [];
  let total = 0;
  let next = 0;
  for (const batch of scan.batches) {
    while (next < wanted.length && (wanted[next] as number) < batch.firstRow) next++;
    const from = next;
    while (next < wanted.length && (wanted[next] as number) < batch.firstRow + batch.count) next++;
    if (next === from) continue;
    batches.push({ ...batch, index: batches.length });
    total += next - from;
  }
  return { ...scan, total, batches };
}
async function checkTargetColumns(
  deps: ActivityDeps,
  name: string,
  table: string | undefined,
  columns: Record<string, string> | null,
  key: string[],
): Promise<void> {
  const connection = await deps.pool.get(name, table);
  const known = new Set((await connection.columns()).map((c) => c.name));
  const wanted = [...new Set([...Object.keys(columns ?? {}), ...key])];
  const missing = wanted.filter((c) => !known.has(c));
  if (missing.length > 0) {
    throw new Error(`[connection:${connection.driver}] table ${connection.table} has no column ${missing.join(', ')} (columns: ${[...known].join(', ')})`);
  }
}
