/** A timestamp written in a query: one instant, or a whole UTC day for a date-only value. */
export interface QueryInstant {
  /**
   * Canonical ISO form in UTC: `2024-01-01T00:00:00.000Z` (what `Date#toISOString` and SQLite's `%f`
   * produce), or with six digits (`…00.000123Z`) when the instant has microseconds, which
   * PostgreSQL keeps and the text SQLite stores holds.
   */
  start: string;
  /** For a date-only value, the start of the next day: the day is the interval [start, dayEnd). */
  dayEnd?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses `YYYY-MM-DD` or an ISO date-time (`T` or a space, optional seconds, fraction and zone:
 * `Z`, `±HH:MM`, `±HHMM` or `±HH`, as PostgreSQL reads them and SQLite now does, sqlite-instants.ts).
 * Date-only values and date-times without a zone are UTC, so a query means the same thing on
 * every server. Undefined when the text is not a valid date (month 13, February 30, hour 24…).
 */
export function parseInstant(text: string): QueryInstant | undefined {
  const date = DATE_ONLY.exec(text);
  if (date) {
    const start = utcTime(Number(date[1]), Number(date[2]), Number(date[3]), [0, 0, 0, 0]);
    if (start === undefined) return undefined;
    return { start: new Date(start).toISOString(), dayEnd: dayEndIso(start + DAY_MS) };
  }
  const parts = DATE_TIME.exec(text);
  if (!parts) return undefined;
  const [, year, month, day, hours, minutes, seconds = '0', fraction = '', zone = 'Z'] = parts;
  const millis = Number(fraction.slice(1, 4).padEnd(3, '0'));
  const local = utcTime(Number(year), Number(month), Number(day), [Number(hours), Number(minutes), Number(seconds), millis]);
  const offset = zoneOffsetMs(zone);
  // Years 1 to 9999, as both stores read them in text: before year 1 toISOString writes a signed year.
  if (local === undefined || offset === undefined || local - offset >= YEAR_10000_MS || local - offset < YEAR_1_MS) return undefined;
  const iso = new Date(local - offset).toISOString();
  // The microseconds were cut off here: `"…00.000123Z"` matched the users at .000 on PostgreSQL.
  const micros = fraction.slice(4, 7).padEnd(3, '0');
  return { start: micros === '000' ? iso : `${iso.slice(0, -1)}${micros}Z` };
}

/** A fraction of a second with a digit beyond the microseconds, which no store holds (PostgreSQL rounds them away): `…00.0000001Z`. */
export function beyondMicroseconds(text: string): boolean {
  const fraction = DATE_TIME.exec(text)?.[7] ?? '';
  return /[1-9]/.test(fraction.slice(7));
}

/*
 * Past year 9999 toISOString writes a signed six-digit year (`+010000-01-01T…`), which sorts as
 * text before every stored timestamp: `created_at:[2000-01-01 TO 9999-12-31]` exported nothing.
 * No store holds a later instant (validation/date-time.ts), so a bound past 9999 (written with an
 * offset: 9999-12-31T23:30:00-01:00) is no date here; the end of 9999-12-31 is written as
 * 24:00 of that day, which SQLite's text order and PostgreSQL's timestamptz both read as that
 * midnight.
 */
const YEAR_10000_MS = Date.UTC(10000, 0, 1);
const YEAR_1_MS = new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(1);

function dayEndIso(ms: number): string {
  return ms >= YEAR_10000_MS ? '9999-12-31T24:00:00.000Z' : new Date(ms).toISOString();
}

/** Milliseconds since the epoch, or undefined when a component is out of range. */
function utcTime(year: number, month: number, day: number, time: [number, number, number, number]): number | undefined {
  const [hours, minutes, seconds, millis] = time;
  // No year 0: PostgreSQL reads none (1 BC precedes year 1).
  if (year < 1 || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  // Date.UTC reads years 0–99 as 1900–1999: `0050-01-01` was "not a date" (set, the year is as given).
  const check = new Date(Date.UTC(2000, 0, 1, hours, minutes, seconds, millis));
  check.setUTCFullYear(year, month - 1, day);
  const value = check.getTime();
  // Date.UTC rolls February 30 over to March 1; a round trip catches it.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return value;
}

/** The zone's offset, or undefined when it is no offset (hours above 23, minutes above 59), as RFC 3339 reads it. */
function zoneOffsetMs(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutesPart = Number(digits.slice(2));
  if (hours > 23 || minutesPart > 59) return undefined;
  const minutes = hours * 60 + minutesPart;
  return (zone.startsWith('-') ? -minutes : minutes) * 60 * 1000;
}
