import { MAX_RECORD_BYTES, NEED_MORE, type RecordSplitter } from './record-cutter.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** The quoted field is broken: never closed, closed too late, or followed by junk. */
const BROKEN = -2;
/** The quoted field was followed by a delimiter: the record goes on. */
const CONTINUE = -3;

/**
 * Finds CSV record boundaries in bytes (RFC 4180): a quote opens a quoted field only at the start
 * of a field, inside one `""` is a quote, and newlines inside quotes are data. Blank lines are not
 * records. Line ends are LF, CRLF, or a bare CR (old Mac files; RFC 4180 allows no CR in an
 * unquoted field, and fast-csv, Python's csv and spreadsheets all end a row there), so a stray CR
 * never folds the next line into its record: every line of the file is counted.
 *
 * A broken quoted field (never closed, closed by a quote followed by something other than a
 * delimiter or line end, or open for more than MAX_RECORD_BYTES) must not swallow the rest of the
 * file: its record ends at the first line end after the opening quote, and the next line starts a
 * new record. The record's own parse then fails, so it becomes one PARSE_ERROR and later rows still
 * parse. The delimiter must be one byte; ASCII-compatible encodings (utf8, latin1) scan the same.
 */
export class CsvSplitter implements RecordSplitter {
  start = -1;
  end = -1;
  /** The buffer `quoteAt` was searched in, and the next quote at or after the last position asked. */
  private quoteBuf: Buffer | undefined;
  private quoteAt = -1;
  /** The same for CR: most files have none, and searching from every record would be quadratic. */
  private crBuf: Buffer | undefined;
  private crAt = -1;
  /** The same for LF: a file whose lines end with a bare CR has none, and each record searched the whole buffer for one. */
  private lfBuf: Buffer | undefined;
  private lfAt = -1;

  constructor(private readonly delimiter: number) {}

  split(buf: Buffer, pos: number, eof: boolean): number {
    this.start = -1;
    const first = buf[pos];
    if (first === LF) return pos + 1;
    if (first === CR) {
      if (pos + 1 === buf.length) return eof ? pos + 1 : NEED_MORE;
      return buf[pos + 1] === LF ? pos + 2 : pos + 1;
    }
    return this.record(buf, pos, eof);
  }

  /**
   * Jumps from quote to quote with the native indexOf (a JS byte loop is several times slower): a
   * quote at a field's start opens a quoted field, which is skipped whole; other quotes are data.
   * When no quote is left before the line end, the line end is the record's end.
   */
  private record(buf: Buffer, start: number, eof: boolean): number {
    let eol = this.lineEnd(buf, start);
    let quote = this.nextQuote(buf, start);
    while (quote !== -1 && (eol === -1 || quote < eol)) {
      if (quote !== start && buf[quote - 1] !== this.delimiter) {
        quote = buf.indexOf(QUOTE, quote + 1);
        continue;
      }
      const after = quotedFieldEnd(buf, start, quote + 1, eof);
      const next = after < 0 ? after : this.afterClosingQuote(buf, start, after, eof);
      if (next === BROKEN) return this.brokenRecord(buf, start, quote, eof);
      if (next !== CONTINUE) return next;
      if (eol !== -1 && eol < after) eol = this.lineEnd(buf, after);
      quote = buf.indexOf(QUOTE, after + 1);
    }
    this.quoteBuf = buf;
    this.quoteAt = quote;
    if (eol === -1) return eof ? this.found(start, buf.length, buf.length) : NEED_MORE;
    return this.endAt(buf, start, eol, eof);
  }

  /** The first line end (LF or CR) at or after `pos`, or -1. */
  private lineEnd(buf: Buffer, pos: number): number {
    if (buf !== this.lfBuf || (this.lfAt !== -1 && this.lfAt < pos)) {
      this.lfBuf = buf;
      this.lfAt = buf.indexOf(LF, pos);
    }
    const lf = this.lfAt;
    if (buf !== this.crBuf || (this.crAt !== -1 && this.crAt < pos)) {
      this.crBuf = buf;
      this.crAt = buf.indexOf(CR, pos);
    }
    const cr = this.crAt;
    return cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
  }

  /** The record [start, eol) ends at the line end at `eol`: LF, CRLF or a bare CR. */
  private endAt(buf: Buffer, start: number, eol: number, eof: boolean): number {
    if (buf[eol] === LF) return this.found(start, eol, eol + 1);
    // A CR in the last byte may be the first half of CRLF: wait for the next byte.
    if (eol + 1 === buf.length) return eof ? this.found(start, eol, eol + 1) : NEED_MORE;
    return this.found(start, eol, buf[eol + 1] === LF ? eol + 2 : eol + 1);
  }

  /** The next quote at or after `pos`, remembered so that lines without quotes cost no search. */
  private nextQuote(buf: Buffer, pos: number): number {
    if (buf !== this.quoteBuf || (this.quoteAt !== -1 && this.quoteAt < pos)) {
      this.quoteBuf = buf;
      this.quoteAt = buf.indexOf(QUOTE, pos);
    }
    return this.quoteAt;
  }

  /**
   * What follows a closing quote (at `after - 1`) decides: a delimiter means another field
   * (CONTINUE), a line end or the end of the file ends the record, anything else is BROKEN.
   */
  private afterClosingQuote(buf: Buffer, start: number, after: number, eof: boolean): number {
    if (after === buf.length) return eof ? this.found(start, after, after) : NEED_MORE;
    const b = buf[after];
    if (b === this.delimiter) return CONTINUE;
    if (b === LF || b === CR) return this.endAt(buf, start, after, eof);
    return BROKEN;
  }

  /** The record of a broken quoted field ends at the first line end after its opening quote. */
  private brokenRecord(buf: Buffer, start: number, openQuote: number, eof: boolean): number {
    const eol = this.lineEnd(buf, openQuote);
    if (eol === -1) return eof ? this.found(start, buf.length, buf.length) : NEED_MORE;
    return this.endAt(buf, start, eol, eof);
  }

  /** Records [start, end) (the line end left out) and returns `next`. */
  private found(start: number, end: number, next: number): number {
    this.start = start;
    this.end = end;
    return next;
  }
}

/**
 * Index just past the quote closing a field whose content starts at `from`; NEED_MORE when the
 * buffer ends first; BROKEN when the file ends first or the field would outgrow MAX_RECORD_BYTES
 * (decided from the record's own length, so every reader of the record decides the same).
 */
function quotedFieldEnd(buf: Buffer, start: number, from: number, eof: boolean): number {
  let q = buf.indexOf(QUOTE, from);
  while (q !== -1 && buf[q + 1] === QUOTE) q = buf.indexOf(QUOTE, q + 2);
  if (q === -1) return eof || buf.length - start > MAX_RECORD_BYTES ? BROKEN : NEED_MORE;
  if (q - start > MAX_RECORD_BYTES) return BROKEN;
  // A quote in the last byte may be the first half of `""`: wait for the next byte.
  if (q + 1 === buf.length && !eof) return NEED_MORE;
  return q + 1;
}
