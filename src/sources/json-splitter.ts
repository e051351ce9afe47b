import { NEED_MORE, type RecordSplitter } from './record-cutter.js';
import { SourceError } from './source-error.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Byte classes for the element scan: most bytes are class 0 and cost one table lookup. */
const OPEN = 1;
const CLOSE = 2;
const STRING = 3;
const SPACE = 4;
const classes = new Uint8Array(256);
classes[0x7b] = OPEN;
classes[OPEN_ARRAY] = OPEN;
classes[0x7d] = CLOSE;
classes[CLOSE_ARRAY] = CLOSE;
classes[QUOTE] = STRING;
for (const b of [0x20, 0x09, 0x0a, 0x0d]) classes[b] = SPACE;

type State = 'before-array' | 'elements' | 'after-array';

/**
 * Cuts a JSON array into its top-level elements by tracking depth, strings and escapes only; the
 * elements themselves are parsed later, so a malformed but delimited element is still one record.
 * Bracket kinds are not matched (that would need an unbounded stack); depth is enough to delimit.
 * `file` mode expects the `[`…`]` around the elements; `range` mode reads elements of a slice.
 */
export class JsonSplitter implements RecordSplitter {
  start = -1;
  end = -1;
  private state: State;

  constructor(mode: 'file' | 'range') {
    this.state = mode === 'file' ? 'before-array' : 'elements';
  }

  /** False when the file ended before its opening `[` (an empty or all-whitespace file). */
  get sawArray(): boolean {
    return this.state !== 'before-array';
  }

  /** True once the array's closing `]` was read: without it the file was cut short (or a `}` is missing). */
  get closedArray(): boolean {
    return this.state === 'after-array';
  }

  split(buf: Buffer, pos: number, eof: boolean, offset: number): number {
    this.start = -1;
    let p = pos;
    while (p < buf.length && (classes[buf[p]!] === SPACE || (this.state === 'elements' && buf[p] === COMMA))) p++;
    if (p === buf.length) return p;
    if (this.state === 'before-array') return this.openArray(buf, p, offset);
    if (this.state === 'after-array') {
      throw new SourceError(`[source:json] unexpected ${describeByte(buf[p])} after the end of the JSON array at byte ${offset + p}`, {
        offset: offset + p,
      });
    }
    if (buf[p] === CLOSE_ARRAY) {
      this.state = 'after-array';
      return p + 1;
    }
    return this.element(buf, p, eof);
  }

  private openArray(buf: Buffer, p: number, offset: number): number {
    if (buf[p] !== OPEN_ARRAY) throw notAnArray(offset + p, describeByte(buf[p]));
    this.state = 'elements';
    return p + 1;
  }

  /** One element starting at `p`: an object or array by depth, a string by its closing quote, else a bare scalar. */
  private element(buf: Buffer, p: number, eof: boolean): number {
    const cls = classes[buf[p]!];
    const end = cls === OPEN ? nestedEnd(buf, p) : cls === STRING ? stringEnd(buf, p + 1) + 1 : scalarEnd(buf, p);
    // An element cut off by the end of the file is still a record: it fails to parse, visibly.
    if (end <= 0 || end > buf.length) {
      if (!eof) return NEED_MORE;
      return this.found(p, buf.length);
    }
    if (end === buf.length && cls !== OPEN && cls !== STRING && !eof) return NEED_MORE;
    return this.found(p, end);
  }

  private found(start: number, end: number): number {
    this.start = start;
    this.end = end;
    return end;
  }
}

/**
 * Index just past the bracket that closes the one at `p`, or -1 when it is not in the buffer.
 * Strings are skipped inline: user records are mostly short strings, where a native indexOf call
 * costs more than the bytes it would skip.
 */
function nestedEnd(buf: Buffer, p: number): number {
  const len = buf.length;
  let depth = 0;
  for (let i = p; i < len; i++) {
    const cls = classes[buf[i]!];
    if (cls === OPEN) depth++;
    else if (cls === CLOSE) {
      if (--depth === 0) return i + 1;
    } else if (cls === STRING) {
      for (i++; i < len; i++) {
        const b = buf[i];
        if (b === QUOTE) break;
        if (b === BACKSLASH) i++;
      }
    }
  }
  return -1;
}

/** Index of the quote that closes a string whose content starts at `from`, or -1. */
function stringEnd(buf: Buffer, from: number): number {
  let q = buf.indexOf(QUOTE, from);
  while (q !== -1) {
    // A quote preceded by an odd run of backslashes is escaped: `\"` yes, `\\"` no.
    let k = q - 1;
    while (k >= from && buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    q = buf.indexOf(QUOTE, q + 1);
  }
  return -1;
}

/** A bare number/literal (or junk) ends at whitespace, a comma or the closing bracket. */
function scalarEnd(buf: Buffer, p: number): number {
  let i = p;
  while (i < buf.length) {
    const b = buf[i];
    if (b === COMMA || b === CLOSE_ARRAY || classes[b!] === SPACE) break;
    i++;
  }
  return i;
}

function notAnArray(at: number, found: string): SourceError {
  return new SourceError(
    `[source:json] expected a JSON array of users at byte ${at}, found ${found}. Hint: a JSON source is one array of objects; use format ndjson for one object per line`,
    { offset: at },
  );
}

/** Names a byte for a message: a printable character in quotes, else its code. */
export function describeByte(b: number | undefined): string {
  if (b === undefined) return 'the end of the file';
  if (b >= 0x21 && b < 0x7f) return `"${String.fromCharCode(b)}"`;
  return `byte 0x${b.toString(16).padStart(2, '0')}`;
}
