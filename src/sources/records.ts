import { duplicateKeyMessage, findDuplicateKey } from '../validation/duplicate-keys.js';
import { inexactNumbers } from '../validation/inexact-numbers.js';
import type { SourceRecord } from './types.js';
import { JSON_ENCODING_HINT, decodeUtf8, invalidUtf8Message } from './utf8.js';

/** A reject keeps enough of the raw text to recognise the record, not a whole runaway field. */
export const MAX_RAW_CHARS = 1000;

/** A record that could not be parsed: it becomes a PARSE_ERROR reject with this message. */
export function malformed(row: number, raw: string, error: string, path?: string): SourceRecord {
  return { row, raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw, error, ...(path === undefined ? {} : { path }) };
}

/**
 * A JSON or NDJSON record from its bytes (`offset`: file offset of buf[0]): bytes that are not
 * UTF-8 make it a PARSE_ERROR at their byte, never text with U+FFFD in it.
 */
export function jsonRecordOf(buf: Buffer, start: number, end: number, row: number, offset: number): SourceRecord {
  const text = decodeUtf8(buf, start, end);
  if (typeof text === 'number') return malformed(row, buf.toString('utf8', start, end), invalidUtf8Message(buf, text, offset + text, JSON_ENCODING_HINT));
  return jsonRecord(text, row);
}

/** JSON and NDJSON records: one JSON object each; anything else is a malformed record, not an exception. */
export function jsonRecord(text: string, row: number): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // JSON.parse would quote the character itself, invisible on a terminal (Unexpected token ' ').
    if (text.startsWith('\uFEFF'))
      return malformed(
        row,
        text,
        'invalid JSON: it starts with a byte order mark (U+FEFF; only the one at the start of the file is dropped: files joined with theirs?)',
      );
    return malformed(row, text, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return malformed(row, text, `expected a JSON object, got ${describe(value)}`);
  }
  // Nothing is dropped silently: JSON.parse would keep only the last of a repeated key.
  const duplicate = findDuplicateKey(text, value);
  if (duplicate) return malformed(row, text, duplicateKeyMessage(duplicate), duplicate.path);
  // Nor changed silently: a number JSON.parse rounded is a FORMAT reject at its path, found in the text.
  const errors = inexactNumbers(text);
  return errors.length === 0 ? { row, record: value as Record<string, unknown> } : { row, record: value as Record<string, unknown>, errors };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
