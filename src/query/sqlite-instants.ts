/**
 * Timestamps in SQLite are ISO text, and its date functions read them to the millisecond only:
 * `strftime('%f')` rounds `10:00:00.000123` to `.000` and `.0005` to `.001`, where PostgreSQL keeps
 * the microseconds. So a query compared `created_at` to the millisecond on SQLite and exactly on
 * PostgreSQL, and selected other users from the same data. A comparison now reads the stored text
 * to the microsecond, as PostgreSQL does; the millisecond form (which the built-in table indexes)
 * only narrows the rows, by bounds widened past its rounding.
 */

/** How far SQLite's millisecond reading of an instant can be from it: half a millisecond rounded, or just under one where `%f` stops at 59.999. */
const ROUNDING_MS = 2;
const YEAR_10000_MS = Date.UTC(10000, 0, 1);

/** How strftime writes an instant to the millisecond, as the query's parameters are written. */
const MILLIS_FORMAT = '%Y-%m-%dT%H:%M:%fZ';

/**
 * SQLite's date functions read `T` or a space, an optional fraction, and a zone `Z`, `z` or
 * `±HH:MM`; other tools write (and PostgreSQL reads) more: `2024-01-15t10:00:00z`, `+0200`, `+02`
 * (PostgreSQL's own text form), ` UTC`. Such a value read as NULL, so date queries missed it and
 * date sorts put it last on SQLite alone. This is `text` rewritten into a form SQLite reads
 * (upper case, `±HH:MM`, `Z`); it is only evaluated where the plain reading gave NULL, so a value
 * written as Ferry writes it costs what it did.
 */
function readableText(text: string): string {
  const upper = `upper(${text})`;
  const time = `'????-??-??[T ][0-9][0-9]:[0-9][0-9]*`;
  return (
    `(CASE WHEN ${upper} GLOB ${time}[+-][0-9][0-9][0-9][0-9]' THEN substr(${upper}, 1, length(${upper}) - 2) || ':' || substr(${upper}, -2)` +
    ` WHEN ${upper} GLOB ${time}[+-][0-9][0-9]' THEN ${upper} || ':00'` +
    ` WHEN ${upper} GLOB ${time}[0-9] UTC' OR ${upper} GLOB ${time}[0-9]UTC' THEN rtrim(substr(${upper}, 1, length(${upper}) - 3)) || 'Z'` +
    ` ELSE ${upper} END)`
  );
}

/**
 * `format` of the instant `text` spells, or NULL; the forms SQLite's date functions do not read are
 * rewritten first (`readableText`). Only a text that starts as a date (`YYYY-`) is read: SQLite's
 * date functions also read 'now' (the time of the query), a time alone (`10:00`, on 2000-01-01) and
 * a number (a Julian day), none of which PostgreSQL takes for an instant, so a column another tool
 * filled with them matched date ranges and sorted among the dates on SQLite alone.
 */
function readInstant(format: string, text: string): string {
  return startsAsDate(text, readText(format, text));
}

function startsAsDate(text: string, then: string): string {
  return `(CASE WHEN ${text} GLOB '[0-9][0-9][0-9][0-9]-*' THEN ${then} END)`;
}

/** `format` of `text` as strftime reads it, else of `readableText`. */
function readText(format: string, text: string): string {
  return `coalesce(strftime('${format}', ${text}), strftime('${format}', ${readableText(text)}))`;
}

/**
 * A stored timestamp to the millisecond, as canonical text (`2024-01-15T10:00:00.000Z`), NULL where
 * it spells no instant: what a query compares and sorts by, and what the built-in table's order
 * index holds (users-table.ts).
 */
export function sqliteMilliInstant(column: string): string {
  return readInstant(MILLIS_FORMAT, column);
}

/**
 * A stored timestamp as whole microseconds since 1970 (an INTEGER), NULL where it spells no
 * instant (`sqliteMilliInstant`). The fraction is cut out of the text (offsets are whole minutes, so it is
 * the same in UTC) and rounded to the microsecond as PostgreSQL rounds the digits beyond it; the
 * rest is read by strftime('%s'), which is exact in whole seconds.
 */
export function sqliteMicroInstant(column: string): string {
  const zone = `ltrim(substr(${column}, 21), '0123456789')`;
  const fraction = `substr(${column}, 21, length(${column}) - 20 - length(${zone}))`;
  // The column starts as a date (readInstant), and so does its text without the fraction.
  const seconds = (text: string): string => `CAST(${readText('%s', text)} AS INTEGER) * 1000000`;
  const micros = `CAST(round(CAST('0.' || ${fraction} AS REAL) * 1000000) AS INTEGER)`;
  return startsAsDate(
    column,
    `(CASE WHEN substr(${column}, 20, 1) = '.' THEN ${seconds(`substr(${column}, 1, 19) || ${zone}`)} + ${micros} ELSE ${seconds(column)} END)`,
  );
}

/** A canonical instant (`…00.000Z`, `…00.000123Z`, or the `…T24:00:00.000Z` that ends 9999) as microseconds since 1970. */
export function toMicroseconds(instant: string): bigint {
  const dot = instant.lastIndexOf('.');
  const millis = Date.parse(`${instant.slice(0, dot + 4)}Z`);
  return BigInt(millis) * 1000n + BigInt(instant.slice(dot + 4, -1).padEnd(3, '0'));
}

/** Millisecond instants around `instant` between which SQLite's millisecond reading of any stored time equal to it falls. */
export function nearInstant(instant: string): { from: string; to: string } {
  const dot = instant.lastIndexOf('.');
  const millis = Date.parse(`${instant.slice(0, dot + 4)}Z`);
  return { from: millisIso(millis - ROUNDING_MS), to: millisIso(millis + ROUNDING_MS) };
}

/** As toISOString, but 9999-12-31T24:00:00.000Z for anything later: `+010000-…` sorts before every stored year. */
function millisIso(millis: number): string {
  return millis >= YEAR_10000_MS ? '9999-12-31T24:00:00.000Z' : new Date(millis).toISOString();
}
