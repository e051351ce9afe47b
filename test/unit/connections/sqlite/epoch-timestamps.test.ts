import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeValue, invalid } from '../../../../src/connections/sqlite/values.js';

/** What SQLite's date functions make of a stored value: NULL when they cannot read it. */
const db = new Database(':memory:');
const instant = (stored: unknown): unknown => db.prepare<[unknown], { t: unknown }>("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?) AS t").get(stored)?.t;

/*
 * A number for a timestamp column is epoch milliseconds, as the PostgreSQL writer reads it and
 * `$toMillis` gives it. SQLite kept the bare number, which its date functions read as a Julian
 * day: 1714555800000 is no day at all, so date queries and the export order missed the user.
 */
describe('a number into a SQLite timestamp column', () => {
  afterAll(() => db.close());

  it.each([
    [1714555800000, '2024-05-01T09:30:00.000Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [-1, '1969-12-31T23:59:59.999Z'],
    [253402300799999, '9999-12-31T23:59:59.999Z'],
    [-62167219200000, '0000-01-01T00:00:00.000Z'],
  ])('%d is stored as the instant %s, which SQLite reads as written', (ms, iso) => {
    expect(encodeValue('timestamp', ms)).toBe(iso);
    expect(instant(iso)).toBe(iso);
  });

  it.each([253402300800000, -62167219200001, 8.64e15 + 1, Number.NaN, Number.POSITIVE_INFINITY])(
    '%d, outside years 0000–9999 or no instant, is refused',
    (ms) => {
      expect(encodeValue('timestamp', ms)).toBe(invalid);
    },
  );

  it('a Date is its instant, and refused outside years 0000–9999', () => {
    expect(encodeValue('timestamp', new Date(Date.UTC(2024, 4, 1, 9, 30)))).toBe('2024-05-01T09:30:00.000Z');
    expect(encodeValue('timestamp', new Date(253402300800000))).toBe(invalid);
  });
});

it('says why a number is refused', async () => {
  const { invalidReason } = await import('../../../../src/connections/sqlite/values.js');
  expect(invalidReason('timestamp', 253402300800000)).toBe(
    "253402300800000 is not a time SQLite's date functions read: a number is epoch milliseconds, and must be an instant in years 0000–9999",
  );
});
