import { NEED_MORE, type RecordSplitter } from './record-cutter.js';

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

/** NDJSON / JSON Lines: one record per line (LF or CRLF); lines of only whitespace are not records. */
export class NdjsonSplitter implements RecordSplitter {
  start = -1;
  end = -1;

  split(buf: Buffer, pos: number, eof: boolean): number {
    const lf = buf.indexOf(LF, pos);
    if (lf === -1 && !eof) return NEED_MORE;
    const next = lf === -1 ? buf.length : lf + 1;
    let end = lf === -1 ? buf.length : lf;
    if (end > pos && buf[end - 1] === CR) end -= 1;
    if (isBlank(buf, pos, end)) {
      this.start = -1;
    } else {
      this.start = pos;
      this.end = end;
    }
    return next;
  }
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b !== SPACE && b !== TAB && b !== CR) return false;
  }
  return true;
}
