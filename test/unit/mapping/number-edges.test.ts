import { describe, expect, it } from 'vitest';
import { mapBothPaths } from '../../helpers/mapping.js';

/*
 * Numbers at the edges of the built-ins, the same compiled and interpreted:
 * - `$formatInteger` of 0 with letters or roman numerals wrote "" (neither sequence has a zero):
 *   XPath F&O formats a number outside a sequence with the picture `1`, "0".
 * - `$formatInteger` with words or letters past 2^53 divided the number as a double, and spelled
 *   another number than the one its shortest digits (JSON's) write.
 * - `$formatNumber` past a number's shortest digits wrote its binary expansion (1e-7 with 25
 *   places was "0.0000000999999999999999955"); XPath takes the decimal of fewest digits. Its -0 of
 *   -0.4 with "0" is XPath's too: a negative number takes the negative sub-picture.
 * - `$parseInteger` with words multiplied only the last group by a magnitude ("one thousand, two
 *   hundred and thirty-four trillion, …", jsonata's own words for 1234567890123456, was
 *   234567890124456), and added words and letters past 2^53 as doubles (another number).
 * - `$number("1e-400")` was 0, where a source holding that number is a FORMAT reject.
 * - `$round` with a precision the number's digits do not reach overflowed jsonata's shift
 *   (`$round(1e300, 10)` was Infinity, rejected as "a division by zero"); a precision that is not
 *   a whole number was NaN, the same.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const value = async (expr: string) => (await mapBothPaths(expr, ctx)).values['c'];
const error = async (expr: string) => (await mapBothPaths(expr, ctx)).errors;

describe('numbers at the edges of the built-ins', () => {
  it.each([
    ['$formatInteger(0, "I")', '0'],
    ['$formatInteger(0.7, "i")', '0'],
    ['$formatInteger(0, "A")', '0'],
    ['$formatInteger(0, "a;o")', '0'],
    ['$formatInteger(1, "I")', 'I'],
    ['$formatInteger(0, "w")', 'zero'],
    ['$formatInteger(0, "01")', '00'],
  ])('%s is %s', async (expr, expected) => {
    expect(await value(expr)).toBe(expected);
  });

  it.each([
    [
      '$formatInteger(1.2345678901234569e23, "w")',
      'one hundred and twenty-three billion, four hundred and fifty-six million, seven hundred and eighty-nine thousand and twelve trillion, three hundred and forty-five billion, six hundred and ninety million',
    ],
    ['$formatInteger(-1e21, "Ww;o")', '-One Billion Trillionth'],
    ['$formatInteger(1e21 + 131072 * 3, "W")', 'ONE BILLION TRILLION, FOUR HUNDRED THOUSAND'],
    ['$formatInteger(1e46, "w")', 'ten billion trillion trillion trillion'],
    ['$formatInteger(9007199254740994, "A")', 'BKTXHSOGHKKH'],
    ['$formatInteger(1e16, "a")', 'brutmhyhiizp'],
    ['$formatInteger(1e16, "W")', 'TEN THOUSAND TRILLION'],
    ['$formatInteger(9007199254740991, "A")', 'BKTXHSOGHKKE'],
  ])('%s spells the exact number past 2^53', async (expr, expected) => {
    expect(await value(expr)).toBe(expected);
  });

  it.each([
    ['$formatNumber(1e-7, "0.0000000000000000000000000")', '0.0000001000000000000000000'],
    ['$formatNumber(0.1, "0.00000000000000000000")', '0.10000000000000000000'],
    ['$formatNumber(0.3, "0.0#################")', '0.3'],
    ['$formatNumber(-0.3, "0.0#################")', '-0.3'],
    ['$formatNumber(123.456, "#,##0.000000000000000")', '123.456000000000000'],
    ['$formatNumber(1234567.891, "#,##0.00")', '1,234,567.89'],
    ['$formatNumber(2.675, "0.00")', '2.68'],
    ['$formatNumber(0.125, "0.00")', '0.12'],
    ['$formatNumber(1e-7, "0.0#####%")', '0.00001%'],
    ['$formatNumber(-0.4, "0")', '-0'],
  ])('%s writes the shortest digits, padded (%s)', async (expr, expected) => {
    expect(await value(expr)).toBe(expected);
  });

  it.each([
    ['$parseInteger($formatInteger(1234567890123456, "w"), "w")', 1234567890123456],
    ['$parseInteger($formatInteger(9007199254740991, "w"), "w")', 9007199254740991],
    ['$parseInteger("ten billion trillion trillion trillion", "w")', 1e46],
    ['$parseInteger("One Thousand Million", "Ww")', 1e9],
    ['$parseInteger("one hundred and first", "w;o")', 101],
    ['$parseInteger("BKTXHSOGHKKH", "A")', 9007199254740994],
    ['$parseInteger("aa", "a")', 27],
  ])('%s reads the number exactly (%s)', async (expr, expected) => {
    expect(await value(expr)).toBe(expected);
  });

  it.each(['$parseInteger("one billion trillion and one", "w")', '$parseInteger("BKTXHSOGHKKG", "A")'])(
    '%s, another number as a double, is a MAPPING_ERROR',
    async (expr) => {
      const [found] = await error(expr);
      expect(found!.message).toMatch(/: number beyond ±2\^53 \(9007199254740991\) cannot be kept exactly: /);
    },
  );

  it('$number of a number too small for a double is a MAPPING_ERROR', async () => {
    const message = (text: string) =>
      `column c: $number(${JSON.stringify(text)}): number too small for a double cannot be kept: numbers are read as doubles, which would make it 0`;
    expect(await error('$number("1e-400")')).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: message('1e-400') }]);
    const [long] = await error('$number("-0.' + '0'.repeat(400) + '1")');
    expect(long!.message).toMatch(/^column c: \$number\("-0\.0+… \(523 characters in all\)$/);
    expect(await value('$number("0e5")')).toBe(0);
    expect(Math.abs((await value('$number("-0.000")')) as number)).toBe(0);
    expect(await value('$number("1e-320")')).toBe(1e-320);
  });

  it.each([
    ['$round(1e300, 10)', 1e300],
    ['$round(-1e300, 10)', -1e300],
    ['$round(5, 400)', 5],
    ['$round(1e-7, 400)', 1e-7],
    ['$round(1.5e-7, 7)', 2e-7],
    ['$round(2.5e-7, 7)', 2e-7],
    ['$round(2.675, 2)', 2.68],
    ['$round(1.25, 1)', 1.2],
    ['$round(12350, -2)', 12400],
    ['$round(-0.0001, 2)', 0],
  ])('%s is %s', async (expr, expected) => {
    expect(await value(expr)).toBe(expected);
  });

  it('$round with a precision that is not a whole number is a MAPPING_ERROR saying so', async () => {
    expect(await error('$round(123.456, 1.5)')).toEqual([
      { code: 'MAPPING_ERROR', path: 'c', message: 'column c: $round: the precision 1.5 is not a whole number of decimal places' },
    ]);
  });
});
