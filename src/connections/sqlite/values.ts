import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import type { ColumnType } from '../types.js';
import { decimalValue } from '../decimal-text.js';

/**
 * Logical values ↔ what SQLite stores. Booleans are 0/1, JSON is text, timestamps are ISO text.
 * Encoding is also the driver's type check: a value that cannot be stored as the column's logical
 * type comes back as `invalid` and becomes an INVALID_TYPE reject instead of a silently coerced value.
 */

export type SqliteValue = string | number | bigint | Buffer | null;

/**
 * A stored row's fingerprint over its values exactly as SQLite returns them (a raw row, in table
 * order): what rollback compares to tell whether a row changed since. sha256 of the values each
 * tagged with its type and strings with their length (so no two rows share a text), 128 bits as
 * base64url. Cheaper than hashing the row's JSON, which cost twice as much as the hash itself.
 *
 * The tagged text is written as UTF-8 straight into one reused buffer (`rowText`), the very bytes
 * hashing it as a string gave: building the string took 2 KB a row, 13% of an import's allocation.
 */
export function storedRowHash(row: readonly unknown[]): string {
  const { bytes, length } = rowText(row);
  return hash('sha256', bytes.subarray(0, length), 'base64url').slice(0, 22);
}

/** storedRowHash's buffer, kept between rows; a row larger than this gets one of its own. */
let scratch = Buffer.allocUnsafe(16 * 1024);
const SCRATCH_MAX = 1024 * 1024;

/** The tagged text of a row, as UTF-8, in `bytes` up to `length`. */
function rowText(row: readonly unknown[]): { bytes: Buffer; length: number } {
  // A UTF-16 unit is at most 3 bytes of UTF-8; a tag, a length or a number at most 40. Rare kinds
  // (a Buffer, an object) are written as their tagged text, made once each: strings and numbers are
  // written in place, with no array of pieces per row.
  let bound = 0;
  let rare: (string | undefined)[] | undefined;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'string') bound += 3 * v.length + 40;
    else if (v === null || v === undefined || typeof v === 'number' || typeof v === 'bigint') bound += 40;
    else {
      const piece = rarePiece(v);
      (rare ??= [])[i] = piece;
      bound += 3 * piece.length + 40;
    }
  }
  const bytes = bound <= scratch.length ? scratch : bound <= SCRATCH_MAX ? (scratch = Buffer.allocUnsafe(bound * 2)) : Buffer.allocUnsafe(bound);
  let at = 0;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (v === null || v === undefined) bytes[at++] = 0;
    else if (typeof v === 'string') {
      bytes[at++] = 1;
      at = writeCount(bytes, at, v.length);
      bytes[at++] = 0x3a; // ':'
      at += bytes.write(v, at, 'utf8');
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      // `\u0002${typeof v}${v};`, written in pieces: no string built per number.
      bytes[at++] = 2;
      at = writeBytes(bytes, at, typeof v === 'number' ? numberTag : bigintTag);
      at = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? writeCount(bytes, at, v) : at + bytes.write(String(v), at, 'latin1');
      bytes[at++] = 0x3b; // ';'
    } else at += bytes.write(rare?.[i] as string, at, 'utf8');
  }
  return { bytes, length: at };
}

const numberTag = new Uint8Array(Buffer.from('number', 'latin1'));
const bigintTag = new Uint8Array(Buffer.from('bigint', 'latin1'));

/*
 * rowText writes its short pieces byte by byte: a Buffer#write for each string's length and each
 * number's tag (with its argument checks) cost as much as writing the texts. The texts themselves
 * stay Buffer#write's: copied a unit at a time, an import's sliced and concatenated strings
 * (CSV fields, `First & ' ' & Last`) hashed slower than before (2.16 against 1.85 µs a row).
 */

function writeBytes(bytes: Buffer, at: number, piece: Uint8Array): number {
  for (let i = 0; i < piece.length; i++) bytes[at + i] = piece[i] as number;
  return at + piece.length;
}

/** `n` (a non-negative safe integer) in decimal digits at `at`; where it ends. */
function writeCount(bytes: Buffer, at: number, n: number): number {
  if (n < 10) {
    bytes[at] = 0x30 + n;
    return at + 1;
  }
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = n;
  for (let d = at + digits - 1; d >= at; d--) {
    bytes[d] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

function rarePiece(v: unknown): string {
  return Buffer.isBuffer(v) ? `\u0003${v.length}:${v.toString('base64')}` : `\u0004${JSON.stringify(v)};`;
}

/**
 * Whether `recorded` (a backup's afterHash) is the hash of `row`. Backups written before
 * storedRowHash changed hold 32 hex digits of the sha256 of the row's JSON: still recognised, so
 * a job imported by an earlier version rolls back as it would have.
 */
export function matchesRowHash(recorded: string, row: readonly unknown[]): boolean {
  return recorded.length === 32 ? legacyRowHash(row) === recorded : storedRowHash(row) === recorded;
}

function legacyRowHash(row: readonly unknown[]): string {
  const text = row.some((v) => typeof v === 'bigint') ? JSON.stringify(row.map((v) => (typeof v === 'bigint' ? `${v}n` : v))) : JSON.stringify(row);
  return hash('sha256', text, 'hex').slice(0, 32);
}

/** Marks a value that does not fit the column's type. */
export const invalid: unique symbol = Symbol('invalid');

export function encodeValue(type: ColumnType, value: unknown): SqliteValue | typeof invalid {
  if (value === null) return null;
  switch (type) {
    case 'text':
      return encodeText(value);
    case 'integer':
      return encodeInteger(value);
    case 'real':
      return encodeReal(value);
    case 'boolean':
      return encodeBoolean(value);
    case 'json':
      return encodeJson(value);
    case 'timestamp':
      return encodeTimestamp(value);
  }
}

/**
 * A stored JSON column as a value. SQLite gives JSON-declared columns numeric affinity, so a JSON
 * number can come back as a number; text that is not JSON (written by another tool) stays text,
 * and so does a BLOB holding UTF-8 text. Other bytes stay a Buffer (never a plain object: a merge
 * read `{"0":0,"1":255}` into one and wrote that back).
 */
export function decodeJson(stored: unknown): unknown {
  if (Buffer.isBuffer(stored) && isUtf8(stored)) return decodeJson(stored.toString('utf8'));
  if (typeof stored !== 'string') return stored;
  try {
    return JSON.parse(stored) as unknown;
  } catch {
    return stored;
  }
}

/** True when a stored non-JSON value already equals the encoded new one. */
export function sameStored(stored: unknown, encoded: SqliteValue): boolean {
  if (stored === encoded) return true;
  return Buffer.isBuffer(stored) && Buffer.isBuffer(encoded) && stored.equals(encoded);
}

function encodeText(value: unknown): SqliteValue | typeof invalid {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return invalid;
}

/**
 * Why `value` does not fit a column of `type` (encodeValue gave `invalid`), where the generic
 * "expected integer, got string" would not say it: a number beyond SQLite's 64 bits, a date-time
 * its date functions would not read as written. Undefined otherwise.
 */
export function invalidReason(type: ColumnType, value: unknown): string | undefined {
  if (type === 'integer' && (typeof value === 'bigint' || (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())))) {
    return `${String(value).trim()} is outside the 64-bit range of a SQLite INTEGER (${INT64_MIN} to ${INT64_MAX})`;
  }
  if (type === 'timestamp' && typeof value === 'string') {
    return `${JSON.stringify(value)} is not a date-time SQLite reads as written: YYYY-MM-DD, then optionally THH:MM:SS (a fraction allowed) and Z or an offset up to ±14:59, a real calendar day and clock time (no leap second) in years 0000–9999 once the offset is applied`;
  }
  if (type === 'timestamp' && typeof value === 'number') {
    return `${value} is not a time SQLite's date functions read: a number is epoch milliseconds, and must be an instant in years 0000–9999`;
  }
  return undefined;
}

/** SQLite's INTEGER: 64-bit two's complement. The driver refuses to bind a bigint beyond it, which failed the whole batch. */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function encodeInteger(value: unknown): SqliteValue | typeof invalid {
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX ? value : invalid;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : invalid;
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : encodeInteger(BigInt(value.trim()));
  }
  return invalid;
}

function encodeReal(value: unknown): SqliteValue | typeof invalid {
  const n = decimalValue(value);
  return Number.isFinite(n) ? n : invalid;
}

const booleanWords: Record<string, number> = { true: 1, false: 0, '1': 1, '0': 0 };

function encodeBoolean(value: unknown): SqliteValue | typeof invalid {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === 0 || value === 1) return value;
  if (typeof value === 'string') return booleanWords[value.trim().toLowerCase()] ?? invalid;
  return invalid;
}

function encodeJson(value: unknown): SqliteValue | typeof invalid {
  try {
    return JSON.stringify(value) ?? invalid;
  } catch {
    // BigInt values and cycles cannot be JSON.
    return invalid;
  }
}

/**
 * A number is epoch milliseconds (what `$toMillis` gives, and what the PostgreSQL writer reads it
 * as), stored as its ISO instant. Stored as a number it was read by SQLite's date functions as a
 * Julian day (1714555800000 is no date at all), so date queries and the export order missed the
 * user, and an export gave the bare number where PostgreSQL gave the instant.
 */
function encodeTimestamp(value: unknown): SqliteValue | typeof invalid {
  let text: string;
  if (typeof value === 'string') text = sqliteDateTime(value);
  else if (typeof value === 'number' || value instanceof Date) {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return invalid;
    text = date.toISOString();
  } else return invalid;
  // toISOString writes a year outside 0000–9999 with a sign and six digits, which is refused here.
  return readsAsWritten(text) ? text : invalid;
}

/** An ISO date-time in the spellings RFC 3339 and ISO 8601 allow (and the `user` rules accept). */
const DATE_TIME_SPELLING = /^(\d{4}-\d{2}-\d{2})([Tt ])(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:([Zz])|([+-]\d{2}):?(\d{2}))?$/;

/**
 * A date-time as SQLite's date functions read it: they return NULL for a lower-case `t` or `z` and
 * for an offset without its colon (`+0200`), so the export-order indexes, date queries and sorts
 * would silently miss such a user. Those spellings are written as `T`, `Z` and `+02:00`: the same
 * instant and offset. Anything else is stored as given.
 */
export function sqliteDateTime(text: string): string {
  const n = text.length;
  // The common spellings need nothing (no allocation): `…T…Z`, or an offset with its colon.
  if (text.charCodeAt(10) !== 0x74 /* t */ && (text.charCodeAt(n - 1) === 0x5a /* Z */ || text.charCodeAt(n - 3) === 0x3a) /* : */) return text;
  const m = DATE_TIME_SPELLING.exec(text);
  if (!m) return text;
  const [, date, separator, time, zulu, offsetHours, offsetMinutes] = m;
  const zone = zulu !== undefined ? 'Z' : offsetHours !== undefined ? `${offsetHours}:${offsetMinutes}` : '';
  return `${date}${separator === 't' ? 'T' : separator}${time}${zone}`;
}

/**
 * What SQLite's date functions read of a date-time: date, then an optional clock (hours and minutes,
 * seconds and any fraction optional) and, after a clock, an optional zone (Z, or an offset up to
 * ±14:59). Anything else they read as NULL, as another day (`now`, a clock alone, a Julian day
 * number), or not at all.
 */
const SQLITE_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:(?:T| +)(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?: *(?:Z|([+-])(\d{2}):(\d{2})))?)? *$/i;

/**
 * Whether SQLite's date functions (the export order indexes, date queries and sorts) read `text`
 * as the instant it says. They read `2024-02-30` as March 1st, a leap second or 24:00 not at all,
 * and an instant whose offset takes it outside years 0000–9999 not at all: stored, such a user was
 * silently missed by every date query and sorted as if it had no date.
 */
export function readsAsWritten(text: string): boolean {
  const m = SQLITE_DATE_TIME.exec(text);
  if (!m) return false;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', sign, oh = '0', om = '0'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, sec].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return false;
  if (sign === undefined) return true;
  const offset = Number(oh) * 60 + Number(om);
  if (Number(oh) > 14 || Number(om) > 59) return false;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute - (sign === '-' ? -offset : offset), second);
  const utcYear = utc.getUTCFullYear();
  return utcYear >= 0 && utcYear <= 9999;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
