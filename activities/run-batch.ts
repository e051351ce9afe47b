import { failpoint } from '../src/failpoints.js';
import { coerceCells } from '../src/mapping/coerce.js';
import type { RowToWrite } from '../src/connections/types.js';
import type { RunBatchInput, RunBatchOutput } from '../src/plan/activity-types.js';
import { sourceFor } from '../src/sources/index.js';
import { maskRecord } from '../src/validation/mask.js';
import type { Reject, RejectError } from '../src/validation/reject.js';
import { validateUser } from '../src/validation/user-schema.js';
import type { JobContexts, JobContext } from './job-context.js';
import { rejectsPartPath, writeFileAtomic } from './job-files.js';

/**
 * Read → map → validate → write one batch of an import. The store commits the rows with a
 * (job, batch) marker, so a rerun after a crash writes nothing twice; the rejects part is rewritten
 * from the same deterministic read, so it is whole whether or not the first run got that far.
 */
export async function runBatch(contexts: JobContexts, { jobDir, batch }: RunBatchInput): Promise<RunBatchOutput> {
  const ctx = await contexts.get(jobDir);
  const { plan, scan } = ctx;
  const range = scan.batches[batch];
  if (!range) throw new Error(`[job ${plan.jobId}] batch ${batch} is not in the plan (${scan.batches.length} batches)`);
  if (plan.source.type !== 'file' || plan.target.type !== 'connection' || !ctx.target) throw new Error(`[job ${plan.jobId}] only file → connection imports run batches yet`);
  const { path, format, csv } = plan.source;
  const rows: RowToWrite[] = [];
  const rejects: Reject[] = [];
  const originals = new Map<number, Record<string, unknown>>();
  let read = 0;
  for await (const item of sourceFor(format).read({ path, format, csv }, range, scan)) {
    read++;
    if ('error' in item) {
      rejects.push({ row: item.row, record: item.raw, errors: [{ code: 'PARSE_ERROR', message: item.error, path: '' }] });
      continue;
    }
    const { values, errors } = await prepare(ctx, item.record);
    if (errors.length > 0) {
      rejects.push({ row: item.row, record: maskRecord(item.record), errors });
    } else {
      rows.push({ row: item.row, values });
      originals.set(item.row, item.record);
    }
  }
  const { key, upsert, metadata } = plan.target;
  const written = await ctx.target.connection.writeBatch({ job: plan.jobId, batch, rows, key, upsert, metadata, now: plan.startedAt });
  failpoint('batch-after-commit');
  for (const r of written.rejects) rejects.push({ row: r.row, record: maskRecord(originals.get(r.row)), errors: r.errors });
  rejects.sort((a, b) => a.row - b.row);
  writeFileAtomic(rejectsPartPath(jobDir, batch), rejects.map((r) => JSON.stringify(r) + '\n').join(''));
  const { inserted, updated, unchanged } = written;
  return { batch, read, inserted, updated, unchanged, rejected: rejects.length, exported: 0 };
}

/** Map, then check: the user rules, the table's columns (identity mapping), then `validate.rules`. */
async function prepare(ctx: JobContext, record: Record<string, unknown>): Promise<{ values: Record<string, unknown>; errors: RejectError[] }> {
  const { plan, target } = ctx;
  const mapped = await ctx.mapper.map(record);
  const identity = plan.columns === null;
  const types = new Map([...(target?.columns.values() ?? [])].map((c) => [c.name, c.type]));
  const values = identity && plan.source.type === 'file' && plan.source.format === 'csv' ? coerceCells(mapped.values, types) : mapped.values;
  const errors = mapped.errors;
  if (plan.validate.schema === 'user') errors.push(...validateUser(values, { rejectUnknownFields: identity }));
  if (identity) {
    const reported = new Set(errors.filter((e) => e.code === 'UNKNOWN_FIELD').map((e) => e.path));
    for (const field of Object.keys(values)) {
      if (!types.has(field) && !reported.has(field)) errors.push({ code: 'UNKNOWN_FIELD', message: `table ${target?.connection.table} has no column "${field}"`, path: field });
    }
  }
  if (errors.length === 0) errors.push(...(await ctx.checkRules(values)));
  return { values, errors };
}
