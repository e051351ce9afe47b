import { duplicateKeyMessage, findDuplicateKey } from '../validation/duplicate-keys.js';
import { inexactNumbers } from '../validation/inexact-numbers.js';
import { jsonErrorIndex } from './json-error.js';
import type { RecordPlace } from './lines.js';
import { maskJsonText } from './mask-raw.js';
import type { SourceRecord } from './types.js';
import { JSON_ENCODING_HINT, decodeUtf8, invalidUtf8Message } from './utf8.js';

/** A reject keeps enough of the raw text to recognise the record, not a whole runaway field. */
export const MAX_RAW_CHARS = 1000;

/**
 * A record that could not be parsed: it becomes a PARSE_ERROR reject with this message. Its text
 * is cut, then masked by `mask` (mask-raw.ts): cut first, a value running past the cut is one
 * never closed, and masked to the end.
 */
export function malformed(row: number, raw: string, error: string, mask: (raw: string) => string, path?: string): SourceRecord {
  return { row, raw: mask(raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw), error, ...(path === undefined ? {} : { path }) };
}

/**
 * A JSON or NDJSON record from its bytes (`offset`: file offset of buf[0]): bytes that are not
 * UTF-8 make it a PARSE_ERROR at their byte, never text with U+FFFD in it.
 */
export function jsonRecordOf(buf: Buffer, start: number, end: number, row: number, offset: number, place?: RecordPlace): SourceRecord {
  const text = decodeUtf8(buf, start, end);
  if (typeof text === 'number') {
    const where = place !== undefined && place.line > 0 ? place.of(text - start) : undefined;
    return malformed(row, buf.toString('utf8', start, end), invalidUtf8Message(buf, text, offset + text, JSON_ENCODING_HINT, where), maskJsonText);
  }
  return jsonRecord(text, row, offset + start, place);
}

/**
 * JSON and NDJSON records: one JSON object each; anything else is a malformed record, not an
 * exception. `at`: the file offset of the record's first byte, for where a syntax error is.
 */
export function jsonRecord(text: string, row: number, at?: number, place?: RecordPlace): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // JSON.parse would quote the character itself, invisible on a terminal (Unexpected token ' ').
    if (text.startsWith('\uFEFF'))
      return malformed(
        row,
        text,
        `invalid JSON: it starts with a byte order mark (U+FEFF; only the one at the start of the file is dropped: files joined with theirs?)${where(text, 0, at, place)}`,
        maskJsonText,
      );
    return malformed(row, text, `invalid JSON: ${syntaxError(err, text, at, place)}`, maskJsonText);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformed(row, text, `expected a JSON object, got ${describe(value)}${where(text, text.search(/\S/), at, place)}`, maskJsonText);
  }
  // Nothing is dropped silently: JSON.parse would keep only the last of a repeated key.
  const duplicate = findDuplicateKey(text, value);
  if (duplicate) {
    // The object's place before the consequence: `duplicate field "email" in one JSON object at users.json:4:1 (byte 40); JSON keeps …`.
    const message = duplicateKeyMessage(duplicate);
    const cut = message.lastIndexOf('; ');
    const here = where(text, text.search(/\S/), at, place);
    return malformed(row, text, cut === -1 ? `${message}${here}` : `${message.slice(0, cut)}${here}${message.slice(cut)}`, maskJsonText, duplicate.path);
  }
  // Nor changed silently: a number JSON.parse rounded is a FORMAT reject at its path, found in the text.
  const errors = inexactNumbers(text);
  return errors.length === 0 ? { row, record: value as Record<string, unknown> } : { row, record: value as Record<string, unknown>, errors };
}

/**
 * ` at users.json:4:7 (byte 40)` for `text[index]`, as a syntax error says its place (` at byte N of
 * the file` when the lines are not known); '' without the record's offset. Every record problem
 * says where it is: an element of a minified array is on line 1 with all the others.
 */
function where(text: string, index: number, at: number | undefined, place: RecordPlace | undefined): string {
  if (at === undefined) return '';
  const bytes = Buffer.byteLength(text.slice(0, Math.max(0, index)));
  return place !== undefined && place.line > 0 ? ` at ${place.of(bytes)}` : ` at byte ${at + bytes} of the file`;
}

/**
 * The parser's message with where the error is said as the byte of the file, as every other source
 * error is (a record of a minified file may be long): its "in JSON at position 7" (UTF-16 units into
 * the record, from 0) or "after JSON at position 7" converted; a message with no position
 * ("Unexpected token ']', "[1,]" is not valid JSON", "Unexpected end of JSON input") placed by
 * jsonErrorIndex, its quote of the record dropped (a part of the record, which may hold a secret,
 * said nothing the byte does not).
 */
function syntaxError(err: unknown, text: string, at: number | undefined, place: RecordPlace | undefined): string {
  const message = err instanceof Error ? err.message : String(err);
  if (at === undefined) return message;
  // file:line:col (byte N) when the reader knows the lines, as CSV's errors say it.
  const byteAt = (index: number): string =>
    place !== undefined && place.line > 0
      ? `at ${place.of(Buffer.byteLength(text.slice(0, index)))}`
      : `at byte ${at + Buffer.byteLength(text.slice(0, index))} of the file`;
  // Newer V8s add "(line 1 column 8)": of the record, not of the file.
  const m = / (in|after) JSON at position (\d+)(?: \(line \d+ column \d+\))?/.exec(message);
  if (m) {
    const index = Number(m[2]);
    const after = m[1] === 'after' ? ' after the JSON value' : '';
    return `${message.slice(0, m.index)}${after}${unseen(text, index)} ${byteAt(index)}${message.slice(m.index + m[0].length)}`;
  }
  const index = jsonErrorIndex(text);
  if (index === -1) return message;
  const quoted = /^Unexpected token '([^]*?)', [^]* is not valid JSON$/.exec(message);
  if (!quoted) return `${message}${unseen(text, index)} ${byteAt(index)}`;
  // A letter or digit out of place is most often a value's (`"password": hunter2`, the tail of a
  // string cut by a line break): quoted, it is a character of what the raw text masks.
  const shown = unseen(text, index);
  return `Unexpected ${shown === '' && STRUCTURAL.test(quoted[1]!) ? `token '${quoted[1]}'` : 'character'}${shown} ${byteAt(index)}`;
}

/**
 * ` (U+0000, a NUL byte, which shows as nothing)` when the character at `index` is one a terminal
 * does not show (a control, a format character, a line or paragraph separator, a space other than
 * ' '): "Unexpected character at users.ndjson:2:1" of a run of NULs, or "Expected double-quoted
 * property name" of a U+2028 after a comma, pointed at a place that looks blank. A code point only:
 * no part of a value.
 */
function unseen(text: string, index: number): string {
  const c = text.codePointAt(index);
  if (c === undefined || c === 0x20 || !UNSEEN.test(String.fromCodePoint(c))) return '';
  return ` (U+${c.toString(16).toUpperCase().padStart(4, '0')}${c === 0 ? ', a NUL byte' : ''}, which shows as nothing or a blank)`;
}

const UNSEEN = /^[\p{Cc}\p{Cf}\p{Z}]$/u;

/** Characters a message may quote: JSON's punctuation and white space, which no value's content is told by. */
const STRUCTURAL = /^[{}[\],:"\s]$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
