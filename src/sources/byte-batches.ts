import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { LineCounter } from './lines.js';
import { RecordCutter, type RecordSink, type RecordSplitter, type SkipSink } from './record-cutter.js';
import { SourceError, ioError, naming, placing } from './source-error.js';
import type { ByteRange, SourceScan } from './types.js';
import { openRegularFile } from './regular-file.js';
import { refuseUtf16 } from './utf8.js';

// Where it was first defined; check-source.ts imports it from here.
export { openRegularFile };

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
  /** Refuses the file from its first bytes (a CSV's encoding against its byte order mark), as refuseUtf16 does. */
  checkHead?: (first: Buffer) => void;
  /** One byte is one character (a latin1 CSV), for the columns of places: UTF-8 counting skips £ or ° (0x80–0xBF) there. */
  singleByte?: boolean;
}

/**
 * One pass over the file: sha256, size, and a byte range every `batchSize` records, each with the
 * sha256 of its bytes (RangeDigest) for the batch to check when it reads them.
 */
export async function scanFile(input: ScanFileInput): Promise<Omit<SourceScan, 'header'>> {
  const batches = new BatchBuilder(input.format, input.batchSize, input.singleByte);
  const hash = createHash('sha256');
  const cutter = new RecordCutter(input.format, input.splitter, 0);
  const { filter } = input;
  // A range ends past its last record's line end: reading the range then sees the same bytes the
  // scan saw when it decided where that record ends (a CR before LF, a quote before the line end).
  // A filtered record (the CSV header) is passed over like a blank line.
  const sink: RecordSink = (buf, start, end, offset, next, from) => {
    if (!filter || filter(buf, start, end, offset)) batches.add(buf, start, next, offset, from);
    else batches.skip(buf, from, next, offset);
  };
  const skip: SkipSink = (buf, from, next, offset) => batches.skip(buf, from, next, offset);
  let bytes = 0;
  let windowOffset = 0;
  try {
    await readWindows(
      input.path,
      (window, fresh, eof) => {
        if (bytes === 0 && fresh.length > 0) {
          refuseUtf16(input.format, input.path, fresh);
          input.checkHead?.(fresh);
        }
        hash.update(fresh);
        bytes += fresh.length;
        let cut: number;
        try {
          cut = cutter.cutWindow(window, eof, sink, skip);
        } catch (err) {
          // A record too long, a header or an array that is wrong: said at its line too.
          throw placing(err, window, windowOffset, batches.lines);
        }
        // The spans of this window are about to be overwritten: hash what the open range still points at,
        // and count the lines of what was cut (the rest comes again at the front of the next window).
        batches.flush();
        batches.lines.advance(window, windowOffset, windowOffset + cut);
        windowOffset += cut;
        return cut;
      },
      undefined,
      input.format,
      (opened, now) => {
        // A file still being written: its last record may be cut mid-line (`c@x.io,Ca` for Carol),
        // and would be imported so. Planned only once whole.
        if (bytes === opened && now === opened) return;
        throw new SourceError(
          `[source:${input.format}] ${input.path} changed while the job planned it: it was ${opened} bytes when opened, ${bytes} read, ${now} now. Hint: is it still being written? Run the job once the file is complete`,
          { retryable: false },
        );
      },
    );
  } catch (err) {
    throw ioError(input.format, input.path, naming(input.format, input.path, err));
  }
  batches.finish();
  return { checksum: hash.digest('hex'), total: batches.total, bytes, batches: batches.ranges };
}

/**
 * Reads a file into one buffer (CHUNK_BYTES, or the caller's to share across files), over and
 * over: a pass over a large file allocates nothing per chunk (a fresh buffer a chunk kept tens of
 * MB of dead buffers on the main thread, which mostly waits and so collects rarely). `cut` gets the
 * window (what it left uncut last time, then the new bytes), the new bytes alone, and whether the
 * file ends there; it returns how many bytes of the window it is done with, and the rest moves to
 * the front. The window is reused once `cut` returns (or its promise settles). The buffer grows
 * when a record is longer than it (RecordCutter caps a record's length).
 */
export async function readWindows(
  path: string,
  cut: (window: Buffer, fresh: Buffer, eof: boolean) => number | Promise<number>,
  buffer: Buffer = Buffer.allocUnsafe(CHUNK_BYTES),
  format?: string,
  sizes?: (opened: number, now: number) => void,
): Promise<void> {
  const file = await openRegularFile(path, format);
  try {
    // With `sizes`: read up to the size the file had when opened, not on to an end a writer keeps
    // moving (a file appended for ever was read for ever), and say the size at open and now.
    const opened = sizes ? (await file.stat()).size : Infinity;
    let buf = buffer;
    let kept = 0;
    let position = 0;
    for (;;) {
      if (kept === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const { bytesRead } = position >= opened ? { bytesRead: 0 } : await file.read(buf, kept, Math.min(buf.length - kept, opened - position), null);
      position += bytesRead;
      const window = buf.subarray(0, kept + bytesRead);
      const done = await cut(window, window.subarray(kept), bytesRead === 0);
      if (bytesRead === 0) break;
      kept = window.length - done;
      if (kept > 0) window.copy(buf, 0, done);
    }
    if (sizes) sizes(opened, (await file.stat()).size);
  } finally {
    await file.close();
  }
}

/** Appends the bytes of the file at `path` to `out`, through `buffer` (one for all the files a caller joins). */
export async function appendFile(out: FileHandle, path: string, buffer: Buffer, seen?: (bytes: Buffer) => void): Promise<void> {
  await readWindows(
    path,
    async (window) => {
      seen?.(window);
      // The buffer is read into again once this returns: every byte must be written by then.
      for (let at = 0; at < window.length;) {
        const { bytesWritten } = await out.write(window, at, window.length - at);
        if (bytesWritten === 0) throw new Error(`no byte of ${path} could be written`);
        at += bytesWritten;
      }
      return window.length;
    },
    buffer,
  );
}

/**
 * Collects records into ranges of `batchSize`, hashing each range's bytes as the cutter passes
 * over them: every byte from the range's first record to its last record's `next`, the blank
 * lines and separators between its records included. The last range's digest also covers what
 * follows its last record up to the end of the file (a closing `]`, blank lines): whether more
 * records follow is known only at the end. Bytes between ranges are in no digest (the file's
 * checksum covers them). Contiguous spans of one buffer are hashed in one update, not one per
 * record. The list holds one small object per batch.
 */
class BatchBuilder {
  readonly ranges: ByteRange[] = [];
  total = 0;
  /** Lines up to where the cutter is; read at each range's start for its digest's `line`. */
  readonly lines: LineCounter;
  private line = 0;
  private lineStart = -1;
  private column: number | undefined;
  private current: ByteRange | undefined;
  /** The open range's hash, of its bytes before the pending span. */
  private hash: Hash | undefined;
  /** Bytes [from, to) of `buf` not hashed yet, and the file offset just past them. */
  private buf: Buffer | undefined;
  private from = 0;
  private to = 0;
  private hashedEnd = 0;

  constructor(
    format: string,
    private readonly batchSize: number,
    singleByte = false,
  ) {
    this.lines = new LineCounter(1, 0, 0, 0, singleByte);
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new SourceError(`[source:${format}] batch size must be a positive integer, got ${batchSize}`);
    }
  }

  /** A record at [start, next) of `buf` (file offset of buf[0]: `offset`); the bytes from `from` on are new to the range. */
  add(buf: Buffer, start: number, next: number, offset: number, from: number): void {
    let current = this.current;
    if (current === undefined) {
      current = { index: this.ranges.length, start: offset + start, end: 0, firstRow: this.total + 1, count: 0 };
      this.ranges.push(current);
      this.current = current;
      this.hash = createHash('sha256');
      this.lines.advance(buf, offset, offset + start);
      this.line = this.lines.line;
      this.lineStart = this.lines.lineStart;
      // A range starts at a line's start but in a JSON array: after a few spaces of indent, or
      // millions of bytes into one minified line.
      this.column = this.lines.column >= 0 ? 1 + this.lines.column : undefined;
      // A range starts at its first record, not at the separators before it.
      this.pass(buf, start, next, offset);
    } else {
      this.pass(buf, from, next, offset);
    }
    current.end = offset + next;
    current.count += 1;
    this.total += 1;
    if (current.count === this.batchSize) this.seal();
  }

  skip(buf: Buffer, from: number, next: number, offset: number): void {
    if (this.current !== undefined) this.pass(buf, from, next, offset);
  }

  finish(): void {
    if (this.current !== undefined) this.seal();
  }

  /** Adds [from, next) of `buf` to the open range's bytes: extends the pending span, or hashes it and starts another. */
  private pass(buf: Buffer, from: number, next: number, offset: number): void {
    if (buf !== this.buf || from !== this.to) {
      this.flush();
      this.buf = buf;
      this.from = from;
    }
    this.to = next;
    this.hashedEnd = offset + next;
  }

  /** Hashes the pending span: the buffer it lies in is about to change. */
  flush(): void {
    if (this.buf !== undefined && this.to > this.from) this.hash!.update(this.buf.subarray(this.from, this.to));
    this.buf = undefined;
    this.from = this.to = 0;
  }

  /** Closes the open range: its digest covers [start, hashedEnd). */
  private seal(): void {
    this.flush();
    const current = this.current!;
    current.digest = { start: current.start, end: this.hashedEnd, sha256: this.hash!.digest('hex'), line: this.line, lineStart: this.lineStart };
    if (this.column !== undefined) current.digest.column = this.column;
    this.current = this.hash = undefined;
  }
}
