import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { CHUNK_BYTES } from './byte-batches.js';
import { openRegularFile } from './regular-file.js';
import { LineCounter, RecordPlace } from './lines.js';
import { RecordCutter, type RecordSink, type RecordSplitter } from './record-cutter.js';
import { SourceError, ioError } from './source-error.js';
import type { ByteRange, RangeReader, SourceRecord } from './types.js';

export interface ReadRangeInput {
  format: string;
  path: string;
  range: ByteRange;
  splitter: RecordSplitter;
  /**
   * Turns one record's bytes into what the source yields (`offset`: file offset of buf[0]); must
   * not throw for bad data. `place` says where in the file a byte of the record is, for messages.
   */
  toRecord: (buf: Buffer, start: number, end: number, row: number, offset: number, place: RecordPlace) => SourceRecord;
  /** One byte is one character (a latin1 CSV), for the column of a place. */
  singleByte?: boolean;
}

/** Reads bytes [start, end) of the file and yields its records numbered from firstRow. */
export function readRange(input: ReadRangeInput): RangeReader {
  return new RangeIterator(input);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Hand-written rather than an async generator: reading is the hot path, and a generator's
 * per-record promise machinery cost about as much as parsing a CSV record. Each chunk is first
 * cut into spans (plain numbers); a record is built only when asked for, so one the consumer drops
 * dies young instead of being promoted along with the rest of its chunk.
 */
class RangeIterator implements RangeReader {
  private readonly cutter: RecordCutter;
  /** The file's chunks while reading; opened on the first `next`, dropped at the end or on `return`. */
  private chunks: AsyncIterator<unknown> | undefined;
  private opened = false;
  private buf: Buffer | undefined;
  /** File offset of buf[0] (all spans of one push share the buffer). */
  private bufOffset = 0;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** File offset just past each cut record; `position` is the one of the last record built. */
  private readonly nexts: number[] = [];
  /** The line of each cut record's first byte, and the file offset where that line starts (-1: not known). */
  private readonly lines: number[] = [];
  private readonly lineStarts: number[] = [];
  /** The characters before each cut record's first byte on its line (-1: not known). */
  private readonly columns: number[] = [];
  /** Counts lines from the range's digest, whose start the scan gave the line of; undefined for a plan without it. */
  private readonly counter: LineCounter | undefined;
  private readonly place: RecordPlace;
  private cursor = 0;
  position: number;
  private row: number;
  private seen: number;
  private readonly last: number;

  constructor(private readonly input: ReadRangeInput) {
    this.cutter = new RecordCutter(input.format, input.splitter, input.range.start);
    this.row = this.seen = input.range.firstRow;
    this.position = input.range.start;
    this.last = input.range.firstRow + input.range.count;
    this.place = new RecordPlace(input.path, input.singleByte);
    // The digest keeps the batch's planned start, and its line, when a retry moves `start` on: the
    // lines from there to `start` are counted over the bytes the digest check reads anyway.
    const { digest } = input.range;
    // plan.json is a file a user may edit: a line that is no count is no line (rows are still read).
    if (digest !== undefined && counts(digest.line, 1) && covers(input.range)) {
      const lineStart = counts(digest.lineStart, 0) && digest.lineStart! <= digest.start ? digest.lineStart! : -1;
      // The scan's column of the digest's start, on a line that may have begun megabytes before.
      const column = lineStart === -1 ? -1 : counts(digest.column, 1) ? digest.column! - 1 : lineStart === digest.start ? 0 : -1;
      this.counter = new LineCounter(digest.line!, digest.start, lineStart, column, input.singleByte);
    }
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<SourceRecord> {
    return this;
  }

  next(): Promise<IteratorResult<SourceRecord>> {
    if (this.cursor < this.ends.length) return Promise.resolve({ done: false, value: this.build() });
    return this.refill();
  }

  async return(): Promise<IteratorResult<SourceRecord>> {
    this.opened = true;
    this.clear();
    await this.close();
    return DONE;
  }

  /**
   * The place of a record at buf[start]: from its column as the count gave it (from the digest's
   * column on, over every byte read since, however long the line), else counted from its line's
   * start when that lies in the buffer.
   */
  private placeOf(start: number, line: number, lineStart: number, column: number): RecordPlace {
    if (column >= 0) return this.place.set(this.buf!, start, this.bufOffset, line, this.bufOffset + start, column + 1);
    return this.place.set(this.buf!, start, this.bufOffset, line, lineStart, 1);
  }

  private clear(): void {
    this.starts.length = this.ends.length = this.nexts.length = this.lines.length = this.lineStarts.length = this.columns.length = this.cursor = 0;
  }

  private build(): SourceRecord {
    const i = this.cursor++;
    this.position = this.nexts[i]!;
    const start = this.starts[i]!;
    const line = this.counter === undefined ? 0 : this.lines[i]!;
    const place = this.counter === undefined ? this.placeOf(start, 0, -1, -1) : this.placeOf(start, line, this.lineStarts[i]!, this.columns[i]!);
    const record = this.input.toRecord(this.buf!, start, this.ends[i]!, this.row++, this.bufOffset, place);
    if (line > 0) record.line = line;
    return record;
  }

  /** Reads chunks until one holds a record, or the range is done (then checks the count). */
  private async refill(): Promise<IteratorResult<SourceRecord>> {
    this.clear();
    if (!this.opened) {
      this.opened = true;
      if (this.input.range.count > 0) this.chunks = this.open();
    }
    try {
      while (this.ends.length === 0 && this.chunks !== undefined) {
        const chunk = await this.read(this.chunks);
        if (chunk !== undefined) {
          this.cutter.push(chunk, this.sink);
          this.countCut();
        } else {
          this.chunks = undefined;
          this.cutter.end(this.sink);
          this.countCut();
          if (this.seen !== this.last) throw changedSinceScan(this.input);
        }
      }
    } catch (err) {
      // A consumer does not call `return` after a rejected `next`: close the file here.
      await this.close();
      throw err;
    }
    return this.ends.length === 0 ? DONE : { done: false, value: this.build() };
  }

  private async close(): Promise<void> {
    const chunks = this.chunks;
    this.chunks = undefined;
    await chunks?.return?.();
  }

  private readonly sink: RecordSink = (buf, start, end, offset, next) => {
    if (this.seen++ >= this.last) throw changedSinceScan(this.input);
    this.buf = buf;
    this.bufOffset = offset;
    this.starts.push(start);
    this.ends.push(end);
    this.nexts.push(offset + next);
    const counter = this.counter;
    if (counter !== undefined) {
      // From the last record (or the range's start) over the blank lines between: one count a record.
      counter.advance(buf, offset, offset + start);
      this.lines.push(counter.line);
      this.lineStarts.push(counter.lineStart);
      this.columns.push(counter.column);
    }
  };

  /** Counts the lines of what the cutter cut, up to where its carry starts: the next buffer starts there. */
  private countCut(): void {
    const { counter, cutter } = this;
    if (counter !== undefined && cutter.lastBuffer !== undefined) counter.advance(cutter.lastBuffer, cutter.lastOffset, cutter.position);
  }

  private open(): AsyncIterator<unknown> {
    return rangeChunks(this.input, this.counter);
  }

  private async read(chunks: AsyncIterator<unknown>): Promise<Buffer | undefined> {
    try {
      const result = await chunks.next();
      return result.done === true ? undefined : (result.value as Buffer);
    } catch (err) {
      throw ioError(this.input.format, this.input.path, err);
    }
  }
}

function changedSinceScan(input: ReadRangeInput): SourceError {
  const { range } = input;
  return changed(input, `bytes ${range.start}–${range.end} no longer hold ${range.count} records`, range.start);
}

/** The message every detected change gives: which file, which batch, what differs. */
function changed(input: ReadRangeInput, what: string, offset: number): SourceError {
  const { range } = input;
  return new SourceError(
    `[source:${input.format}] source changed since the job was planned: ${input.path}, batch ${range.index} (rows ${range.firstRow}–${range.firstRow + range.count - 1}): ${what}. ` +
      'Hint: a source must not be rewritten while its job runs; run the pipeline again as a new job',
    { offset },
  );
}

/**
 * The bytes [start, end) of the range, in blocks of CHUNK_BYTES. With a digest, the planned bytes
 * are read and hashed whole first, and only then handed out, so a file rewritten since planning
 * yields no record at all; each block is hashed again when read the second time and must match
 * the first pass, so a rewrite while the batch runs is caught before its bytes are cut too. A
 * range that fits in one block is read once.
 */
async function* rangeChunks(input: ReadRangeInput, counter: LineCounter | undefined): AsyncGenerator<Buffer> {
  const { range } = input;
  const file = await openFile(input);
  try {
    const digest = range.digest;
    if (digest === undefined || !covers(range)) {
      for (let at = range.start; at < range.end; at += CHUNK_BYTES) yield await readBlock(file, input, at, Math.min(CHUNK_BYTES, range.end - at));
      return;
    }
    const whole = createHash('sha256');
    const blocks: string[] = [];
    let only: Buffer | undefined;
    for (let at = digest.start; at < digest.end; at += CHUNK_BYTES) {
      const block = await readBlock(file, input, at, Math.min(CHUNK_BYTES, digest.end - at));
      whole.update(block);
      // The lines before a retry's start (past the committed chunks), from the digest's.
      if (counter !== undefined && at < range.start) counter.advance(block, at, Math.min(at + block.length, range.start));
      if (digest.end - digest.start <= CHUNK_BYTES) only = block;
      else blocks.push(sha256(block));
    }
    if (whole.digest('hex') !== digest.sha256) throw changed(input, `bytes ${digest.start}–${digest.end} differ from the plan's digest`, digest.start);
    const first = Math.floor((range.start - digest.start) / CHUNK_BYTES);
    for (let i = first, at = digest.start + first * CHUNK_BYTES; at < range.end; i++, at += CHUNK_BYTES) {
      const block = only ?? (await readBlock(file, input, at, Math.min(CHUNK_BYTES, digest.end - at)));
      if (only === undefined && sha256(block) !== blocks[i]) throw changed(input, `bytes ${at}–${at + block.length} changed while the batch read them`, at);
      yield block.subarray(Math.max(0, range.start - at), Math.min(block.length, range.end - at));
    }
  } finally {
    await file.close();
  }
}

/** Whether `value` is a whole number from `least` on. */
function counts(value: unknown, least: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= least;
}

/** Whether the range lies within its digest's bounds (the digest is checked, and its line counts on). */
function covers(range: ByteRange): boolean {
  const { digest } = range;
  return digest !== undefined && range.start >= digest.start && range.end <= digest.end;
}

function openFile(input: ReadRangeInput): Promise<FileHandle> {
  return openRegularFile(input.path, input.format);
}

/** `length` bytes at `position`; a file now shorter than that is a changed source. */
async function readBlock(file: FileHandle, input: ReadRangeInput, position: number, length: number): Promise<Buffer> {
  const block = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await file.read(block, filled, length - filled, position + filled));
    } catch (err) {
      throw ioError(input.format, input.path, err);
    }
    if (bytesRead === 0) throw changed(input, await shorterFile(file, input), position + filled);
    filled += bytesRead;
  }
  return block;
}

/** What a read that met the end of the file says: the file's size now (a batch may start past it), not where the read began. */
async function shorterFile(file: FileHandle, input: ReadRangeInput): Promise<string> {
  const size = await file.stat().then(
    (stats) => stats.size,
    () => undefined,
  );
  const now = size === undefined ? 'the file is now shorter' : `the file is now ${size} bytes`;
  return `${now}, ending before the batch's end at byte ${input.range.end}`;
}

function sha256(block: Buffer): string {
  return createHash('sha256').update(block).digest('hex');
}
