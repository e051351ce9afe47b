import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeValue, sqliteDateTime } from '../../../../src/connections/sqlite/values.js';

/** What SQLite's date functions make of a stored value: NULL when they cannot read it. */
const db = new Database(':memory:');
const instant = (stored: unknown): unknown => db.prepare("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?) AS t").get(stored as string) as { t: unknown };

describe('timestamps into SQLite: spelled so its date functions read them', () => {
  afterAll(() => db.close());

  it.each([
    ['2024-05-01t09:30:00z', '2024-05-01T09:30:00Z', '2024-05-01T09:30:00.000Z'],
    ['2024-05-01t09:30:00Z', '2024-05-01T09:30:00Z', '2024-05-01T09:30:00.000Z'],
    ['2024-05-01 09:30:00-0530', '2024-05-01 09:30:00-05:30', '2024-05-01T15:00:00.000Z'],
    ['2024-05-01T09:30:00.123456789+0200', '2024-05-01T09:30:00.123456789+02:00', '2024-05-01T07:30:00.123Z'],
    ['2024-05-01t09:30', '2024-05-01T09:30', '2024-05-01T09:30:00.000Z'],
  ])('%s is stored as %s, the same instant SQLite reads', (given, stored, read) => {
    expect(instant(given)).toEqual({ t: null });
    expect(encodeValue('timestamp', given)).toBe(stored);
    expect(instant(stored)).toEqual({ t: read });
  });

  it.each(['2024-05-01T09:30:00Z', '2024-05-01 09:30:00+05:30', '2024-05-01T09:30:00.5-08:00', '2024-05-01', 'yesterday', ''])(
    '%j is stored as given',
    (given) => {
      expect(sqliteDateTime(given)).toBe(given);
    },
  );
});
