import { describe, expect, it } from 'vitest';
import { beyondMicroseconds, parseInstant } from '../../../src/query/timestamps.js';

describe('parseInstant', () => {
  it('reads years 1 to 99 as written (Date.UTC took them for 1901–1999), and no year before 1', () => {
    expect(parseInstant('0050-06-01')).toEqual({ start: '0050-06-01T00:00:00.000Z', dayEnd: '0050-06-02T00:00:00.000Z' });
    expect(parseInstant('0001-01-01T10:00:00Z')).toEqual({ start: '0001-01-01T10:00:00.000Z' });
    expect(parseInstant('0099-12-31T23:00:00-02:00')).toEqual({ start: '0100-01-01T01:00:00.000Z' });
    expect(parseInstant('0004-02-29')).toEqual({ start: '0004-02-29T00:00:00.000Z', dayEnd: '0004-03-01T00:00:00.000Z' });
    expect(parseInstant('0000-12-31')).toBeUndefined();
    expect(parseInstant('0001-01-01T00:30:00+01:00')).toBeUndefined();
  });

  it('reads a date as a whole UTC day', () => {
    expect(parseInstant('2024-02-29')).toEqual({ start: '2024-02-29T00:00:00.000Z', dayEnd: '2024-03-01T00:00:00.000Z' });
    expect(parseInstant('2024-12-31')).toEqual({ start: '2024-12-31T00:00:00.000Z', dayEnd: '2025-01-01T00:00:00.000Z' });
  });

  it('normalises date-times to UTC with milliseconds, and microseconds when they have some', () => {
    expect(parseInstant('2024-06-15T12:00')).toEqual({ start: '2024-06-15T12:00:00.000Z' });
    expect(parseInstant('2024-06-15 12:00:00+02:00')).toEqual({ start: '2024-06-15T10:00:00.000Z' });
    expect(parseInstant('2024-06-15T12:00:00.123456-0130')).toEqual({ start: '2024-06-15T13:30:00.123456Z' });
    expect(parseInstant('2024-06-15T12:00:00.000100000Z')).toEqual({ start: '2024-06-15T12:00:00.000100Z' });
    expect(parseInstant('2024-06-15T12:00:00.123000Z')).toEqual({ start: '2024-06-15T12:00:00.123Z' });
    expect(parseInstant('2024-06-15T12:00:00.5z')).toEqual({ start: '2024-06-15T12:00:00.500Z' });
    // An offset in whole hours, as PostgreSQL writes it (and SQLite stores read it): it was "not a date".
    expect(parseInstant('2024-06-15 12:00:00+02')).toEqual({ start: '2024-06-15T10:00:00.000Z' });
    expect(parseInstant('2024-06-15t12:00-11')).toEqual({ start: '2024-06-15T23:00:00.000Z' });
  });

  it.each([
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-06-15T24:00',
    '2024-06-15T10:60',
    '0000-01-01',
    'yesterday',
    '2024-6-1',
    '2024-06-15T12:00+99:99',
    '2024-06-15T12:00+2400',
    '2024-06-15T12:00-0060',
    '2024-06-15T12:00+24',
    '2024-06-15T12:00+2',
    '2024-06-15T12:00+020',
  ])('rejects %s', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  // toISOString wrote `+010000-01-01T00:00:00.000Z`, which sorts as text before every stored
  // timestamp: `created_at:[2000-01-01 TO 9999-12-31]` exported nothing.
  it('ends 9999-12-31 at its 24:00, and reads no instant past year 9999', () => {
    expect(parseInstant('9999-12-31')).toEqual({ start: '9999-12-31T00:00:00.000Z', dayEnd: '9999-12-31T24:00:00.000Z' });
    expect('9999-12-31T24:00:00.000Z' > '9999-12-31T23:59:59.999Z').toBe(true);
    expect(parseInstant('9999-12-31T23:30:00-01:00')).toBeUndefined();
    expect(parseInstant('9999-12-31T23:59:59.999Z')).toEqual({ start: '9999-12-31T23:59:59.999Z' });
    expect(parseInstant('9999-12-30')).toEqual({ start: '9999-12-30T00:00:00.000Z', dayEnd: '9999-12-31T00:00:00.000Z' });
  });

  it('tells a fraction with digits beyond the microseconds, which no store holds', () => {
    expect(beyondMicroseconds('2024-06-15T12:00:00.1234567Z')).toBe(true);
    expect(beyondMicroseconds('2024-06-15T12:00:00.123456000Z')).toBe(false);
    expect(beyondMicroseconds('2024-06-15')).toBe(false);
  });
});
