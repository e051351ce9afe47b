import { rmSync } from 'node:fs';
import type { RunBatchInput, RunBatchOutput } from '../src/plan/activity-types.js';
import { targetFor } from '../src/targets/index.js';
import type { ExportRow } from '../src/targets/types.js';
import type { Reject } from '../src/validation/reject.js';
import { outputPartPath } from './export-files.js';
import type { JobContext } from './job-context.js';
import { rejectsPartPath, toNdjson, writeFileAtomic } from './job-files.js';
import { readBatchPage } from './read-batch-page.js';

/**
 * Read → map → encode one page of an export into its part file. The page starts at the cursor
 * planned for it and holds at most the batch size (the sample's remainder on the last page), so a
 * rerun rewrites the same part: nothing is appended, and finalizeJob concatenates whole parts.
 * A row whose mapping fails is a MAPPING_ERROR reject (row = its 1-based place in the export, see `pageRowNumber`), one
 * whose mapping reads a stored number a double would round a FORMAT reject.
 */
export async function runExportBatch(ctx: JobContext, { jobDir, batch }: RunBatchInput): Promise<RunBatchOutput> {
  const { plan } = ctx;
  if (plan.target.type !== 'file') throw new Error(`[job ${plan.jobId}] batch ${batch}: not an export plan`);
  const { rows, rowOf, errorsOf } = await readBatchPage(ctx, batch);
  const exported: ExportRow[] = [];
  const rejects: Reject[] = [];
  for (const [i, row] of rows.entries()) {
    // A stored number the export would round: only where the mapping reads it (see errorsOf).
    const unreadable = errorsOf(i).filter((e) => ctx.mapper.reads(e.path));
    if (unreadable.length > 0) {
      rejects.push({ row: rowOf(i), record: ctx.mapper.maskRecord(row), errors: unreadable });
      continue;
    }
    const { values, errors } = await ctx.mapper.map(row);
    if (errors.length > 0) rejects.push({ row: rowOf(i), record: ctx.mapper.maskRecord(row), errors });
    else exported.push(values);
  }
  const { format, escapeFormulas } = plan.target;
  const text = await targetFor(format).encode(exported, { headers: Object.keys(plan.columns ?? {}), escapeFormulas });
  writeFileAtomic(outputPartPath(jobDir, batch, format), text);
  // No rejects, no part (finalizeJob joins the parts there are): one file fewer to create per page.
  // A rerun removes the part an earlier run of the page left, so it never counts twice.
  if (rejects.length > 0) writeFileAtomic(rejectsPartPath(jobDir, batch), toNdjson(rejects));
  else rmSync(rejectsPartPath(jobDir, batch), { force: true });
  return { batch, read: rows.length, inserted: 0, updated: 0, unchanged: 0, rejected: rejects.length, exported: exported.length };
}
