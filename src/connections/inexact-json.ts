import type { RejectError } from '../validation/reject.js';
import { inexactNumbers, isInexact } from '../validation/inexact-numbers.js';
import { scanJsonText, valuePath } from '../validation/json-text.js';
import { setOwnField } from '../validation/own-field.js';
import { UnreadableValue } from './unreadable-value.js';

/*
 * A stored JSON document (PostgreSQL json/jsonb, SQLite JSON text) may hold an integer beyond
 * ±2^53 − 1: jsonb keeps every digit, and any writer other than Ferry can put one there. JSON.parse
 * would read it as the nearest double (12345678901234567890123 → 1.2345678901234568e+22), and an
 * export or a migration would write that other number without a word. A page read keeps such a
 * document as its text (`InexactJson`), and the job's page reader (activities/read-batch-page.ts)
 * settles it: a FORMAT reject at the number's path when the mapping reads it, the parsed document
 * otherwise (nothing of that number is written then).
 */

/** A stored JSON document that holds a number a double would round, as the store's text. */
export class InexactJson {
  constructor(readonly text: string) {}
}

/** `text` parsed, or kept as an InexactJson when a number of it would be rounded. Throws on text that is not JSON. */
export function parseStoredJson(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  return inexactNumbers(text).length > 0 ? new InexactJson(text) : parsed;
}

/**
 * The stored text as an InexactJson when it is JSON holding a number a double would round, else
 * undefined: for most texts one regex test, with no parse (inexact-numbers.ts screens first).
 */
export function inexactDocument(text: string): InexactJson | undefined {
  try {
    if (inexactNumbers(text).length === 0) return undefined;
    JSON.parse(text);
    return new InexactJson(text);
  } catch {
    // Not JSON: stored text another tool wrote, which a merge already keeps as it is.
    return undefined;
  }
}

/** The message names the stored digits: the reject's copy of the record can only hold the rounded double. */
const message = (literal: string) =>
  `stored number ${literal} is beyond ±2^53 (${Number.MAX_SAFE_INTEGER}) and cannot be read exactly: numbers are read as doubles, which would write another number; store it as a string, or leave it out of the mapping`;

/**
 * Replaces each InexactJson value of `row` (a page's row, fresh from the store) by its parsed
 * document and returns a FORMAT error at the path of each number that would be rounded. An
 * UnreadableValue (unreadable-value.ts) is a FORMAT error at its column, and the column is left
 * out: nothing made up in its place reaches the mapping.
 */
export function settleInexactJson(row: Record<string, unknown>): RejectError[] {
  const errors: RejectError[] = [];
  // Every row of every page passes here: own keys walked without Object.entries' pair arrays.
  for (const column in row) {
    const value = row[column];
    if (!Object.hasOwn(row, column)) continue;
    if (value instanceof UnreadableValue) {
      errors.push({ code: 'FORMAT', path: column, message: value.message });
      Reflect.deleteProperty(row, column);
      continue;
    }
    if (!(value instanceof InexactJson)) continue;
    for (const { path, literal } of inexactPaths(value, column)) errors.push({ code: 'FORMAT', path, message: message(literal) });
    setOwnField(row, column, JSON.parse(value.text) as unknown);
  }
  return errors;
}

/** Each number of the document that a double would round: its path under `column` and its digits as stored. */
export function inexactPaths(value: InexactJson, column: string): { code: 'FORMAT'; path: string; literal: string }[] {
  const found: { code: 'FORMAT'; path: string; literal: string }[] = [];
  scanJsonText(value.text, {
    number(start, end, frames) {
      const literal = value.text.slice(start, end);
      if (isInexact(literal)) found.push({ code: 'FORMAT', path: valuePath(frames, [column]), literal });
      return false;
    },
  });
  return found;
}

/**
 * A merge reads the stored document and writes it back with the new keys: a number in it beyond
 * ±2^53 would come back as the nearest double, changing a value the import never mentioned. So a
 * row that would merge into such a document is a FORMAT reject at each such number, and the stored
 * row stays as it was (a replace writes the new document whole and reads nothing of the old one).
 */
export function mergeRejects(stored: InexactJson, column: string): RejectError[] {
  return inexactPaths(stored, column).map(({ code, path, literal }) => ({
    code,
    path,
    message: `the stored ${path} is ${literal}, beyond ±2^53: a merge would write it back as another number (use metadata: replace, or store it as a string)`,
  }));
}

/**
 * A backup image holds a JSON document a double would round as `{"$ferry:json-text": "<the
 * store's text>"}`, which a restore hands back to the store verbatim: a rollback restores every
 * digit. A stored document that happens to have that one key is kept the same way, so the form is
 * never ambiguous. Both drivers' images use it.
 */
export const imageTextKey = '$ferry:json-text';

/** A stored JSON text as a backup image keeps it: parsed, or wrapped as its text (see imageTextKey). Throws on text that is not JSON. */
export function jsonImage(text: string): unknown {
  const parsed = parseStoredJson(text);
  const marked = imageText(parsed) !== undefined || imageBlob(parsed) !== undefined || imageTextBytes(parsed) !== undefined || imageReal(parsed) !== undefined;
  return parsed instanceof InexactJson || marked ? { [imageTextKey]: text } : parsed;
}

/**
 * A backup image holds stored bytes (a SQLite BLOB another tool wrote, in any column) as
 * `{"$ferry:blob": "<base64>"}`, which a restore puts back as the very bytes: a Buffer in the image
 * became `{"type":"Buffer","data":[…]}` in the backup, which a rollback wrote as JSON text (or
 * refused). A stored document that happens to have that one key is kept as its text (`jsonImage`).
 */
export const imageBlobKey = '$ferry:blob';

export function blobImage(bytes: Buffer): Record<string, string> {
  return { [imageBlobKey]: bytes.toString('base64') };
}

/** The bytes of an image's `{"$ferry:blob": …}`, or undefined for any other value. */
export function imageBlob(value: unknown): Buffer | undefined {
  return markedBytes(value, imageBlobKey);
}

/**
 * Stored TEXT whose bytes are not UTF-8 (another tool wrote them; SQLite does not check) would be
 * read with U+FFFD in their place: the image keeps the bytes as `{"$ferry:text-bytes": "<base64>"}`,
 * which a restore stores back as that very TEXT.
 */
export const imageTextBytesKey = '$ferry:text-bytes';

export function imageTextBytes(value: unknown): Buffer | undefined {
  return markedBytes(value, imageTextBytesKey);
}

/**
 * A stored REAL that JSON has no number for (SQLite keeps ±Infinity; NaN it stores as NULL): the
 * image keeps it as `{"$ferry:real": "Infinity"}`, which a restore stores back as that REAL. In the
 * backup's JSON it was null, and a rollback stored NULL.
 */
export const imageRealKey = '$ferry:real';

export function realImage(value: number): Record<string, string> {
  return { [imageRealKey]: String(value) };
}

export function imageReal(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1) return undefined;
  const text = (value as Record<string, unknown>)[imageRealKey];
  return text === 'Infinity' || text === '-Infinity' || text === 'NaN' ? Number(text) : undefined;
}

function markedBytes(value: unknown, key: string): Buffer | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const base64 = (value as Record<string, unknown>)[key];
  return typeof base64 === 'string' && Object.keys(value).length === 1 ? Buffer.from(base64, 'base64') : undefined;
}

/** The store's text of a JSON image kept as text, or undefined for any other value. */
export function imageText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const text = (value as Record<string, unknown>)[imageTextKey];
  return typeof text === 'string' && Object.keys(value).length === 1 ? text : undefined;
}
