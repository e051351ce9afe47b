import { describe, expect, it } from 'vitest';
import { BEYOND_MICROSECONDS, HOUR_24, NO_OFFSET, SUPPORTED_RANGE, SURROUNDING_SPACE, YEAR_ZERO, dateTimeProblem } from '../../../src/validation/date-time.js';
import { validateUser } from '../../../src/validation/user-schema.js';

/*
 * The edges of the date-times `schema: user` accepts: what it accepts, every store holds as that
 * instant (test/integration/user-dates-stores.test.ts writes them to SQLite and PostgreSQL).
 */

describe('date-time: the instant must lie in 0001-01-01T00:00:00Z – 9999-12-31T23:59:59.999999Z once its offset is applied', () => {
  // 0001-01-01T00:00:00+01:00 is 0000-12-31T23:00:00Z: SQLite stored year 0, PostgreSQL refused the row at write time.
  it.each([
    ['0001-01-01T00:00:00+01:00', '0000-12-31T23:00:00Z', 'before 0001-01-01T00:00:00Z'],
    ['0001-01-01T00:59:59.999999+01:00', '0000-12-31T23:59:59.999999Z', 'before 0001-01-01T00:00:00Z'],
    ['0001-01-01 00:00:00+0001', '0000-12-31T23:59:00Z', 'before 0001-01-01T00:00:00Z'],
    ['0001-01-01t13:59:00+14:00', '0000-12-31T23:59:00Z', 'before 0001-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59-01:00', '10000-01-01T00:59:59Z', 'after 9999-12-31T23:59:59.999999Z'],
    ['9999-12-31T23:00:00.5-0100', '10000-01-01T00:00:00.5Z', 'after 9999-12-31T23:59:59.999999Z'],
    ['9999-12-31T09:01:00-14:59', '10000-01-01T00:00:00Z', 'after 9999-12-31T23:59:59.999999Z'],
  ])('refuses %s, which is %s in UTC', (value, utc, side) => {
    expect(dateTimeProblem(value)).toBe(`is ${utc} in UTC once its offset is applied, ${side}: ${SUPPORTED_RANGE}`);
  });

  it.each([
    '0001-01-01T00:00:00Z',
    '0001-01-01T01:00:00+01:00',
    '0001-01-01T00:00:00-14:59',
    '0001-01-02T00:00:00+14:59',
    '9999-12-31T23:59:59.999999Z',
    '9999-12-31T22:59:59.999999-01:00',
    '9999-12-31T23:59:59+14:59',
  ])('accepts %s', (value) => {
    expect(dateTimeProblem(value)).toBeUndefined();
  });

  it('refuses year 0000 as written, even where its offset brings it into year 1', () => {
    expect(dateTimeProblem('0000-12-31T23:30:00-01:00')).toBe(YEAR_ZERO);
  });

  it('is the rule of every date-time field, as a FORMAT reject at the field', () => {
    for (const field of ['created_at', 'updated_at', 'last_login']) {
      const errors = validateUser({ email: 'a@x.io', [field]: '0001-01-01T00:00:00+01:00' }, { rejectUnknownFields: true });
      expect(errors).toEqual([{ code: 'FORMAT', path: field, message: expect.stringContaining('0000-12-31T23:00:00Z in UTC') as string }]);
    }
  });
});

describe('date-time: each mistake is named', () => {
  it.each([
    ['2023-02-29T00:00:00Z', '2023-02-29 is not a calendar day (2023 is not a leap year)'],
    ['1900-02-29T00:00:00Z', '1900-02-29 is not a calendar day (1900 is not a leap year)'],
    ['2024-04-31T00:00:00Z', '2024-04-31 is not a calendar day (that month has 30 days)'],
    ['2024-02-30T00:00:00Z', '2024-02-30 is not a calendar day (that month has 28 days)'],
    ['2024-05-00T00:00:00Z', '2024-05-00 is not a calendar day'],
    ['2024-13-01T00:00:00Z', 'month 13 does not exist'],
    ['2024-00-01T00:00:00Z', 'month 00 does not exist'],
    ['2024-05-01T25:00:00Z', 'hour 25 does not exist'],
    ['2024-05-01T09:60:00Z', 'minute 60 does not exist'],
    ['2024-05-01T09:30:61Z', 'second 61 does not exist'],
  ])('%s', (value, message) => {
    expect(dateTimeProblem(value)).toMatch(new RegExp(`^${message.replace(/[()]/g, '\\$&')}`));
  });

  it('24:00:00 (ISO 8601 end of day) is refused: PostgreSQL reads it as the next day, SQLite not at all', () => {
    expect(dateTimeProblem('2024-05-01T24:00:00Z')).toBe(HOUR_24);
  });

  it.each(['2024-05-01T09:30:00', '2024-05-01 09:30', '2024-05-01T09:30:00.123'])('%s: a local time, whose zone nobody knows', (value) => {
    expect(dateTimeProblem(value)).toBe(NO_OFFSET);
  });

  it('a date alone says it lacks a time', () => {
    expect(dateTimeProblem('2024-05-01')).toMatch(/^is a date without a time/);
  });

  // PostgreSQL's range is ±15:59, SQLite's date functions ±14:59: +15:00 was stored by one and refused by the other.
  it.each(['+15:00', '-15:00', '+23:59', '+24:00', '-2400', '+99:00'])('offset %s is beyond what every store reads', (offset) => {
    expect(dateTimeProblem(`2024-05-01T09:30:00${offset}`)).toBe(
      `offset ${offset} is beyond ±14:59, the offsets every store reads (real time zones span -12:00 to +14:00)`,
    );
  });

  it.each(['+00:60', '-05:99', '+0060'])('offset %s has minutes past 59', (offset) => {
    expect(dateTimeProblem(`2024-05-01T09:30:00${offset}`)).toBe(`offset ${offset} is not one: its minutes must be 00–59`);
  });

  it.each(['+14:59', '-14:59', '+14:00', '-12:00', '+05:45', '-00:00', '+0530', 'z', 'Z'])('offset %s is accepted', (offset) => {
    expect(dateTimeProblem(`2024-05-01T09:30:00${offset}`)).toBeUndefined();
  });
});

describe('date-time: fractions', () => {
  // PostgreSQL rounds past the microsecond: 23:59:59.9999996Z was stored as the next day, SQLite kept the text.
  it.each(['2024-01-15T23:59:59.9999996Z', '2024-05-01T09:30:00.123456789+02:00', '2024-05-01T09:30:00.000000001Z'])(
    '%s has digits a store would lose',
    (value) => {
      expect(dateTimeProblem(value)).toBe(BEYOND_MICROSECONDS);
    },
  );

  it.each([
    '2024-05-01T09:30:00.1Z',
    '2024-05-01T09:30:00.123Z',
    '2024-05-01T09:30:00.123456Z',
    '2024-05-01T09:30:00.123456000Z',
    '2024-05-01T09:30:00.999999-05:00',
  ])('%s is kept to the digit', (value) => {
    expect(dateTimeProblem(value)).toBeUndefined();
  });

  it('more than 9 fractional digits is not a date-time', () => {
    expect(dateTimeProblem('2024-05-01T09:30:00.1234567890Z')).toMatch(/^must be an ISO-8601 date-time/);
  });
});

describe('date-time: surrounding whitespace', () => {
  // A CSV cell's padding was reported as "must be an ISO-8601 date-time", with no word of the space.
  it.each([' 2024-05-01T09:30:00Z', '2024-05-01T09:30:00Z\t', '\u00a02024-05-01T09:30:00Z\n'])('%j says to trim it', (value) => {
    expect(dateTimeProblem(value)).toBe(SURROUNDING_SPACE);
  });

  it('a padded value that is wrong anyway says what is wrong', () => {
    expect(dateTimeProblem(' 2024-05-01T09:30:00 ')).toBe(NO_OFFSET);
    expect(dateTimeProblem('   ')).toMatch(/^must be an ISO-8601 date-time/);
  });
});
