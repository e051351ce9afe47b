import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * jsonata's `$formatNumber` writes digits with `toFixed`, which gives "1e+21" past 1e21:
 * `$formatNumber(1e21, "#,##0")` wrote "1e,+21" as the column's value, without a word. Such a
 * number is a MAPPING_ERROR saying to put an exponent in the picture, as is a picture of more than
 * 100 decimal places (it failed with JavaScript's own message, naming no column). `$formatInteger`
 * with a decimal picture wrote the same "1e,+21" and is refused too; `$formatBase(1e21, 10)` wrote
 * "1e+21" and now writes the digits, as the other bases do.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const past = (shown: string) =>
  `column c: $formatNumber(${shown}): past 1e21 (after a % or ‰ picture multiplies it) a number's digits come only with an exponent, and the picture has none: add one (such as "0.000e0")`;

describe('formatting a number past 1e21', () => {
  it.each([{ interpretOnly: false }, { interpretOnly: true }])('formatNumber (interpretOnly: $interpretOnly)', async (paths) => {
    const map = async (expr: string, n: number) => createMapper({ c: expr }, ctx, undefined, paths).map({ n });
    expect(await map('$formatNumber(n, "#,##0")', 1e21)).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message: past('1e+21') }] });
    expect((await map('$formatNumber(n, "#,##0%")', 1e19)).errors[0]!.message).toBe(past('10000000000000000000'));
    expect((await map('$formatNumber(n, "#,##0;(#)")', -1e22)).errors[0]!.message).toBe(past('-1e+22'));
    expect(await map('$formatNumber(n, "#,##0")', 9.99e20)).toEqual({ values: { c: '999,000,000,000,000,000,000' }, errors: [] });
    expect(await map('$formatNumber(n, "0.00e0")', 1e21)).toEqual({ values: { c: '1.00e21' }, errors: [] });
    expect(await map('$formatNumber(n, "0." & $pad("", 150, "#"))', 1.5)).toEqual({
      values: {},
      errors: [{ code: 'MAPPING_ERROR', path: 'c', message: 'column c: $formatNumber: the picture asks for 150 decimal places, more than 100' }],
    });
    expect(Number.prototype.toFixed.call(1e21, 2)).toBe('1e+21');
  });

  it.each([{ interpretOnly: false }, { interpretOnly: true }])('formatInteger and formatBase (interpretOnly: $interpretOnly)', async (paths) => {
    const map = async (expr: string, n: number) => createMapper({ c: expr }, ctx, undefined, paths).map({ n });
    const integer = (shown: string) =>
      `column c: $formatInteger(${shown}): past 1e21 a number's digits come only with an exponent, which a decimal picture has no place for: use $formatNumber with one (such as "0.000e0")`;
    expect((await map('$formatInteger(n, "#,##0")', 1e21)).errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: integer('1e+21') }]);
    expect((await map('$formatInteger(n, "0;o")', -1e22)).errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: integer('-1e+22') }]);
    expect((await map('$formatInteger(n, "w")', 1e21)).values).toEqual({ c: 'one billion trillion' });
    expect((await map('$formatInteger(n, "#,##0")', 123456)).values).toEqual({ c: '123,456' });
    expect((await map('$formatBase(n, 10)', 1e21)).values).toEqual({ c: '1000000000000000000000' });
    expect((await map('$formatBase(n)', -1e22)).values).toEqual({ c: '-10000000000000000000000' });
    expect((await map('$formatBase(n, 16)', 1e21)).values).toEqual({ c: '3635c9adc5dea00000' });
  });
});
