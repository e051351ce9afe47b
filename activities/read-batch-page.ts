import type { JobContext } from './job-context.js';

/**
 * The page of a job that reads a store (an export or a migration): the rows after the cursor planned
 * for `batch`, at most the batch size (the sample's remainder on the last page), with only the
 * fields the mapping reads. `first` is the 0-based place of its first row in the job's order.
 */
export async function readBatchPage(ctx: JobContext, batch: number): Promise<{ first: number; rows: Record<string, unknown>[] }> {
  const { plan, scan, pages, source } = ctx;
  const after = pages?.[batch];
  if (plan.source.type !== 'connection' || !source || after === undefined)
    throw new Error(`[job ${plan.jobId}] batch ${batch} is not in the plan (${pages?.length ?? 0} pages)`);
  const first = batch * plan.batch.size;
  const { query, sort } = plan.source;
  const limit = Math.max(0, Math.min(plan.batch.size, scan.total - first));
  const rows = await source.connection.readPage({ query, ...(sort ? { sort } : {}), after, limit, ...(source.fields ? { fields: source.fields } : {}) });
  return { first, rows };
}
