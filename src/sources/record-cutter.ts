import { SourceError } from './source-error.js';

/** Returned by a splitter when the record at `pos` continues past the end of the buffer. */
export const NEED_MORE = -1;

/**
 * No record may be longer than this. A longer one almost always means a wrong delimiter, an
 * unbalanced quote or a file that is not what it claims, and holding it would break the
 * constant-memory promise, so the whole source fails instead.
 */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Finds record boundaries in bytes. A scan cuts the whole file; a read cuts one byte range, which
 * stops right at its last record's `next`. Both must cut the same records, so a splitter decides
 * from the bytes before `next` and from where the input ends, never from where a chunk ends.
 */
export interface RecordSplitter {
  /** Set by `split`: the record's bytes are [start, end) of the buffer; start is -1 when none was found. */
  start: number;
  end: number;
  /**
   * Looks at `buf` from `pos` and returns where to continue (always > pos), or NEED_MORE when more
   * bytes are needed to decide (never when `eof`). `offset` is the file offset of `buf[0]`, for messages.
   */
  split(buf: Buffer, pos: number, eof: boolean, offset: number): number;
}

/**
 * Receives each record as a span [start, end) of a buffer, and `next`, where the splitter goes on
 * (past the record's line end); `from` is where the split began (before `start` when it skipped
 * separators). All spans of one `push` or `end` share one buffer, and the cutter never writes to a
 * buffer it has handed out, so spans may be read after the call.
 */
export type RecordSink = (buf: Buffer, start: number, end: number, offset: number, next: number, from: number) => void;

/** Receives the bytes [from, next) the cutter passed over without finding a record (blank lines, brackets). */
export type SkipSink = (buf: Buffer, from: number, next: number, offset: number) => void;

const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Feeds a stream of chunks to a splitter, carrying an incomplete record over to the next chunk.
 * Only the unfinished record is ever kept, so memory stays at one chunk plus one record.
 */
export class RecordCutter {
  private carry: Buffer | undefined;
  /** File offset of the first byte of the next buffer handed to `cut` (the carry's first byte). */
  private offset: number;
  /** The buffer last cut, and the file offset of its first byte: a reader counts lines over it up to `position`. */
  lastBuffer: Buffer | undefined;
  lastOffset = 0;
  private atFileStart: boolean;

  constructor(
    private readonly format: string,
    private readonly splitter: RecordSplitter,
    startOffset: number,
  ) {
    this.offset = startOffset;
    this.atFileStart = startOffset === 0;
  }

  push(chunk: Buffer, sink: RecordSink, skip?: SkipSink): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = undefined;
    this.cut(buf, false, sink, skip);
  }

  end(sink: RecordSink, skip?: SkipSink): void {
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    this.cut(buf, true, sink, skip);
  }

  /**
   * For a caller that reads into one buffer again and again (a whole-file scan): cuts `window`,
   * whose start is what the last call left uncut, and returns how many bytes it cut. The caller
   * moves the rest to the start of its buffer and passes it again with the bytes that follow.
   * Spans handed to the sinks are valid only until the caller reuses the buffer.
   */
  cutWindow(window: Buffer, eof: boolean, sink: RecordSink, skip?: SkipSink): number {
    if (this.carry) throw new Error(`[source:${this.format}] internal: cutWindow after push`);
    this.cut(window, eof, sink, skip);
    const left = this.carry as Buffer | undefined;
    this.carry = undefined;
    return left === undefined ? window.length : window.length - left.length;
  }

  /** File offset of the first byte not cut yet (where the carry starts). */
  get position(): number {
    return this.offset;
  }

  private cut(buf: Buffer, eof: boolean, sink: RecordSink, skip: SkipSink | undefined): void {
    this.lastBuffer = buf;
    this.lastOffset = this.offset;
    let pos = this.skipBom(buf, eof);
    if (pos === NEED_MORE) {
      this.carry = buf;
      return;
    }
    const splitter = this.splitter;
    while (pos < buf.length) {
      const next = splitter.split(buf, pos, eof, this.offset);
      if (next === NEED_MORE) break;
      if (next <= pos) throw new Error(`[source:${this.format}] internal: splitter made no progress at byte ${this.offset + pos}`);
      if (splitter.start >= 0) {
        if (splitter.end - splitter.start > MAX_RECORD_BYTES) throw this.tooLong(this.offset + splitter.start);
        sink(buf, splitter.start, splitter.end, this.offset, next, pos);
      } else if (skip) {
        skip(buf, pos, next, this.offset);
      }
      pos = next;
    }
    if (pos < buf.length) this.keep(buf, pos, eof);
    this.offset += pos;
  }

  private keep(buf: Buffer, pos: number, eof: boolean): void {
    if (eof) throw new Error(`[source:${this.format}] internal: splitter wanted bytes past the end at ${this.offset + pos}`);
    if (buf.length - pos > MAX_RECORD_BYTES) throw this.tooLong(this.offset + pos);
    this.carry = buf.subarray(pos);
  }

  /** A UTF-8 byte order mark at the very start of the file is not data; returns where data starts. */
  private skipBom(buf: Buffer, eof: boolean): number {
    if (!this.atFileStart) return 0;
    if (buf.length < BOM.length && !eof && BOM.slice(0, buf.length).every((b, i) => buf[i] === b)) return NEED_MORE;
    this.atFileStart = false;
    return BOM.every((b, i) => buf[i] === b) ? BOM.length : 0;
  }

  private tooLong(at: number): SourceError {
    const mib = MAX_RECORD_BYTES / 1024 / 1024;
    return new SourceError(
      `[source:${this.format}] the record at byte ${at} is longer than ${mib} MiB. Hint: check the format, delimiter and quoting of the file`,
      { offset: at },
    );
  }
}
