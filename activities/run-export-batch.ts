import { rmSync } from 'node:fs';
import type { RunBatchInput, RunBatchOutput } from '../src/plan/activity-types.js';
import { targetFor } from '../src/targets/index.js';
import type { ExportRow } from '../src/targets/types.js';
import type { Reject } from '../src/validation/reject.js';
import { outputPartPath } from './export-files.js';
import type { JobContext } from './job-context.js';
import { rejectsPartPath, toNdjson, writeFileAtomic } from './job-files.js';
import { readPageSlices } from './read-batch-page.js';

/** Rows mapped at a time: few enough to die young, enough that a slice's read and encode cost little. */
const SLICE_ROWS = 100;

/**
 * Read → map → encode one page of an export into its part file. The page starts at the cursor
 * planned for it and holds at most the batch size (the sample's remainder on the last page), so a
 * rerun rewrites the same part: nothing is appended, and finalizeJob concatenates whole parts.
 * A row whose mapping fails is a MAPPING_ERROR reject (row = its 1-based place in the export, see `pageRowNumber`), one
 * whose mapping reads a stored number a double would round a FORMAT reject. The page is mapped a
 * slice at a time (readPageSlices), so only a slice's rows are alive at once.
 */ export async function runExportBatch(ctx: JobContext, { jobDir, batch }: RunBatchInput): Promise<RunBatchOutput> {
  const { plan } = ctx;
  if (plan.target.type !== 'file') throw new Error(`[job ${plan.jobId}] batch ${batch}: not an export plan`);
  const { format, escapeFormulas } = plan.target;
  const target = targetFor(format);
  const options = { headers: Object.keys(plan.columns ?? {}), escapeFormulas };
  const texts: string[] = [];
  const rejects: Reject[] = [];
  let read = 0;
  let exported = 0;
  for await (const { rows, rowOf, errorsOf } of readPageSlices(ctx, batch, SLICE_ROWS)) {
    const values: ExportRow[] = [];
    for (const [i, row] of rows.entries()) {
      // A stored number the export would round: only where the mapping reads it (see errorsOf).
      const unreadable = errorsOf(i).filter((e) => ctx.mapper.reads(e.path));
      if (unreadable.length > 0) {
        rejects.push({ row: rowOf(i), record: ctx.mapper.maskRecord(row), errors: unreadable });
        continue;
      }
      const mapped = await ctx.mapper.map(row);
      if (mapped.errors.length > 0) rejects.push({ row: rowOf(i), record: ctx.mapper.maskRecord(row), errors: mapped.errors });
      else values.push(mapped.values);
    }
    read += rows.length;
    exported += values.length;
    // A slice's text is a part of its own: joined as finalizeJob joins parts, it is the page's.
    const text = await target.encode(values, options);
    if (text !== '') texts.push(text);
  }
  writeFileAtomic(outputPartPath(jobDir, batch, format), texts.join(target.separator));
  // No rejects, no part (finalizeJob joins the parts there are): one file fewer to create per page.
  // A rerun removes the part an earlier run of the page left, so it never counts twice.
  if (rejects.length > 0) writeFileAtomic(rejectsPartPath(jobDir, batch), toNdjson(rejects));
  else rmSync(rejectsPartPath(jobDir, batch), { force: true });
  return { batch, read, inserted: 0, updated: 0, unchanged: 0, rejected: rejects.length, exported };
}
