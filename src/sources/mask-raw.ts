import { MASK, isSecretName } from '../validation/mask.js';
import { jsonErrorIndex } from './json-error.js';

/*
 * The raw text of a record that could not be parsed is kept in its reject so the record can be
 * found and recognised; a parsed record has its secrets masked by key (validation/mask.ts), and
 * this text must not give them back. It is not valid JSON (or not a CSV row of the header's
 * width), so no parser can say which part is a secret's value: a tolerant scan finds every
 * `"key":` (or `'key':`, `key:`, or `\"key\":` in JSON held in a string) whose key, escapes read,
 * names a secret, and masks what follows, generously: a string runs to a quote followed by what
 * may follow a value, else to the end of the text; a `{…}` or `[…]` to its matching close, else to
 * the end. A CSV row's cells are masked by the header's columns (every cell that could be a
 * secret column's, however the row's width is off). Anything shaped like a password hash (`$2b$…`,
 * `$argon2id$…`) is masked wherever it is, named or not.
 */

const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
/** What may follow a whole value: the end of a member or element (the end of the text is checked apart). */
const endsValue = (c: number): boolean => c === 0x2c || c === 0x7d || c === 0x5d || c === 0x0a || c === 0x0d;
const isNameStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24;
const isNameChar = (c: number): boolean => isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d;

/** Modular crypt format and the like: `$2b$10$…`, `$argon2id$v=19$…`, `$pbkdf2-sha256$…`, `$6$salt$…`, `$scrypt$…`. */
const HASH_LIKE = /\$(?:2[abxy]?|argon2(?:id|i|d)|pbkdf2[\w-]*|scrypt|sha(?:256|512|1)|md5|[1567]|y|gy)\$[^\s"',;{}[\]]*/gi;

type Span = [start: number, end: number];

/** `text` (a malformed JSON or NDJSON record) with the values of secret-named keys masked. */
export function maskJsonText(text: string): string {
  const spans: Span[] = [];
  const n = text.length;
  // A record that is no JSON value and does not open as an object or array is a fragment: most
  // often the rest of a line a string's raw line break cut (NDJSON), whose text up to that
  // string's closing quote is the end of a value whose key is on the line before. (A whole value,
  // `42` or `"str"`, is refused for not being an object, and shown.)
  const first = text.search(/[^\s\uFEFF]/);
  if (first !== -1 && text[first] !== '{' && text[first] !== '[' && jsonErrorIndex(text) !== -1) {
    const close = text.slice(first).search(/["']\s*(?:[,}\]]|$)/);
    spans.push([first, close === -1 ? n : first + close]);
  }
  for (let p = 0; p < n; p++) {
    const c = text.charCodeAt(p);
    let key: { name: string; after: number; escaped: boolean } | undefined;
    if (c === QUOTE || c === APOSTROPHE) key = quotedKey(text, p);
    else if (isNameStart(c) && (p === 0 || !isNameChar(text.charCodeAt(p - 1)))) key = bareKey(text, p);
    if (key === undefined || !isSecretName(key.name)) continue;
    // Scanning goes on inside the span: what looked like a key may be a value's text (`'s", "password": …`
    // read from the apostrophe of `it's`), and the real key inside it still needs its own span.
    const span = valueSpan(text, key.after, key.escaped);
    if (span !== undefined) spans.push(span);
  }
  return maskHashLike(replaceSpans(text, spans));
}

/**
 * For one header: `text` (one CSV row that did not parse, or not to the header's width) with the
 * cells of secret columns masked. When the row has M cells and the header N, a cell i may be any
 * column from i - (M - N) (cells added before it) to i + (N - M) (cells missing before it): it is
 * masked when any of those is secret. Made once per header: a header may be very wide.
 */
export function csvMasker(header: readonly string[], delimiter: string): (text: string) => string {
  // before[k]: how many of the columns before k are secret, so a range of columns is asked in one step.
  const before = new Uint32Array(header.length + 1);
  header.forEach((name, k) => (before[k + 1] = before[k]! + (isSecretName(name) ? 1 : 0)));
  const n = header.length;
  if (before[n] === 0) return maskHashLike;
  return (text) => {
    const cells = csvCells(text, delimiter);
    const m = cells.length;
    const spans = cells.filter(([start, end], i) => {
      const from = Math.max(0, i - Math.max(0, m - n));
      const to = Math.min(n - 1, i + Math.max(0, n - m));
      return end > start && from <= to && before[to + 1]! - before[from]! > 0;
    });
    return maskHashLike(replaceSpans(text, spans));
  };
}

/** The cells of a CSV row however malformed: a quoted cell runs to its closing quote (`""` inside), then to the delimiter; unclosed, to the end. */
function csvCells(text: string, delimiter: string): Span[] {
  const cells: Span[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    if (text.charCodeAt(i) === QUOTE) {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          i = text.length;
          break;
        }
        if (text.charCodeAt(q + 1) === QUOTE) i = q + 2;
        else {
          i = q + 1;
          break;
        }
      }
    }
    const next = text.indexOf(delimiter, i);
    const end = next === -1 ? text.length : next;
    cells.push([start, end]);
    if (next === -1) return cells;
    i = next + delimiter.length;
  }
}

/**
 * A key whose quote opens at `p`: its name (escapes read, leniently) and where its value starts,
 * when a colon follows the closing quote. A quote after a backslash opens a key of JSON held in a
 * string (`"{\"password\": \"x\"}"`), which closes with a backslashed quote too.
 */
function quotedKey(text: string, p: number): { name: string; after: number; escaped: boolean } | undefined {
  const quote = text.charCodeAt(p);
  const escaped = p > 0 && text.charCodeAt(p - 1) === BACKSLASH;
  const close = escaped ? text.indexOf(`\\${text[p]}`, p + 1) : closingQuote(text, p + 1, quote);
  if (close === -1) return undefined;
  let i = close + (escaped ? 2 : 1);
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  const body = text.slice(p + 1, close);
  const name = unescape(escaped ? unescape(body) : body);
  if (text.charCodeAt(i) === COLON) return { name, after: i + 1, escaped };
  // A secret's name not followed by what ends a value is a key whose colon is missing or mistyped
  // (`"password" "x"`, `"password"="x"`, a comment before it): often the very error of the record.
  if (i >= text.length || endsValue(text.charCodeAt(i)) || !isSecretName(name)) return undefined;
  return { name, after: separatorEnd(text, i), escaped };
}

/** Past what may stand between a key and its value when the colon is not there: `=`, `:`, spaces and comments. */
function separatorEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === COLON || text[i] === '=')) i++;
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else return i;
  }
}

/** An unquoted `name:` at `p` (a JavaScript object literal's key). */
function bareKey(text: string, p: number): { name: string; after: number; escaped: boolean } | undefined {
  let i = p;
  while (i < text.length && isNameChar(text.charCodeAt(i))) i++;
  const end = i;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== COLON) return undefined;
  return { name: text.slice(p, end), after: i + 1, escaped: false };
}

/** The index of the quote closing a string whose content starts at `from`, or -1: a quote after an odd run of backslashes is content. */
function closingQuote(text: string, from: number, quote: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === quote) return i;
  }
  return -1;
}

/** JSON escapes read leniently (an unknown escape is its character), so `"pass\u0077ord"` is `password`. */
function unescape(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|[^])/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[e] ?? e;
  });
}

/**
 * The span to mask of the value starting at `from`: a string's content (its quotes kept), a
 * container whole, anything else up to what ends a value. A string whose closing quote is not
 * followed by what may follow a value (`"pa"ss", …`: a quote written unescaped) runs on to the
 * next quote that is; one never closed runs to the end of the text.
 */
function valueSpan(text: string, from: number, escaped: boolean): Span | undefined {
  const n = text.length;
  let i = from;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i >= n) return undefined;
  const c = text.charCodeAt(i);
  if (escaped && c === BACKSLASH && text.charCodeAt(i + 1) === QUOTE) {
    const close = text.indexOf('\\"', i + 2);
    return [i + 2, close === -1 ? n : close];
  }
  if (c === QUOTE || c === APOSTROPHE) {
    for (let at = i + 1; ;) {
      const close = closingQuote(text, at, c);
      if (close === -1) return [i + 1, n];
      let k = close + 1;
      while (k < n && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k++;
      if (k >= n || endsValue(text.charCodeAt(k))) return [i + 1, close];
      at = close + 1;
    }
  }
  if (c === 0x7b || c === 0x5b) return [i, containerEnd(text, i)];
  let end = i;
  while (end < n && !endsValue(text.charCodeAt(end))) end++;
  return end > i ? [i, end] : undefined;
}

/** The index just past the bracket closing the container opened at `from` (strings skipped), or the end of the text. */
function containerEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const close = closingQuote(text, i + 1, QUOTE);
      if (close === -1) return text.length;
      i = close;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** `text` with each span replaced by the mask; spans may overlap or nest. */
function replaceSpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) continue;
    // A span overlapping the one masked last extends it: one mask for both.
    if (start >= at) out += text.slice(at, Math.max(at, start)) + MASK;
    at = end;
  }
  return out + text.slice(at);
}

function maskHashLike(text: string): string {
  return text.replace(HASH_LIKE, MASK);
}
