import { createReadStream } from 'node:fs';
import { CHUNK_BYTES } from './byte-batches.js';
import { RecordCutter, type RecordSink, type RecordSplitter } from './record-cutter.js';
import { SourceError, ioError } from './source-error.js';
import type { ByteRange, RangeReader, SourceRecord } from './types.js';

export interface ReadRangeInput {
  format: string;
  path: string;
  range: ByteRange;
  splitter: RecordSplitter;
  /** Turns one record's bytes into what the source yields; must not throw for bad data. */
  toRecord: (buf: Buffer, start: number, end: number, row: number) => SourceRecord;
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
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** File offset just past each cut record; `position` is the one of the last record built. */
  private readonly nexts: number[] = [];
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
    this.starts.length = this.ends.length = this.nexts.length = this.cursor = 0;
    await this.close();
    return DONE;
  }

  private build(): SourceRecord {
    const i = this.cursor++;
    this.position = this.nexts[i]!;
    return this.input.toRecord(this.buf!, this.starts[i]!, this.ends[i]!, this.row++);
  }

  /** Reads chunks until one holds a record, or the range is done (then checks the count). */
  private async refill(): Promise<IteratorResult<SourceRecord>> {
    this.starts.length = this.ends.length = this.nexts.length = this.cursor = 0;
    if (!this.opened) {
      this.opened = true;
      if (this.input.range.count > 0) this.chunks = this.open();
    }
    try {
      while (this.ends.length === 0 && this.chunks !== undefined) {
        const chunk = await this.read(this.chunks);
        if (chunk !== undefined) this.cutter.push(chunk, this.sink);
        else {
          this.chunks = undefined;
          this.cutter.end(this.sink);
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
    this.starts.push(start);
    this.ends.push(end);
    this.nexts.push(offset + next);
  };

  private open(): AsyncIterator<unknown> {
    const { path, range } = this.input;
    return createReadStream(path, { start: range.start, end: range.end - 1, highWaterMark: CHUNK_BYTES })[Symbol.asyncIterator]();
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
  return new SourceError(
    `[source:${input.format}] batch ${range.index} (rows ${range.firstRow}–${range.firstRow + range.count - 1}): ` +
      `bytes ${range.start}–${range.end} of ${input.path} no longer hold ${range.count} records. Hint: the file changed since it was scanned; run the job again`,
    { offset: range.start },
  );
}
