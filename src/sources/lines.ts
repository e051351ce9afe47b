import { basename } from 'node:path';

const LF = 0x0a;
const CR = 0x0d;
/** `nextLf` / `nextCr` not searched yet in the current buffer. */
const UNKNOWN = -2;

/**
 * Counts the line breaks the splitters know (LF, CRLF, and a bare CR) over a file's bytes passed
 * in order, in any pieces: a CR at the end of one piece and an LF at the start of the next are one
 * break. Used for where a record starts (file:line:col in messages and a reject's `line`), it
 * costs two native indexOf searches per buffer, remembered between calls, whatever the number of
 * records: a search from every record would read the rest of the buffer each time when a file has
 * no CR at all.
 */
export class LineCounter {
  /** File offset of the first byte of the current line (just past its break); -1 when not known (a count that began mid-line). */
  lineStart: number;
  /**
   * Characters from `lineStart` to `at` (the column of `at` is one more); -1 when not known. Kept
   * across buffers: a line longer than the bytes at hand (a minified JSON array of millions of
   * bytes) has its line start far behind, and a column counted only from a start in the buffer was
   * lost. Counted over the bytes after a span's last break only, so short lines cost next to nothing.
   */
  column: number;
  /** Whether the byte before `at` is a CR, so that an LF at `at` ends no other line. */
  private afterCr = false;
  private buf: Buffer | undefined;
  private bufOffset = 0;
  private nextLf = UNKNOWN;
  private nextCr = UNKNOWN;

  /**
   * `line`: the 1-based line of the byte at file offset `at`, where the count starts; `column`,
   * when known, the characters on that line before it. `singleByte`: one byte is one character
   * (latin1); otherwise UTF-8.
   */
  constructor(
    public line: number,
    public at: number,
    lineStart = at === 0 ? 0 : -1,
    column = lineStart === at ? 0 : -1,
    private readonly singleByte = false,
  ) {
    this.lineStart = lineStart;
    this.column = lineStart === -1 ? -1 : column;
  }

  /** Counts the bytes from `at` to file offset `to`, which must lie in `buf` (file offset of buf[0]: `offset`). */
  advance(buf: Buffer, offset: number, to: number): void {
    const from = this.at - offset;
    const end = to - offset;
    if (end <= from) return;
    if (from < 0 || end > buf.length) throw new Error(`internal: line count at byte ${this.at} given bytes ${offset}–${offset + buf.length} up to ${to}`);
    if (buf !== this.buf || offset !== this.bufOffset) {
      this.buf = buf;
      this.bufOffset = offset;
      this.nextLf = this.nextCr = UNKNOWN;
    }
    // A native search costs about as much as a JS loop over a few dozen bytes: a short span (a
    // blank line, a record) or dense line ends (a file of blank lines) are counted byte by byte.
    let last = end - from <= SHORT ? -2 : this.search(buf, from, end);
    if (last === -2) last = this.bytes(buf, from, end, offset);
    if (last !== -1) {
      this.lineStart = offset + last + 1;
      this.column = characters(buf, last + 1, end, offset, this.singleByte);
    } else if (this.column !== -1) {
      this.column += characters(buf, from, end, offset, this.singleByte);
    }
    this.afterCr = buf[end - 1] === CR;
    this.at = to;
  }

  /**
   * Counts line ends in buf[from, end) with native searches, remembered between calls; returns
   * the index of the last one (-1: none), or -2, having counted nothing, when they are dense.
   */
  private search(buf: Buffer, from: number, end: number): number {
    let breaks = 0;
    let lf = this.nextLf;
    if (lf === UNKNOWN || (lf !== -1 && lf < from)) lf = buf.indexOf(LF, from);
    let last = -1;
    let seen = 0;
    while (lf !== -1 && lf < end) {
      if (++seen === DENSE && lf - from < DENSE * SHORT) return -2;
      // An LF right after a CR ends the line the CR ended.
      if (!(lf === from ? this.afterCr : buf[lf - 1] === CR)) breaks++;
      last = lf;
      lf = buf.indexOf(LF, lf + 1);
    }
    let cr = this.nextCr;
    if (cr === UNKNOWN || (cr !== -1 && cr < from)) cr = buf.indexOf(CR, from);
    seen = 0;
    while (cr !== -1 && cr < end) {
      if (++seen === DENSE && cr - from < DENSE * SHORT) return -2;
      breaks++;
      if (cr > last) last = cr;
      cr = buf.indexOf(CR, cr + 1);
    }
    this.nextLf = lf;
    this.nextCr = cr;
    this.line += breaks;
    return last;
  }

  /**
   * Counts line ends in buf[from, end) a byte at a time; returns the index of the last one (-1:
   * none). The remembered searches stay right: each is the first at or after some byte before
   * `from`, so one before `end` is searched again.
   */
  private bytes(buf: Buffer, from: number, end: number, offset: number): number {
    let line = this.line;
    let last = -1;
    let afterCr = this.afterCr;
    for (let i = from; i < end; i++) {
      const b = buf[i];
      if (b === LF) {
        if (!afterCr) line++;
        last = i;
        afterCr = false;
      } else if (b === CR) {
        line++;
        last = i;
        afterCr = true;
      } else {
        afterCr = false;
      }
    }
    this.line = line;
    if (last !== -1) this.lineStart = offset + last + 1;
    return last;
  }
}

/** A span this short is counted byte by byte. */
const SHORT = 64;
/** After this many line ends less than SHORT bytes apart on average, a span is counted byte by byte. */
const DENSE = 32;

/**
 * Where a record is in its file, for its messages: set before each record is built (one object
 * per reader, reused, so the hot path allocates nothing), asked only when the record has a problem.
 * `line` 0: the reader does not know the lines (a plan made before they were counted).
 */
export class RecordPlace {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private offset = 0;
  line = 0;
  private anchor = -1;
  private anchorColumn = 1;
  /** The file's name as messages show it: its base name, the source file of the job. */
  readonly name: string;

  /** `singleByte`: one byte is one character (latin1), for the column; otherwise UTF-8. */
  constructor(
    path: string,
    private readonly singleByte = false,
  ) {
    this.name = basename(path);
  }

  /**
   * The record starts at buf[start] (file offset of buf[0]: `offset`), on `line`; the byte at file
   * offset `anchor` (-1: none known) is on that line, at column `anchorColumn`.
   */
  set(buf: Buffer, start: number, offset: number, line: number, anchor: number, anchorColumn: number): this {
    this.buf = buf;
    this.start = start;
    this.offset = offset;
    this.line = line;
    this.anchor = anchor;
    this.anchorColumn = anchorColumn;
    return this;
  }

  /**
   * `users.csv:4:7 (byte 40)` for the byte `index` bytes into the record, as editors and `validate`
   * say places: the line (a quoted cell or a pretty-printed object may span lines) and the column
   * in characters; `byte 40 of the file` when the lines are not known. The column is left out when
   * the line began before the bytes at hand (a minified JSON array longer than a read).
   */
  of(index: number): string {
    const { buf, start } = this;
    const target = start + index;
    const byte = this.offset + target;
    if (this.line === 0) return `byte ${byte} of the file`;
    let line = this.line;
    let from = this.anchor < this.offset ? -1 : this.anchor - this.offset;
    let column = this.anchorColumn;
    for (let i = start; i < target; i++) {
      const b = buf[i];
      if (b === LF || (b === CR && buf[i + 1] !== LF)) {
        line++;
        from = i + 1;
        column = 1;
      }
    }
    if (from === -1 || from > target) return `${this.name}:${line} (byte ${byte})`;
    return `${this.name}:${line}:${column + characters(buf, from, target, this.offset, this.singleByte)} (byte ${byte})`;
  }
}

/**
 * Characters in buf[from, to) (file offset of buf[0]: `offset`): bytes for latin1, UTF-8 lead
 * bytes otherwise; the file's byte order mark is no character.
 */
export function characters(buf: Buffer, from: number, to: number, offset: number, singleByte: boolean): number {
  let at = from;
  if (offset + from === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) at = Math.min(3, to);
  if (singleByte) return to - at;
  let count = 0;
  for (let i = at; i < to; i++) if ((buf[i]! & 0xc0) !== 0x80) count++;
  return count;
}
