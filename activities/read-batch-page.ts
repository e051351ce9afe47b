import { pausepoint } from '../src/failpoints.js';
import type { PageCursor } from '../src/connections/types.js';
import type { KeysetCursor } from '../src/query/keyset.js';
import { settleInexactJson } from '../src/connections/inexact-json.js';
import { ConnectionError } from '../src/connections/errors.js';
import { openPageSnapshot } from '../src/connections/index.js';
import { snapshotPath } from './job-files.js';
import type { RejectError } from '../src/validation/reject.js';
import type { JobContext } from './job-context.js';

/** A page of a job that reads a store, with the row number of each of its rows. */
export interface BatchPage {
  rows: Record<string, unknown>[];
  /** The 1-based row number of `rows[index]` in the job (see `pageRowNumber`). */
  rowOf(index: number): number;
  /**
   * What reading `rows[index]` found that no job may write as it is: a FORMAT error at the path of
   * each stored JSON number beyond ±2^53 (src/connections/inexact-json.ts). As a source file's
   * errors: a reject when the mapping reads that path, nothing otherwise.
   */
  errorsOf(index: number): RejectError[];
}

/**
 * The page of a job that reads a store (an export or a migration): the rows after the cursor planned
 * for `batch`, up to the next page's cursor (the last planned row for the last page), with only
 * the fields the mapping reads. Bounded by both cursors, a page neither drops nor repeats a row when
 * the store changes between planning and reading; it holds about the batch size. The last page
 * reads by count instead when its end is not known exactly (see `exactOrNothing`), or the plan
 * was written before the last row was kept.
 */
export async function readBatchPage(ctx: JobContext, batch: number): Promise<BatchPage> {
  let page: BatchPage | undefined;
  for await (const slice of readPageSlices(ctx, batch, Infinity)) page = slice;
  return page!;
}

/**
 * The page of `batch` (readBatchPage) in slices of at most `sliceRows` rows, in order, each slice's
 * `rowOf` and `errorsOf` by its own index. A page read by cursors is one slice. A snapshot's page
 * is read a slice at a time: a batch that maps each slice before it reads the next keeps a
 * slice's rows alive, not the page's, which V8's young generation collects at a fraction of the cost.
 */
export async function* readPageSlices(ctx: JobContext, batch: number, sliceRows: number): AsyncGenerator<BatchPage> {
  if (ctx.snapshot) return yield* snapshotSlices(ctx, batch, sliceRows);
  const { plan, pages, source } = ctx;
  const after = pages?.[batch];
  if (plan.source.type !== 'connection' || !source || after === undefined)
    throw new Error(`[job ${plan.jobId}] batch ${batch} is not in the plan (${pages?.length ?? 0} pages)`);
  const { query, sort } = plan.source;
  const shape = pageShape(ctx);
  const until = pages?.[batch + 1] ?? exactOrNothing(ctx.last);
  const bound = until ? { until } : { limit: planned(batch, shape) };
  // Tests change the store here, between planning and the page's read.
  await pausepoint('page-before-read');
  const rows = await source.connection.readPage({ query, ...(sort ? { sort } : {}), after, ...bound, ...(source.fields ? { fields: source.fields } : {}) });
  const errors = rows.map(settleInexactJson);
  yield { rows, rowOf: (index) => pageRowNumber(batch, index, shape), errorsOf: (index) => errors[index] ?? [] };
}

/**
 * The page of a job whose store took a snapshot at planning (snapshot.db in the job folder): its
 * rows b × size + 1 to (b + 1) × size, numbered so. A snapshot missing or unreadable is not
 * retried: the job has to be run again as a new one, which takes a new snapshot.
 */
async function* snapshotSlices(ctx: JobContext, batch: number, sliceRows: number): AsyncGenerator<BatchPage> {
  const { plan, scan } = ctx;
  const first = batch * plan.batch.size;
  const end = Math.min(first + plan.batch.size, scan.total);
  if (first >= scan.total) throw new Error(`[job ${plan.jobId}] batch ${batch} is not in the plan (${scan.total} rows)`);
  // Tests change the store here: the snapshot keeps the rows as they were at planning.
  await pausepoint('page-before-read');
  for (let from = first; from < end; from += sliceRows) {
    const rows = readSnapshot(ctx, from, Math.min(from + sliceRows, end));
    const errors = rows.map(settleInexactJson);
    yield { rows, rowOf: (index) => from + index + 1, errorsOf: (index) => errors[index] ?? [] };
  }
}

function readSnapshot(ctx: JobContext, from: number, to: number): Record<string, unknown>[] {
  const path = snapshotPath(ctx.plan.jobDir);
  try {
    ctx.pageSnapshot ??= openPageSnapshot(path);
    return ctx.pageSnapshot.read(from, to);
  } catch (err) {
    throw new ConnectionError(
      `[job ${ctx.plan.jobId}] cannot read the rows the job copied at planning (snapshot.db in its folder ${ctx.plan.jobDir}: ${(err as Error).message}); it may have been deleted or damaged. Run the pipeline again as a new job`,
      { retryable: false, cause: err },
    );
  }
}

/**
 * The last row's cursor, unless a number in it may have been rounded on its way through a JS
 * number (an integer beyond 2^53, or a fraction, which PostgreSQL's jsonb and numeric can hold
 * more exactly than a double) and the scan kept no exact digits for it (KeysetCursor `exact`):
 * a page ending at a rounded-down value would leave the last rows out.
 */
function exactOrNothing(last: KeysetCursor | null | undefined): PageCursor | undefined {
  if (!last) return undefined;
  const exact = (value: unknown): boolean => typeof value !== 'number' || Number.isSafeInteger(value);
  return (last.exact !== undefined || exact(last.value)) && last.key.every(exact) ? last : undefined;
}

interface PagesShape {
  size: number;
  total: number;
  pages: number;
}

/** The planned shape of a job's pages read by cursors, which numbers their rows (`pageRowNumber`). */
export function pageShape({ plan, scan, pages }: JobContext): PagesShape {
  return { size: plan.batch.size, total: scan.total, pages: pages?.length ?? 0 };
}

/**
 * A row's number in the job: its place in the planned order (batch × size + index + 1) while the
 * page holds no more rows than were planned for it. A row written into the page's range since
 * planning makes it longer; such extra rows are numbered after every planned one, interleaved by
 * page (total + 1 + extra × pages + batch), so no two rows of a job share a number. A migration
 * makes the user_ids it generates from these numbers: a shared one would collide.
 */
export function pageRowNumber(batch: number, index: number, shape: PagesShape): number {
  const count = planned(batch, shape);
  if (index < count) return batch * shape.size + index + 1;
  return shape.total + 1 + (index - count) * shape.pages + batch;
}

/** How many rows planning put in the page: the batch size, or the remainder on the last. */
function planned(batch: number, { size, total }: PagesShape): number {
  return Math.max(0, Math.min(size, total - batch * size));
}
