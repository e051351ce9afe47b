/*
 * ISO-8601 date-time in the RFC 3339 profile that JSON Schema's `date-time` uses: a full date, a time
 * with seconds and an optional fraction (1–9 digits), and a required offset (Z, ±hh:mm or ±hhmm).
 * Without an offset the instant would depend on the importing machine's time zone. A space instead of
 * T is allowed, as RFC 3339 §5.6 permits and as SQL databases print timestamps.
 */
const DATE_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt ](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d{1,9})?(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const NOT_A_DATE_TIME = 'must be an ISO-8601 date-time with seconds and an offset, e.g. 2024-05-01T09:30:00Z';

/*
 * RFC 3339 allows second 60 for a leap second, but no store here can hold one: JavaScript's
 * Date.parse gives NaN (the PostgreSQL writer would refuse the row only at write time) and SQLite's
 * date functions give NULL (its date indexes and queries would silently miss the user).
 */
export const LEAP_SECOND = 'second 60 (a leap second) cannot be stored: timestamps here have no leap seconds; use :59 or the next minute';

/*
 * 9999-12-31T23:00:00-05:00 is a valid date-time whose instant is in year 10000 (UTC). SQLite's date
 * functions end at 9999 and give NULL for it, so an export's date query or sort would silently miss
 * the user; the store keeps what the import wrote, so it is refused here.
 */
export const PAST_YEAR_9999 = 'is after 9999-12-31T23:59:59Z once its offset is applied; timestamps here end at year 9999 (UTC)';

/** PostgreSQL refuses year 0000 as written ("date/time field value out of range") where SQLite keeps it: one rule for both stores. */
export const YEAR_ZERO = 'year 0000 cannot be stored: PostgreSQL has no year 0 (timestamps start at 0001-01-01)';

/** Why `value` is not a date-time Ferry can store (one of the messages above), or undefined. */
export function dateTimeProblem(value: string): string | undefined {
  if (!DATE_TIME.test(value)) return NOT_A_DATE_TIME;
  // The regex allows day 31 in every month; check the day against the month (and February against the year).
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const lastDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > lastDay) return NOT_A_DATE_TIME;
  // The seconds are at a fixed place: the regex's year has exactly four digits.
  if (digits(value, 17, 2) === 60) return LEAP_SECOND;
  if (year === 0) return YEAR_ZERO;
  if (year === 9999 && month === 12 && day === 31 && utcMinutesOfDay(value) >= 24 * 60) return PAST_YEAR_9999;
  return undefined;
}

/** The clock time in minutes after applying the offset (negative offsets move it later), unbounded. */
function utcMinutesOfDay(value: string): number {
  const local = digits(value, 11, 2) * 60 + digits(value, 14, 2);
  // The offset is the last 5 or 6 characters (±hh:mm or ±hhmm), or Z.
  const last = value.charCodeAt(value.length - 1);
  if (last === 0x5a || last === 0x7a) return local;
  const minutes = digits(value, value.length - 2, 2);
  const hoursAt = value.charCodeAt(value.length - 3) === 0x3a ? value.length - 5 : value.length - 4;
  const offset = digits(value, hoursAt, 2) * 60 + minutes;
  return value.charCodeAt(hoursAt - 1) === 0x2d ? local + offset : local - offset;
}

/** Reads digits the regex has already matched, without allocating a substring. */
function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) n = n * 10 + (s.charCodeAt(i) - 0x30);
  return n;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
