import type { RejectError } from '../../validation/reject.js';
import { isPlainObject } from '../../plan/json-values.js';
import { storeRejects } from '../write-rules.js';
import { DECIMAL_TEXT, decimalValue } from '../decimal-text.js';

/**
 * Logical values → the text PostgreSQL parses for a column (every value travels as text and is cast
 * to the column's own type in SQL, so domains, enums and varchar limits apply as they would to any
 * INSERT). Encoding is also the first type check: what cannot be the column's type becomes an
 * INVALID_TYPE reject here, before the batch reaches the server.
 */

/** A value as sent: text for the server to parse, or NULL. */
export type PgText = string | null;

/** A value the column cannot take, with the reason. */
export interface Invalid {
  invalid: RejectError;
}

/**
 * jsonb cannot hold U+0000 (the server refuses `\u0000`), but JSON can and SQLite keeps it. Such a
 * document is stored wrapped as `{"$ferry:json": "<its JSON text>"}` and unwrapped on every read,
 * so it round-trips exactly; an object that happens to look like the wrapper is wrapped too, so
 * unwrapping is never ambiguous. Path queries do not see inside a wrapped document.
 */
export const jsonWrapperKey = '$ferry:json';

/** The PostgreSQL base type names (`pg_type.typname`) whose ranges are checked here. */
const integerRanges: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};

/** Encodes `value` for a column of logical `type` whose base type is `baseType`; `column` names it in a reject. */
export function encodePg(column: string, type: string, baseType: string, value: unknown): PgText | Invalid {
  if (value === null) return null;
  // An array type's name is its element type's with a leading _ (text[] is _text).
  if (Array.isArray(value) && baseType.startsWith('_')) return encodeArray(column, value);
  switch (type) {
    case 'text':
      return encodeText(column, value);
    case 'integer':
      return encodeInteger(column, value, baseType);
    case 'real':
      return encodeReal(value, baseType) ?? { invalid: storeRejects.invalidType(column, type, value) };
    case 'boolean':
      return encodeBoolean(value) ?? { invalid: storeRejects.invalidType(column, type, value) };
    case 'json':
      return encodeJson(value, baseType === 'jsonb') ?? { invalid: storeRejects.invalidType(column, type, value) };
    default: {
      const year = yearOutOfRange(value);
      if (year !== undefined)
        return { invalid: { code: 'INVALID_TYPE', path: column, message: `year ${year} is outside 1–9999, the years Ferry writes to a timestamp` } };
      const clock = typeof value === 'string' ? clockProblem(value) : undefined;
      if (clock !== undefined) return { invalid: { code: 'INVALID_TYPE', path: column, message: clock } };
      const text = encodeTimestamp(value);
      if (text === undefined) return { invalid: storeRejects.invalidType(column, type, value) };
      if (baseType !== 'timestamp') return text;
      return utcClock(text) ?? { invalid: { code: 'INVALID_TYPE', path: column, message: clockOnlyMessage } };
    }
  }
}

export function isInvalid(value: PgText | Invalid): value is Invalid {
  return value !== null && typeof value === 'object';
}

/** A stored JSON value as written: a wrapped document unwrapped (see `jsonWrapperKey`). */
export function decodeJsonColumn(stored: unknown): unknown {
  if (!isPlainObject(stored)) return stored;
  const keys = Object.keys(stored);
  const inner = stored[jsonWrapperKey];
  if (keys.length !== 1 || typeof inner !== 'string') return stored;
  return JSON.parse(inner) as unknown;
}

/**
 * A list into an array column (text[], integer[], uuid[]…): written as PostgreSQL's array literal,
 * each element quoted, so the server parses every one as the element type and refuses what is not
 * one (a reject at the column). A mapping's `$split(Tags, ";")` was refused as "expected text",
 * where only a hand-written literal (`{a,b}`) went in. Nested lists are a multidimensional array;
 * an object is its JSON (json[], jsonb[]).
 */
function encodeArray(column: string, list: readonly unknown[]): PgText | Invalid {
  const parts: string[] = [];
  for (const item of list) {
    if (item === null || item === undefined) {
      parts.push('NULL');
      continue;
    }
    if (Array.isArray(item)) {
      const inner = encodeArray(column, item);
      if (isInvalid(inner)) return inner;
      parts.push(inner as string);
      continue;
    }
    const text = typeof item === 'object' ? JSON.stringify(item) : encodeText(column, item);
    if (isInvalid(text)) return text;
    if (typeof item === 'number' && !Number.isFinite(item)) return { invalid: storeRejects.invalidType(column, 'text', item) };
    parts.push(`"${(text as string).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);
  }
  return `{${parts.join(',')}}`;
}

function encodeText(column: string, value: unknown): PgText | Invalid {
  const text =
    typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : undefined;
  if (text === undefined) return { invalid: storeRejects.invalidType(column, 'text', value) };
  if (text.includes('\u0000')) return { invalid: { code: 'INVALID_TYPE', path: column, message: 'contains U+0000 (NUL), which PostgreSQL text cannot hold' } };
  // UTF-8 has no encoding for half a surrogate pair: on the wire it would become U+FFFD, stored without a word.
  if (!text.isWellFormed()) return { invalid: { code: 'INVALID_TYPE', path: column, message: loneSurrogateMessage(text) } };
  return text;
}

function encodeInteger(column: string, value: unknown, baseType: string): PgText | Invalid {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) n = BigInt(value.trim());
  else return { invalid: storeRejects.invalidType(column, 'integer', value) };
  const [min, max] = integerRanges[baseType] ?? integerRanges['int8']!;
  if (n < min || n > max) return { invalid: { code: 'INVALID_TYPE', path: column, message: `${n} is out of range for ${baseType}` } };
  return n.toString();
}

/**
 * A numeric column holds more digits than a double: decimal text for one goes to the server as
 * written (`123456789012345678901234567890.123`, `0.12345678901234567891`), not through Number,
 * which would round it without a word. A float column rounds it the same either way.
 */
function encodeReal(value: unknown, baseType: string): PgText | undefined {
  if (baseType === 'numeric' && typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) return value.trim();
  const n = decimalValue(value);
  return Number.isFinite(n) ? String(n) : undefined;
}

function loneSurrogateMessage(text: string): string {
  const at = [...text].find((c) => !c.isWellFormed()) ?? '';
  const code = at.charCodeAt(0).toString(16).toUpperCase();
  return `contains half a surrogate pair (U+${code}) without its other half, which is not a character PostgreSQL text can hold: write the whole character`;
}

const booleanWords: Record<string, string> = { true: 'true', false: 'false', '1': 'true', '0': 'false' };

function encodeBoolean(value: unknown): PgText | undefined {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === 0 || value === 1) return value === 1 ? 'true' : 'false';
  if (typeof value === 'string') return booleanWords[value.trim().toLowerCase()];
  return undefined;
}

function encodeJson(value: unknown, jsonb: boolean): PgText | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // BigInt values and cycles cannot be JSON.
    return undefined;
  }
  if (text === undefined || !jsonb) return text;
  // JSON.stringify writes U+0000 as the escape `\u0000`; a false positive (a literal backslash-u)
  // only wraps a document that did not need it, which still reads back the same.
  const looksWrapped = isPlainObject(value) && Object.keys(value).length === 1 && jsonWrapperKey in value;
  return text.includes('\\u0000') || looksWrapped ? JSON.stringify({ [jsonWrapperKey]: text }) : text;
}

/**
 * Text the server parses (anything Date.parse cannot read is refused here, so a typo is a reject
 * of its row instead of a failed statement); a number is epoch milliseconds; a Date its instant.
 */
function encodeTimestamp(value: unknown): string | undefined {
  if (typeof value === 'string') return Number.isNaN(Date.parse(value)) ? undefined : value.trim();
  if (typeof value === 'number') return Number.isFinite(value) && !Number.isNaN(new Date(value).getTime()) ? new Date(value).toISOString() : undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return undefined;
}

/** The date of ISO-style text (month and day may have one digit, as WITHOUT_OFFSET allows). */
const ISO_DATE = /^\s*(\d{4})-(\d\d?)-(\d\d?)(?![\d])/;

/** ISO-style clock and zone after the date: hour, then an offset's sign, hours and minutes when there is one. */
const ISO_CLOCK = /^\s*\d{4}-\d\d?-\d\d?[T ](\d\d?):\d\d(?::\d\d(?:\.\d+)?)?\s*(?:Z|([+-])(\d\d)(?::?(\d\d))?)?\s*$/i;

/**
 * Why ISO-style timestamp text is refused where the server would take it, or undefined: a day the
 * calendar lacks; hour 24, which the server reads as the next day's 00:00 where SQLite's date
 * functions (and validation, and `$toMillis`) refuse it; an offset past ±14:59, which the server
 * takes up to ±15:59 and SQLite does not. The same text is then refused by both stores.
 */
function clockProblem(text: string): string | undefined {
  const day = notACalendarDay(text);
  if (day !== undefined) return `${day} is not a calendar day`;
  const m = ISO_CLOCK.exec(text);
  if (m === null) return undefined;
  const [, hour, sign, offsetHours] = m;
  if (Number(hour) === 24) return 'hour 24 is not a clock time here: write 00:00 of the next day';
  if (sign !== undefined && Number(offsetHours) > 14) return `offset ${sign}${offsetHours} hours is beyond ±14:59, the offsets every store reads`;
  return undefined;
}

/**
 * The date of ISO-style text when it is no day of the calendar (`2023-02-29`, `2024-04-31`),
 * else undefined. Date.parse rolls such a date over into the next month, and the text a
 * `timestamp` column gets is the UTC clock Date.parse computed: `2023-02-29T10:00:00+02:00` was
 * stored as 2023-03-01 08:00 without a word, where the server (and SQLite) refuse the date.
 */
function notACalendarDay(text: string): string | undefined {
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  const last = month === 2 ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return month < 1 || month > 12 || day < 1 || day > last ? `${y}-${mo}-${d}` : undefined;
}

/** An ISO year of five or more digits, or signed (`+010000-01-01`, `-000001-01-01`, `10000-01-01`). */
const LONG_YEAR = /^\s*([+-]?)(\d{5,}|(?<=[+-])\d{4,})-/;

/** A four-digit year 0002–9998 (no sign, nothing before it): in range under any offset. */
const MIDDLE_YEAR = /^\s*(?!0000|0001|9999)\d{4}-/;

/**
 * The year of a timestamp outside 1–9999, the range ISO text with a four-digit year holds: the
 * server reads a longer or signed year as an offset or not at all, and an instant whose UTC clock
 * crosses into year 10000 would lose its offset on the way. As the UTC year of the instant (a number,
 * a Date, parsable text), or the year as written (text Date.parse cannot read).
 */
function yearOutOfRange(value: unknown): number | undefined {
  let year: number;
  if (typeof value === 'string') {
    // A four-digit year 0002–9998 stays in range under any offset: no parse (the common case).
    if (MIDDLE_YEAR.test(value)) return undefined;
    const written = LONG_YEAR.exec(value);
    // Text without an offset is a clock time: its year as written, whatever the process's zone.
    year = written ? Number(`${written[1]}${written[2]}`) : WITHOUT_OFFSET.test(value.trim()) ? 1 : new Date(Date.parse(value)).getUTCFullYear();
  } else if (typeof value === 'number' || value instanceof Date) year = new Date(value).getUTCFullYear();
  else return undefined;
  return Number.isFinite(year) && (year < 1 || year > 9999) ? year : undefined;
}

/**
 * ISO-style text without an offset: a clock time (or a date) that a timestamp column takes as it
 * is. Month, day and hour may have one digit (`2024-1-2 9:30`): a four-digit year first is read
 * year-month-day whatever the DateStyle, and there is no offset to lose.
 */
const WITHOUT_OFFSET = /^\d{4}-\d\d?-\d\d?(?:[T ]\d\d?:\d\d(?::\d\d)?(?:\.\d+)?)?$/i;

const clockOnlyMessage =
  'a timestamp without time zone takes ISO-8601 text (2024-05-01T09:30:00, or with an offset, 2024-05-01T09:30:00+02:00, stored as its UTC clock time): PostgreSQL would drop the offset this text may hold';

/** An ISO-style instant with an explicit offset: date, clock, fraction (kept digit for digit), offset. */
const WITH_OFFSET = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d(?::\d\d)?)(\.\d+)?\s*(Z|[+-]\d\d(?::?\d\d)?)$/i;

/**
 * The text for a `timestamp` (without time zone) column. The server ignores an offset there
 * (`10:00+05:00` is stored as 10:00), while Ferry reads such a column as UTC and writes numbers and
 * dates as UTC instants: an offset left to the server would shift the instant by it, silently.
 * So an instant with an offset becomes its UTC clock time, its fraction kept as written
 * (microseconds included); ISO text without an offset is a clock time already and stays as it is.
 * Other text that parses (`Mon, 01 Jan 2024 10:00:00 +0500`, `01/02/2024 10:00 -05:00`) is
 * undefined: its offset cannot be told here, and the server would drop it.
 */
function utcClock(text: string): string | undefined {
  if (WITHOUT_OFFSET.test(text)) return text;
  const parts = WITH_OFFSET.exec(text);
  if (parts === null) return undefined;
  const [, date, clock, fraction, zone] = parts as unknown as [string, string, string, string | undefined, string];
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${date}T${clock.length === 5 ? `${clock}:00` : clock}${offset}`);
  // Years outside 1–9999 are refused before (yearOutOfRange): toISOString writes four digits here.
  return Number.isNaN(ms) ? undefined : `${new Date(ms).toISOString().slice(0, 19)}${fraction ?? ''}`;
}
