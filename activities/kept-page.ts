import { readFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { ConnectionError } from '../src/connections/errors.js';
import type { RejectError } from '../src/validation/reject.js';
import { keptPagePath, writeFileOnce } from './job-files.js';
import type { JobContext } from './job-context.js';
import { pageRowNumber, pageShape, readBatchPage, type BatchPage } from './read-batch-page.js';

/**
 * A migration's page, as the batch's first read found it. A page read by cursors reads the live
 * table, and a batch commits it in chunks: had a retry read it again after rows arrived in its
 * range or left it, its chunks would be cut from other rows, so a committed chunk's replay would
 * skip a row never written and the next chunk write one already written (with another generated
 * user_id). The first read is kept in the job folder (pages/, removed when the job succeeds) and
 * every later attempt reads that. A snapshot's page (SQLite) is fixed already and is not kept.
 */
export async function readKeptPage(ctx: JobContext, batch: number): Promise<BatchPage> {
  if (ctx.snapshot) return readBatchPage(ctx, batch);
  const path = keptPagePath(ctx.plan.jobDir, batch);
  const kept = readKept(ctx, path);
  if (kept) return keptPage(kept, (index) => pageRowNumber(batch, index, pageShape(ctx)));
  const page = await readBatchPage(ctx, batch);
  const ours = serialize({ rows: page.rows, errors: page.rows.map((_, index) => page.errorsOf(index)) } satisfies KeptRows);
  // Two attempts of the batch at once (a Temporal retry while the first still runs) keep one page.
  const bytes = writeFileOnce(path, ours);
  return bytes === ours ? page : keptPage(decode(ctx, path, bytes), page.rowOf);
}

/** The rows of a page, settled (their stored JSON parsed), with what reading each one found. */
interface KeptRows {
  rows: Record<string, unknown>[];
  errors: RejectError[][];
}

function keptPage({ rows, errors }: KeptRows, rowOf: (index: number) => number): BatchPage {
  return { rows, rowOf, errorsOf: (index) => errors[index] ?? [] };
}

/** The kept page, or undefined when the batch never read one. */
function readKept(ctx: JobContext, path: string): KeptRows | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(ctx, path, err);
  }
  return decode(ctx, path, bytes);
}

function decode(ctx: JobContext, path: string, bytes: Buffer): KeptRows {
  let kept: unknown;
  try {
    kept = deserialize(bytes);
  } catch (err) {
    throw unreadable(ctx, path, err);
  }
  const { rows, errors } = (kept ?? {}) as Partial<KeptRows>;
  if (!Array.isArray(rows) || !Array.isArray(errors) || rows.length !== errors.length)
    throw unreadable(ctx, path, new Error('it does not hold a page of rows'));
  return { rows, errors };
}

function unreadable(ctx: JobContext, path: string, err: unknown): ConnectionError {
  return new ConnectionError(
    `[job ${ctx.plan.jobId}] cannot read the rows its batch read first (${path}: ${(err as Error).message}); the file may have been damaged. Its rows cannot be read again as they were: run the pipeline again as a new job`,
    { retryable: false, cause: err },
  );
}
