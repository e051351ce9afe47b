import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { RecordCutter, type RecordSink, type RecordSplitter } from './record-cutter.js';
import { SourceError, ioError } from './source-error.js';
import type { ByteRange, SourceScan } from './types.js';

/** Large reads: fewer chunks mean fewer stream callbacks and fewer records carried across chunks. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Tells the scan what a record is: return false for a record that is not data (the CSV header).
 * Called with the record's span, like a RecordSink.
 */
export type RecordFilter = (buf: Buffer, start: number, end: number, offset: number) => boolean;

export interface ScanFileInput {
  format: string;
  path: string;
  splitter: RecordSplitter;
  batchSize: number;
  filter?: RecordFilter;
}

/** One pass over the file: sha256, size, and a byte range every `batchSize` records. */
export async function scanFile(input: ScanFileInput): Promise<Omit<SourceScan, 'header'>> {
  const batches = new BatchBuilder(input.format, input.batchSize);
  const hash = createHash('sha256');
  const cutter = new RecordCutter(input.format, input.splitter, 0);
  const { filter } = input;
  // A range ends past its last record's line end: reading the range then sees the same bytes the
  // scan saw when it decided where that record ends (a CR before LF, a quote before the line end).
  const sink: RecordSink = filter
    ? (buf, start, end, offset, next) => {
        if (filter(buf, start, end, offset)) batches.add(offset + start, offset + next);
      }
    : (_buf, start, _end, offset, next) => batches.add(offset + start, offset + next);
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(input.path, { highWaterMark: CHUNK_BYTES })) {
      const buf = chunk as Buffer;
      hash.update(buf);
      bytes += buf.length;
      cutter.push(buf, sink);
    }
    cutter.end(sink);
  } catch (err) {
    throw ioError(input.format, input.path, err);
  }
  return { checksum: hash.digest('hex'), total: batches.total, bytes, batches: batches.ranges };
}

/** Collects records into ranges of `batchSize`; the list holds one small object per batch. */
class BatchBuilder {
  readonly ranges: ByteRange[] = [];
  total = 0;
  private current: ByteRange | undefined;

  constructor(format: string, private readonly batchSize: number) {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new SourceError(`[source:${format}] batch size must be a positive integer, got ${batchSize}`);
    }
  }

  add(start: number, end: number): void {
    let current = this.current;
    if (current === undefined || current.count === this.batchSize) {
      current = { index: this.ranges.length, start, end, firstRow: this.total + 1, count: 0 };
      this.ranges.push(current);
      this.current = current;
    }
    current.end = end;
    current.count += 1;
    this.total += 1;
  }
}
