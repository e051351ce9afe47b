import { describe, expect, it } from 'vitest';
import { encodePg, isInvalid } from '../../../src/connections/postgres/values.js';
import { encodeValue, invalid } from '../../../src/connections/sqlite/values.js';

/** Text a real column refuses: Number() reads each of these as some number, which was stored without a word. */
const notDecimal = ['0x10', '0X1f', '0b11', '0o7', '-0x10', 'Infinity', '-Infinity', '1_000', '', '  ', '1e', '.', '--1'];
const decimal: [string, number][] = [
  ['12', 12],
  [' 12 ', 12],
  ['-3.5', -3.5],
  ['+7', 7],
  ['.5', 0.5],
  ['1.', 1],
  ['1e3', 1000],
  ['2.5E-2', 0.025],
  ['0010', 10],
];

describe('text into a real column: only a decimal literal is a number', () => {
  it.each(notDecimal)('SQLite refuses %j', (text) => {
    expect(encodeValue('real', text)).toBe(invalid);
  });

  it.each(notDecimal)('PostgreSQL refuses %j, as double precision and as numeric', (text) => {
    for (const base of ['float8', 'numeric']) {
      const encoded = encodePg('score', 'real', base, text);
      expect(isInvalid(encoded)).toBe(true);
      if (isInvalid(encoded)) expect(encoded.invalid).toMatchObject({ code: 'INVALID_TYPE', path: 'score' });
    }
  });

  it.each(decimal)('%j is the number %d in both stores', (text, n) => {
    expect(encodeValue('real', text)).toBe(n);
    expect(encodePg('score', 'real', 'float8', text)).toBe(String(n));
  });

  it('numbers themselves are kept; a non-finite one is refused', () => {
    expect(encodeValue('real', 2.5)).toBe(2.5);
    expect(encodeValue('real', Number.POSITIVE_INFINITY)).toBe(invalid);
    expect(encodePg('score', 'real', 'float8', -0.25)).toBe('-0.25');
  });
});
