import { rmSync } from 'node:fs';
import type { RunBatchInput, RunBatchOutput } from '../src/plan/activity-types.js';
import { targetFor } from '../src/targets/index.js';
import type { ExportRow, TargetDefinition } from '../src/targets/types.js';
import { mappedChars } from '../src/mapping/json-size.js';
import { checkWellFormed } from '../src/validation/well-formed.js';
import type { Reject } from '../src/validation/reject.js';
import { outputPartPath } from './export-files.js';
import type { JobContext } from './job-context.js';
import { pieceFile, rejectsPartPath, toNdjson, writeFileAtomic, type PieceFile } from './job-files.js';
import { readPageSlices } from './read-batch-page.js';

/** Rows read at a time: few enough to die young, enough that a slice's read costs little. */
const SLICE_ROWS = 100;

/**
 * Read → map → encode one page of an export into its part file. The page starts at the cursor
 * planned for it and holds at most the batch size (the sample's remainder on the last page), so a
 * rerun rewrites the same part: nothing is appended, and finalizeJob concatenates whole parts.
 * A row whose mapping fails is a MAPPING_ERROR reject (row = its 1-based place in the export, see `pageRowNumber`), one
 * whose mapping reads a stored number a double would round a FORMAT reject. The page is read a
 * slice at a time (readPageSlices), its rows encoded and written out once they hold a few MB, so
 * only a slice's rows and a few MB of text are alive at once: a mapping that makes each row 60 MB
 * does not run out of memory.
 */
export async function runExportBatch(ctx: JobContext, { jobDir, batch }: RunBatchInput): Promise<RunBatchOutput> {
  const { plan } = ctx;
  if (plan.target.type !== 'file') throw new Error(`[job ${plan.jobId}] batch ${batch}: not an export plan`);
  const { format, escapeFormulas } = plan.target;
  const target = targetFor(format);
  const part = partText(target, pieceFile(outputPartPath(jobDir, batch, format)));
  const options = { headers: Object.keys(plan.columns ?? {}), escapeFormulas };
  const rejects: Reject[] = [];
  const values: ExportRow[] = [];
  let chars = 0;
  const encodeMapped = async (): Promise<void> => {
    if (values.length > 0) part.add(await target.encode(values.splice(0), options));
    chars = 0;
  };
  let read = 0;
  let exported = 0;
  try {
    for await (const { rows, rowOf, errorsOf } of readPageSlices(ctx, batch, SLICE_ROWS)) {
      for (const [i, row] of rows.entries()) {
        // A stored number the export would round: only where the mapping reads it (see errorsOf).
        const unreadable = errorsOf(i).filter((e) => ctx.mapper.reads(e.path));
        if (unreadable.length > 0) {
          rejects.push({ row: rowOf(i), record: ctx.mapper.maskRecord(row), errors: unreadable });
          continue;
        }
        const mapped = await ctx.mapper.map(row);
        // A value no file can hold as it is (a lone surrogate, made by $substring or $split of an
        // emoji): CSV wrote U+FFFD and JSON a "\ud83d" no import takes. As an import checks it.
        if (mapped.errors.length === 0) checkWellFormed(mapped.errors, mapped.values);
        if (mapped.errors.length === 0) target.check?.(mapped.values, options, mapped.errors);
        if (mapped.errors.length > 0) rejects.push({ row: rowOf(i), record: ctx.mapper.maskRecord(row), errors: mapped.errors });
        else {
          values.push(mapped.values);
          chars += mappedChars(mapped.values, PENDING_CHARS);
          // Rows made large by their mapping are encoded and written out before more are mapped.
          if (chars >= PENDING_CHARS) await encodeMapped();
          exported++;
        }
      }
      await encodeMapped();
      read += rows.length;
    }
    part.commit();
  } catch (err) {
    part.abort();
    throw err;
  }
  // No rejects, no part (finalizeJob joins the parts there are): one file fewer to create per page.
  // A rerun removes the part an earlier run of the page left, so it never counts twice.
  if (rejects.length > 0) writeFileAtomic(rejectsPartPath(jobDir, batch), toNdjson(rejects));
  else rmSync(rejectsPartPath(jobDir, batch), { force: true });
  return { batch, read, inserted: 0, updated: 0, unchanged: 0, rejected: rejects.length, exported };
}

/** Mapped or encoded rows kept before they are written out: a page of 64 MiB rows (each within the mapping's limit) is never all in memory. */
const PENDING_CHARS = 8 * 1024 * 1024;

/**
 * A page's part file, fed encoded slices of rows: the slices joined by the format's separator, as
 * finalizeJob joins parts (a slice's text is a part of its own), written out every PENDING_CHARS.
 */
function partText(target: TargetDefinition, file: PieceFile) {
  let pending: string[] = [];
  let chars = 0;
  let written = false;
  const flush = (): void => {
    if (pending.length === 0) return;
    file.write((written ? target.separator : '') + pending.join(target.separator));
    written = true;
    pending = [];
    chars = 0;
  };
  return {
    add(text: string): void {
      if (text === '') return;
      pending.push(text);
      chars += text.length;
      if (chars >= PENDING_CHARS) flush();
    },
    commit(): void {
      flush();
      file.commit();
    },
    abort: () => file.abort(),
  };
}
