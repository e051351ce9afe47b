import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * Numbers a column would store other than they are, each a MAPPING_ERROR now, compiled and
 * interpreted. Before: `$number("12345678901234567891")` wrote 12345678901234567000 (another id;
 * the same digits in a source or CSV cell are a FORMAT reject); `$number("abc0o7")` and
 * `$number("0x1Fzz")` passed jsonata's half-anchored test and were written as null; and a column
 * of NaN or Infinity (`0/0`, `1e308 * 10`) was written as null by every store.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('numbers a column cannot hold (interpretOnly: $interpretOnly)', (path) => {
  const map = (expr: string, record: Record<string, unknown> = {}) => createMapper({ c: expr }, ctx, undefined, path).map(record);

  it.each([
    ['$number(id)', /\$number\("12345678901234567891"\): number beyond ±2\^53/],
    ['$number("-9007199254740993")', /number beyond ±2\^53/],
    ['$number("0x20000000000001")', /number beyond ±2\^53/],
    ['$number("abc0o7")', /D3030: Unable to cast value to a number/],
    ['$number("0x1Fzz")', /D3030: Unable to cast value to a number/],
    ['0/0', /a number that is not finite/],
    ['n * n', /a number that is not finite/],
    ['{"a": [1, $sum([n, n]) * 1e200]}', /a number that is not finite/],
  ])('%s is rejected', async (expr, message) => {
    const result = await map(expr, { id: '12345678901234567891', n: 1e200 });
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(message) as unknown }] });
  });

  it.each([
    ['$number("9007199254740991")', 9007199254740991],
    ['$number("12345678901234567000")', 12345678901234567000],
    ['$number("1.23456789012345678")', 1.2345678901234568],
    ['$number("0x20000000000000")', 9007199254740992],
    ['$number("0b101")', 5],
    ['$number("1e20")', 1e20],
  ])('%s keeps its value', async (expr, value) => {
    expect(await map(expr)).toEqual({ values: { c: value }, errors: [] });
  });
});
