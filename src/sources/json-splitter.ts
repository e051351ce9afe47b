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

/**
 * Where the scan is. `file` mode checks the array's separators as JSON has them: after `[` an
 * element or `]` (`first`), after an element `,` or `]` (`after-element`), after `,` an element
 * (`elements`; `]` too: a trailing comma is accepted). `range` mode reads a slice the plan already scanned in `file` mode, so it stays in
 * `elements` and skips commas between elements.
 */
type State = 'before-array' | 'first' | 'elements' | 'after-element' | 'after-array';

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
  private readonly strict: boolean;
  /** Elements found so far (`file` mode), for messages. */
  private elements = 0;

  constructor(mode: 'file' | 'range') {
    this.state = mode === 'file' ? 'before-array' : 'elements';
    this.strict = mode === 'file';
  }

  /** Elements found so far (`file` mode). */
  get elementCount(): number {
    return this.elements;
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
    while (p < buf.length && (classes[buf[p]!] === SPACE || (!this.strict && buf[p] === COMMA))) p++;
    if (p === buf.length) return p;
    if (this.state === 'before-array') return this.openArray(buf, p, offset);
    if (this.state === 'after-array') {
      throw new SourceError(`[source:json] unexpected ${describeByte(buf[p])} after the end of the JSON array at byte ${offset + p}`, {
        offset: offset + p,
      });
    }
    const b = buf[p];
    if (this.strict) this.checkSeparator(b, offset + p);
    if (b === COMMA) {
      this.state = 'elements';
      return p + 1;
    }
    if (b === CLOSE_ARRAY) {
      this.state = 'after-array';
      return p + 1;
    }
    const next = this.element(buf, p, eof);
    if (this.start !== -1) {
      this.elements++;
      if (this.strict) this.state = 'after-element';
    }
    return next;
  }

  /** JSON's separators: a missing, leading or doubled comma means the file is not what its writer meant. */
  private checkSeparator(b: number | undefined, at: number): void {
    const found = describeByte(b);
    const where = `at byte ${at}, after ${this.elements} element(s)`;
    if (this.state === 'after-element' && b !== COMMA && b !== CLOSE_ARRAY)
      throw new SourceError(`[source:json] expected "," or "]" between the elements of the array, found ${found} ${where}. Hint: a comma is missing`, {
        offset: at,
      });
    if (this.state === 'first' && b === COMMA)
      throw new SourceError(`[source:json] unexpected "," ${where}: the array starts with a comma. Hint: an element is missing`, { offset: at });
    // A comma before the closing "]" is let through: the elements are plain, and exports of other tools write it.
    if (this.state === 'elements' && b === COMMA)
      throw new SourceError(`[source:json] unexpected "," ${where}: an element is missing between two commas. Hint: remove the extra comma`, { offset: at });
  }

  private openArray(buf: Buffer, p: number, offset: number): number {
    if (buf[p] !== OPEN_ARRAY) throw isBom(buf, p) ? secondBom(offset + p) : notAnArray(offset + p, describeByte(buf[p]));
    this.state = this.strict ? 'first' : 'elements';
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

/** The UTF-8 byte order mark at `p` (all three bytes in the buffer). */
function isBom(buf: Buffer, p: number): boolean {
  return buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf;
}

/** Only the BOM at the file's very start is dropped (record-cutter.ts): one after it is a byte that is not JSON. */
function secondBom(at: number): SourceError {
  return new SourceError(
    `[source:json] expected a JSON array of users at byte ${at}, found a second byte order mark (EF BB BF; only the one at the file's start is dropped). Hint: remove it`,
    { offset: at },
  );
}

/** Names a byte for a message: a printable character in quotes, else its code. */
export function describeByte(b: number | undefined): string {
  if (b === undefined) return 'the end of the file';
  if (b === QUOTE) return `'"'`;
  if (b >= 0x21 && b < 0x7f) return `"${String.fromCharCode(b)}"`;
  return `byte 0x${b.toString(16).padStart(2, '0')}`;
}
