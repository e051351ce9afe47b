import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { failpoint, pausepoint } from '../src/failpoints.js';
import { DEFAULT_LIMITS } from '../src/mapping/budget.js';
import { mappedChars } from '../src/mapping/json-size.js';
import { prepareRecord, type PreparedRecord, type RecordStep } from '../src/mapping/prepare-record.js';
import { isPromise } from '../src/mapping/is-promise.js';
import type { ColumnType, RestoreEntry, RowToWrite } from '../src/connections/types.js';
import { commitRecords } from '../src/plan/job-plan.js';
import { addCounts, type RunBatchInput, type RunBatchOutput } from '../src/plan/activity-types.js';
import { sourceFor } from '../src/sources/index.js';
import type { ByteRange, RangeReader, SourceRecord } from '../src/sources/types.js';
import type { Reject } from '../src/validation/reject.js';
import type { JobContexts, JobContext } from './job-context.js';
import type { BatchPage } from './read-batch-page.js';
import { chunkFilePattern, chunkPath, linkFileAtomic, partsDir, rejectsPartPath, toNdjson, writeFileAtomic } from './job-files.js';
import type { ActivityProgress } from './progress.js';

/** A chunk's marker id is batch × CHUNK_SLOTS + chunk (batch.size ≤ 100,000 gives ≤ 100 chunks of ≥ 1,000). */
const CHUNK_SLOTS = 1024;

/**
 * A chunk of a file ends early once it holds this many bytes of the source: 1,000 records of up to
 * 16 MiB each would all be parsed, mapped and held before their write, gigabytes a thread. Cut by
 * file offsets, the chunks are the same on every run of the batch, as a replay needs. Only the
 * first CHUNK_SLOTS / 2 chunks of a batch are cut so, which leaves every batch size its count-cut
 * chunks within its marker ids. FERRY_CHUNK_MAX_BYTES sets another size (tests).
 */
const EARLY_CHUNKS = CHUNK_SLOTS / 2;
const chunkMaxBytes = (): number => Number(process.env['FERRY_CHUNK_MAX_BYTES'] ?? '') || 64 * 1024 * 1024;

/**
 * A chunk also ends once its mapped values would make this many characters of JSON: a mapping can
 * make each small record up to its output limit (64 Mi characters), and 1,000 of them were mapped
 * and held before their write. Twice the output limit, so a chunk holds at least two of the
 * largest records and a batch of up to 1,024 records needs no more than the EARLY_CHUNKS a batch
 * may cut by size. Mapping is deterministic, so a replay cuts the same chunks.
 * FERRY_CHUNK_MAX_MAPPED sets another size (tests).
 */
const chunkMaxMapped = (): number => Number(process.env['FERRY_CHUNK_MAX_MAPPED'] ?? '') || 2 * DEFAULT_LIMITS.output;

type Counts = Omit<RunBatchOutput, 'batch'>;

/** The heartbeat cursor: where the batch stands after its last committed chunk. */
export interface BatchCursor {
  batch: number;
  /** The next chunk to run. */
  chunk: number;
  /** File offset and row number of the next record. */
  position: number;
  row: number;
  counts: Counts;
}

/**
 * Read → map → validate → write one batch of an import (a byte range of the source file) or a
 * migration (a page of the source store), committing `commitRecords(plan)` at a time (a chunk). Each chunk commits
 * its rows with a marker in one transaction, so a rerun after a crash writes nothing twice; its
 * rejects are rewritten from the same deterministic read. A retry that carries the last heartbeat
 * (Temporal) resumes after the last committed chunk instead of re-reading the batch.
 */
export async function runBatch(contexts: JobContexts, progress: ActivityProgress | undefined, { jobDir, batch }: RunBatchInput): Promise<RunBatchOutput> {
  const ctx = await contexts.get(jobDir);
  // The export and migration paths load when a batch of theirs first runs: each batch thread holds
  // every module it loads in its own heap, twice over once the old generation grows (bin.ts), and an
  // import of a file never needs them (test/unit/engine/batch-thread-imports.test.ts).
  if (ctx.plan.kind === 'export') return (await import('./run-export-batch.js')).runExportBatch(ctx, { jobDir, batch });
  const span = ctx.plan.source.type === 'file' ? fileSpan(ctx, batch) : await pageSpan(ctx, batch);
  const { range } = span;
  const cursor = resumeFrom(progress?.lastDetails(), span) ?? { batch, chunk: 0, position: range.start, row: range.firstRow, counts: zero() };
  // Recorded before any write too: a retry of a batch that failed before its first commit is still
  // named by its batch (Temporal's pending activity shows the cursor; retries.ts reads it).
  progress?.heartbeat(cursor);
  const reader = span.read({ ...range, start: cursor.position, firstRow: cursor.row, count: range.firstRow + range.count - cursor.row });
  const perCommit = commitRecords(ctx.plan);
  const maxBytes = span.page ? Infinity : chunkMaxBytes();
  const maxMapped = chunkMaxMapped();
  const chunk = new PendingChunk(ctx);
  let nextRow = cursor.row;
  const commit = async (): Promise<void> => {
    await pausepoint('chunk-before-write');
    await pausepoint(`batch-${batch}-before-write`);
    add(cursor.counts, await chunk.commit(batch, cursor.chunk));
    cursor.chunk++;
    cursor.row = nextRow;
    cursor.position = reader.position;
    progress?.heartbeat(cursor);
    progress?.throwIfCancelled();
  };
  for await (const item of reader) {
    nextRow = item.row + 1;
    // A retry of rejects passes over the rows it does not retry.
    if (ctx.rows && !ctx.rows.has(item.row)) continue;
    // Awaited only when the record needed a promise (an interpreted column, a rule): an await per
    // record was a promise and a suspension each.
    const adding = chunk.add(item);
    if (adding !== undefined) await adding;
    const big = cursor.chunk < EARLY_CHUNKS && (reader.position - cursor.position >= maxBytes || chunk.chars >= maxMapped);
    if (chunk.size === perCommit || big) await commit();
  }
  if (chunk.size > 0 || cursor.chunk === 0) await commit();
  progress?.written?.();
  mergeChunkRejects(jobDir, batch, cursor.chunk);
  return { batch, ...cursor.counts };
}

/** A batch's records: its range (positions are file offsets, or indexes into a page) and a reader for any tail of it. */
interface BatchSpan {
  range: ByteRange;
  read(rest: ByteRange): RangeReader;
  /** A store page: positions index its rows, whose numbers need not run on from `firstRow` (see `pageRowNumber`). */
  page?: true;
}

function fileSpan(ctx: JobContext, batch: number): BatchSpan {
  const { plan, scan, ranges } = ctx;
  const range = ranges.at(batch);
  if (!range) throw new Error(`[job ${plan.jobId}] batch ${batch} is not in the plan (${ranges.length} batches)`);
  if (plan.source.type !== 'file') throw new Error('unreachable: not a file source');
  const { path, format, csv } = plan.source;
  return { range, read: (rest) => sourceFor(format).read({ path, format, csv }, rest, scan) };
}

/**
 * A migration's batch: its page of the source store, read whole (a page is one batch, about
 * batch.size rows), as its first attempt read it (kept-page.ts). Rows are numbered by their place in the migration's order, as in an export
 * (`pageRowNumber`: never two rows with one number, which would generate one user_id for both).
 */
async function pageSpan(ctx: JobContext, batch: number): Promise<BatchSpan> {
  const { readKeptPage } = await import('./kept-page.js');
  const page = await readKeptPage(ctx, batch);
  const range: ByteRange = { index: batch, start: 0, end: page.rows.length, firstRow: page.rowOf(0), count: page.rows.length };
  return { range, read: (rest) => pageReader(page, rest), page: true };
}

/** The page's rows from `rest.start` (an index into the page), each with its number and what reading it found (as a file source's errors). */
function pageReader({ rows, rowOf, errorsOf }: BatchPage, rest: ByteRange): RangeReader {
  let position = rest.start;
  const records = (async function* (): AsyncGenerator<SourceRecord> {
    while (position < rest.end) {
      const row = rowOf(position);
      const errors = errorsOf(position);
      const record = rows[position++] as Record<string, unknown>;
      yield errors.length > 0 ? { row, record, errors } : { row, record };
    }
  })();
  // `position` is read live after each chunk, as from a file reader: a getter, not a copied value.
  return Object.defineProperty(records, 'position', { get: () => position }) as RangeReader;
}

/** The previous attempt's cursor, if it belongs to this batch and lies inside its range. */
function resumeFrom(details: unknown, { range, page }: BatchSpan): BatchCursor | undefined {
  const c = details as BatchCursor | undefined;
  if (!c || c.batch !== range.index || typeof c.position !== 'number' || typeof c.row !== 'number') return undefined;
  if (c.position < range.start || c.position > range.end) return undefined;
  if (!page && (c.row < range.firstRow || c.row > range.firstRow + range.count)) return undefined;
  return { ...c, counts: { ...c.counts } };
}

/** A record mapped and checked, waiting for its chunk's write: a row to write or a reject. */
/** A record mapped: its reject, or its values; `line` where the source counts lines (SourceRecord `line`). */
type MappedItem = { row: number; reject: Reject } | { row: number; line?: number; values: Record<string, unknown>; record: Record<string, unknown> };

/**
 * The records of the chunk being read. An import's are mapped and checked as they come, so the
 * chunk can end by the size of what they map to (`chars`); a rollback's backup lines wait
 * as they are.
 */
class PendingChunk {
  private lines: SourceRecord[] = [];
  private mapped: MappedItem[] = [];
  /** A lower bound of the JSON of the chunk's mapped values. */
  chars = 0;
  private readonly step: RecordStep;

  constructor(private readonly ctx: JobContext) {
    const types = new Map([...(ctx.target?.columns.values() ?? [])].map((c) => [c.name, c.type]));
    this.step = recordStep(ctx, types);
  }

  get size(): number {
    return this.lines.length + this.mapped.length;
  }

  /** A promise only when the record's mapping or checks needed one (`prepareRecord`). */
  add(item: SourceRecord): Promise<void> | undefined {
    if (this.ctx.plan.kind === 'rollback') return void this.lines.push(item);
    const mapped = mapItem(this.ctx, this.step, item);
    if (!isPromise(mapped)) return this.keep(mapped);
    return mapped.then((m) => this.keep(m));
  }

  private keep(mapped: MappedItem): undefined {
    if ('values' in mapped) this.chars += mappedChars(mapped.values, DEFAULT_LIMITS.output);
    this.mapped.push(mapped);
    return undefined;
  }

  async commit(batch: number, chunk: number): Promise<Counts> {
    const { lines, mapped } = this;
    this.lines = [];
    this.mapped = [];
    this.chars = 0;
    return this.ctx.plan.kind === 'rollback' ? restoreChunk(this.ctx, batch, chunk, lines) : writeChunk(this.ctx, batch, chunk, mapped);
  }
}

function mapItem(ctx: JobContext, step: RecordStep, item: SourceRecord): MappedItem | Promise<MappedItem> {
  if ('error' in item) {
    const { record, message } = ctx.mapper.maskParseError(item.raw, item.error);
    return { row: item.row, reject: { row: item.row, ...lineOf(item.line), record, errors: [{ code: 'PARSE_ERROR', message, path: item.path ?? '' }] } };
  }
  const prepared = prepareRecord(step, item.record, item.errors);
  return isPromise(prepared) ? prepared.then((p) => mappedItem(ctx, item, p)) : mappedItem(ctx, item, prepared);
}

function mappedItem(
  ctx: JobContext,
  { record, row, line }: { record: Record<string, unknown>; row: number; line?: number },
  { values, errors }: PreparedRecord,
): MappedItem {
  if (errors.length > 0) return { row, reject: { row, ...lineOf(line), record: ctx.mapper.maskRecord(record), errors } };
  return { row, ...lineOf(line), values, record };
}

/** Reject `line`: present only where the source counted lines (a store's rows and older plans have none). */
function lineOf(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

/**
 * A chunk committed before a crash is replayed from its marker, and its rows refused before the
 * write are found again by mapping its records as before. Mapped against a table altered since (a
 * column dropped), they are refused now though they were written then: the report listed written
 * rows as rejected, and the counts passed the total. Refused, where the report cannot be rebuilt.
 */
function refuseChangedReplay(job: string, batch: number, refusedNow: number, refusedThen: number): void {
  if (refusedNow === refusedThen) return;
  throw new Error(
    `[job ${job}] batch ${batch} was written before the job stopped, but its records no longer map as they did (${refusedThen} refused then, ${refusedNow} now): the target table changed since. Its reject report cannot be rebuilt: restore the table as it was to resume, or run the pipeline as a new job`,
  );
}

async function writeChunk(ctx: JobContext, batch: number, chunk: number, items: MappedItem[]): Promise<Counts> {
  const { plan, target } = ctx;
  if (plan.target.type !== 'connection' || !target) throw new Error(`[job ${plan.jobId}] batch ${batch}: the target is not a connection`);
  const rows: RowToWrite[] = [];
  const rejects: Reject[] = [];
  const originals = new Map<number, { record: Record<string, unknown>; line?: number }>();
  for (const item of items) {
    if ('reject' in item) {
      rejects.push(item.reject);
    } else {
      rows.push({ row: item.row, values: item.values });
      originals.set(item.row, item);
    }
  }
  const { key, upsert, metadata } = plan.target;
  const written = await target.connection.writeBatch({
    job: plan.jobId,
    batch: markerId(batch, chunk),
    chunk: { batch, chunk },
    rows,
    key,
    upsert,
    metadata,
    now: plan.startedAt,
    ...(plan.dryRun ? { preview: true } : { writtenBefore: writtenBefore(ctx) }),
  });
  failpoint('batch-after-commit');
  if (written.replayed)
    refuseChangedReplay(
      plan.jobId,
      batch,
      items.length - rows.length,
      items.length - written.inserted - written.updated - written.unchanged - written.rejects.length,
    );
  for (const r of written.rejects) {
    const original = originals.get(r.row);
    rejects.push({ row: r.row, ...lineOf(original?.line), record: ctx.mapper.maskRecord(original?.record), errors: r.errors });
  }
  rejects.sort((a, b) => a.row - b.row);
  writeFileAtomic(chunkPath(plan.jobDir, 'rejects', batch, chunk), toNdjson(rejects));
  // From the marker on a replay too, so a crash between the commit and here loses no backup.
  writeFileAtomic(chunkPath(plan.jobDir, 'backup', batch, chunk), toNdjson(written.changes));
  const { inserted, updated, unchanged } = written;
  return { read: items.length, inserted, updated, unchanged, rejected: rejects.length, exported: 0 };
}

/** Per job context: whether its folder held committed chunks' files when this process first wrote for the job. */
const wroteBefore = new WeakMap<JobContext, boolean>();

/**
 * WriteBatchInput `writtenBefore`: the job committed chunks before this process wrote any, so its
 * markers must be in the store. Every chunk the journal counts done left its rejects file, written
 * right after its commit; a chunk committed without one is not counted, and is written again.
 */
function writtenBefore(ctx: JobContext): boolean {
  let known = wroteBefore.get(ctx);
  if (known === undefined) {
    const dir = partsDir(ctx.plan.jobDir);
    const pattern = chunkFilePattern('rejects');
    known = existsSync(dir) && readdirSync(dir).some((name) => pattern.test(name));
    wroteBefore.set(ctx, known);
  }
  return known;
}

function markerId(batch: number, chunk: number): number {
  return batch * CHUNK_SLOTS + chunk;
}

/**
 * A rollback's chunk: backup lines put back through the store's restoreBatch (with its marker,
 * like a write). Rows changed since the job wrote them, and so left alone, are the rollback's
 * rejects (CONFLICT, at the original job's row). Summary: `updated` counts the rows put back
 * (previous image restored, or the inserted row deleted), `unchanged` the rows already gone.
 */
async function restoreChunk(ctx: JobContext, batch: number, chunk: number, items: SourceRecord[]): Promise<Counts> {
  const { plan } = ctx;
  const store = ctx.target?.connection;
  if (plan.target.type !== 'connection' || !store) throw new Error(`[job ${plan.jobId}] batch ${batch}: the target is not a connection`);
  const entries = items.map((item) => {
    if ('error' in item)
      throw new Error(`[job ${plan.jobId}] line ${item.row} of the backup ${plan.source.type === 'file' ? plan.source.path : ''} is damaged: ${item.error}`);
    return item.record as unknown as RestoreEntry;
  });
  const out = await store.restoreBatch({
    job: plan.jobId,
    batch: markerId(batch, chunk),
    chunk: { batch, chunk },
    entries,
    force: plan.rollback?.force ?? false,
  });
  const rejects: Reject[] = out.changed.map((c) => ({
    row: c.row,
    record: c.key,
    errors: [
      {
        code: 'CONFLICT',
        path: Object.keys(c.key)[0] ?? '',
        message:
          c.reason === 'changed'
            ? `changed since job ${plan.rollback?.job} wrote it: left as it is (--force puts it back anyway)`
            : `deleted since job ${plan.rollback?.job} updated it: not restored (--force inserts its previous version)`,
      },
    ],
  }));
  writeFileAtomic(chunkPath(plan.jobDir, 'rejects', batch, chunk), toNdjson(rejects));
  const restored = out.restored + out.deleted;
  return { read: items.length, inserted: 0, updated: restored, unchanged: items.length - restored - rejects.length, rejected: rejects.length, exported: 0 };
}

/**
 * The batch's reject part: its chunks' rejects in order. The chunk files stay (a retry resumed
 * from a heartbeat rebuilds the part from them); they go with the job folder.
 */
function mergeChunkRejects(jobDir: string, batch: number, chunks: number): void {
  // Most batches are one chunk (batch.size = commit): the part is that chunk's file under a second name.
  if (chunks === 1) return linkFileAtomic(chunkPath(jobDir, 'rejects', batch, 0), rejectsPartPath(jobDir, batch));
  const parts = Array.from({ length: chunks }, (_, chunk) => readFileSync(chunkPath(jobDir, 'rejects', batch, chunk)));
  writeFileAtomic(rejectsPartPath(jobDir, batch), Buffer.concat(parts));
}

/** The per-record step (prepare-record.ts) with this job's mapping and the target's column types (built once per chunk). */
/** What every record of a job's chunk goes through (`prepareRecord`), built once for the chunk. */
function recordStep(ctx: JobContext, types: ReadonlyMap<string, ColumnType>): RecordStep {
  const { plan, target } = ctx;
  const csvIdentity = plan.columns === null && plan.source.type === 'file' && plan.source.format === 'csv';
  return { mapper: ctx.mapper, checkRules: ctx.checkRules, schema: plan.validate.schema, csvIdentity, types, table: target?.connection.table };
}

function zero(): Counts {
  return { read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, exported: 0 };
}

function add(into: Counts, more: Counts): void {
  addCounts(into, more);
  into.read += more.read;
}
