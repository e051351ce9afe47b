import { NEED_MORE, type RecordSplitter } from './record-cutter.js';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
/** From `loneCr`: the CR is the last byte read (NEED_MORE is -1, which `loneCr` uses for "none"). */
const CR_AT_END = -2;

/**
 * NDJSON / JSON Lines: one record per line; lines of only whitespace are not records. A line ends
 * at LF, CRLF, or a lone CR outside a JSON string (a file from an old Mac, or `\r`-joined output):
 * read as one line, `{…}\r{…}` would be one reject for two records. A CR inside a string is no
 * line end (JSON forbids it there unescaped, so that record is one reject, not two halves), unless
 * a `{` follows it (see loneCr).
 */
export class NdjsonSplitter implements RecordSplitter {
  start = -1;
  end = -1;
  /**
   * The buffer last searched for LF, and the first LF at or after the last position asked (-1:
   * none): a file whose lines end with a lone CR has no LF, and searching the rest of the buffer
   * from every record made its scan quadratic in the chunk (20 MB took 17 times as long).
   */
  private lfBuf: Buffer | undefined;
  private lfAt = -1;

  split(buf: Buffer, pos: number, eof: boolean): number {
    if (buf !== this.lfBuf || (this.lfAt !== -1 && this.lfAt < pos)) {
      this.lfBuf = buf;
      this.lfAt = buf.indexOf(LF, pos);
    }
    const lf = this.lfAt;
    const lone = loneCr(buf, pos, lf, eof);
    if (lone === CR_AT_END || (lone === -1 && lf === -1 && !eof)) return NEED_MORE;
    let end: number;
    let next: number;
    if (lone >= 0) {
      end = lone;
      next = lone + 1;
    } else {
      next = lf === -1 ? buf.length : lf + 1;
      end = lf === -1 ? buf.length : lf;
      if (end > pos && buf[end - 1] === CR) end -= 1;
    }
    if (isBlank(buf, pos, end)) {
      this.start = -1;
    } else {
      this.start = pos;
      this.end = end;
    }
    return next;
  }
}

/**
 * The first CR before the line's LF (`lf`, -1 when none yet) that is neither the CR of a CRLF nor
 * inside a JSON string, or -1; CR_AT_END when a CR is the last byte read and what follows decides.
 */
function loneCr(buf: Buffer, pos: number, lf: number, eof: boolean): number {
  // A CRLF line (a Windows file) has its CR outside the search: one memchr, no byte loop.
  const limit = lf === -1 ? buf.length : buf[lf - 1] === CR && lf - 1 >= pos ? lf - 1 : lf;
  if (buf.subarray(pos, limit).indexOf(CR) === -1) return -1;
  let inString = false;
  let escaped = false;
  for (let i = pos; i < limit; i++) {
    const b = buf[i];
    if (escaped) escaped = false;
    else if (inString && b === BACKSLASH) escaped = true;
    else if (b === QUOTE) inString = !inString;
    else if (b === CR && !inString) {
      if (i + 1 < buf.length) return buf[i + 1] === LF ? -1 : i;
      return eof ? i : CR_AT_END;
    } else if (b === CR) {
      // Inside a string as counted, but right before a record's `{`: a line end after a line with
      // an unbalanced quote (`"O"Brien"`), which would otherwise make every later CR of the file
      // look inside a string and join every later record to its reject. A raw CR is never valid
      // in a string, so a record really holding `\r{` there is a reject either way.
      if (i + 1 < buf.length) {
        if (buf[i + 1] === OPEN_OBJECT) return i;
      } else if (!eof) return CR_AT_END;
    }
  }
  return -1;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== SPACE && b !== TAB && b !== CR) return false;
  }
  return true;
}
