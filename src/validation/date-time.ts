/*
 * ISO-8601 date-time in the RFC 3339 profile that JSON Schema's `date-time` uses: a full date, a time
 * with seconds and an optional fraction (1–9 digits), and a required offset (Z, ±hh:mm or ±hhmm).
 * A space instead of T is allowed, as RFC 3339 §5.6 permits and as SQL databases print timestamps.
 *
 * The shape is matched loosely (two digits for every field) so that a wrong value gets its own
 * message (hour 24, an offset of +24:00, February 29 of 2023) rather than one for every mistake;
 * the ranges are then checked by reading the digits in place, with no allocation for a good value.
 */
const DATE_TIME = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:[Zz]|[+-]\d\d:?\d\d)$/;

/** A date and clock that only lack the offset (seconds and fraction optional): a local time. */
const LOCAL_TIME = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?$/;
const DATE_ONLY = /^\d{4}-\d\d-\d\d$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const NOT_A_DATE_TIME = 'must be an ISO-8601 date-time with seconds and an offset, e.g. 2024-05-01T09:30:00Z';

/*
 * Without an offset the instant would depend on a time zone: the importing machine's, the
 * database session's (PostgreSQL reads it in its TimeZone) or none (SQLite keeps it as written
 * and its date functions read it as UTC). The same file would store different instants.
 */
export const NO_OFFSET =
  'has no offset: a local time is a different instant in every time zone, and Ferry does not guess one; add Z for UTC or the offset it was recorded in, e.g. 2024-05-01T09:30:00+02:00';

/** A CSV cell's padding, the commonest reason a good date-time is refused. */
export const SURROUNDING_SPACE = 'has whitespace before or after the date-time (trim it in the mapping, with $trim)';

export const DATE_ONLY_MESSAGE = 'is a date without a time: write the instant, e.g. 2024-05-01T00:00:00Z';

/*
 * RFC 3339 allows second 60 for a leap second, but no store here can hold one: JavaScript's
 * Date.parse gives NaN (the PostgreSQL writer would refuse the row only at write time) and SQLite's
 * date functions give NULL (its date indexes and queries would silently miss the user).
 */
export const LEAP_SECOND = 'second 60 (a leap second) cannot be stored: timestamps here have no leap seconds; use :59 or the next minute';

/** ISO 8601's 24:00:00 (the end of a day): PostgreSQL reads it as the next day's 00:00, SQLite's date functions not at all. */
export const HOUR_24 = 'hour 24 is not a clock time here: write 00:00:00 of the next day';

/** PostgreSQL keeps microseconds and rounds the rest (23:59:59.9999996 becomes the next day); SQLite would keep the text. */
export const BEYOND_MICROSECONDS =
  'has non-zero digits beyond the microsecond (the 6th fractional digit): timestamps are stored to the microsecond, and PostgreSQL would round the rest, possibly into the next second or day; round it to at most 6 digits';

/** The offsets both stores read: SQLite's date functions go up to ±14:59, PostgreSQL's to ±15:59; real zones span -12:00 to +14:00. */
const MAX_OFFSET_HOURS = 14;

/** The instants both stores hold: PostgreSQL has no year 0 (1 BC), SQLite's date functions end at 9999. */
export const SUPPORTED_RANGE = 'timestamps here span 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (UTC)';

/** PostgreSQL refuses year 0000 as written ("date/time field value out of range") where SQLite keeps it: one rule for both stores. */
export const YEAR_ZERO = `year 0000 cannot be stored: PostgreSQL has no year 0; ${SUPPORTED_RANGE}`;

/**
 * Why `value` is not a date-time Ferry can store, or undefined. The rule is the same for every
 * store, so a pipeline accepts the same records whichever it writes to.
 */
export function dateTimeProblem(value: string): string | undefined {
  if (!DATE_TIME.test(value)) return shapeProblem(value);
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  if (month < 1 || month > 12) return `month ${pad(month)} does not exist; ${NOT_A_DATE_TIME}`;
  const lastDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day < 1 || day > lastDay) return dayProblem(year, month, day);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  if (hour === 24) return HOUR_24;
  if (hour > 23) return `hour ${hour} does not exist; ${NOT_A_DATE_TIME}`;
  if (minute > 59) return `minute ${minute} does not exist; ${NOT_A_DATE_TIME}`;
  if (second === 60) return LEAP_SECOND;
  if (second > 60) return `second ${second} does not exist; ${NOT_A_DATE_TIME}`;
  const zone = zoneAt(value);
  const offset = offsetMinutes(value, zone);
  if (offset === undefined) return `offset ${value.slice(zone)} is not one: its minutes must be 00–59`;
  if (Math.abs(offset) >= (MAX_OFFSET_HOURS + 1) * 60) {
    return `offset ${value.slice(zone)} is beyond ±${MAX_OFFSET_HOURS}:59, the offsets every store reads (real time zones span -12:00 to +14:00)`;
  }
  if (hasDigitsBeyondMicroseconds(value, zone)) return BEYOND_MICROSECONDS;
  if (year === 0) return YEAR_ZERO;
  // Only the first and last day of the range can cross its ends once the offset is applied.
  const edge = (year === 1 && month === 1 && day === 1) || (year === 9999 && month === 12 && day === 31);
  if (edge) {
    const utcMinutes = hour * 60 + minute - offset;
    if (utcMinutes < 0 || utcMinutes >= 24 * 60) return outOfRange(value, zone, utcMinutes < 0);
  }
  return undefined;
}

/** The message for text that is not a date-time's shape: the commonest omissions named. */
function shapeProblem(value: string): string {
  const trimmed = value.trim();
  if (trimmed !== value && trimmed !== '') {
    const inner = dateTimeProblem(trimmed);
    return inner === undefined ? SURROUNDING_SPACE : inner;
  }
  if (DATE_ONLY.test(value)) return DATE_ONLY_MESSAGE;
  if (LOCAL_TIME.test(value)) return NO_OFFSET;
  return NOT_A_DATE_TIME;
}

function dayProblem(year: number, month: number, day: number): string {
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  const why = month === 2 && day === 29 ? `${pad(year, 4)} is not a leap year` : `that month has ${month === 2 ? 28 : DAYS_IN_MONTH[month - 1]} days`;
  return `${date} is not a calendar day (${why}); ${NOT_A_DATE_TIME}`;
}

/** Where the zone (Z or the offset's sign) starts: after the seconds and the optional fraction. */
function zoneAt(value: string): number {
  let at = 19;
  if (value.charCodeAt(at) === 0x2e /* . */)
    do at++;
    while (isDigit(value.charCodeAt(at)));
  return at;
}

/** The offset in minutes east of UTC (Z is 0), or undefined when its minutes are 60 or more. */
function offsetMinutes(value: string, zone: number): number | undefined {
  const sign = value.charCodeAt(zone);
  if (sign === 0x5a || sign === 0x7a) return 0;
  const hours = digits(value, zone + 1, 2);
  const minutes = digits(value, value.length - 2, 2);
  if (minutes > 59) return undefined;
  return (sign === 0x2d ? -1 : 1) * (hours * 60 + minutes);
}

/** Whether the fraction (between second 19 and the zone) has a non-zero digit after its 6th. */
function hasDigitsBeyondMicroseconds(value: string, zone: number): boolean {
  for (let i = 20 + 6; i < zone; i++) if (value.charCodeAt(i) !== 0x30) return true;
  return false;
}

/** The message for an instant before 0001-01-01 or after 9999-12-31 in UTC, naming that instant. */
function outOfRange(value: string, zone: number, before: boolean): string {
  const utc = new Date(0);
  utc.setUTCFullYear(digits(value, 0, 4), digits(value, 5, 2) - 1, digits(value, 8, 2));
  utc.setUTCHours(digits(value, 11, 2), digits(value, 14, 2) - (offsetMinutes(value, zone) ?? 0), digits(value, 17, 2));
  const y = utc.getUTCFullYear();
  const clock = `${pad(utc.getUTCHours())}:${pad(utc.getUTCMinutes())}:${pad(utc.getUTCSeconds())}`;
  const instant = `${pad(y, 4)}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}T${clock}${value.slice(19, zone)}Z`;
  const side = before ? 'before 0001-01-01T00:00:00Z' : 'after 9999-12-31T23:59:59.999999Z';
  return `is ${instant} in UTC once its offset is applied, ${side}: ${SUPPORTED_RANGE}`;
}

/** Reads digits the regex has already matched, without allocating a substring. */
function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) n = n * 10 + (s.charCodeAt(i) - 0x30);
  return n;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
