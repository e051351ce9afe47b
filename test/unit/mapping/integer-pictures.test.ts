import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * `$formatInteger`, `$formatNumber` and `$parseInteger` with no picture (a path that finds nothing,
 * such as `"#".("##")`) were rejected with jsonata's internal "Cannot read properties of undefined";
 * `$parseInteger` checked nothing of its value, so "1.5" was 1, "12abc" 12, "1.234" with "#.##0" 1
 * and "B" with "a" -30, written without a word, and "x" was rejected as "a division by zero". The
 * compiled and interpreted paths give the same answer and message.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const missing = (call: string) => `column c: ${call}: the picture is missing (the expression for it gave no value: a field the record does not have?)`;
const mismatch = (call: string, what: string) => `column c: ${call}: the value does not match the picture (${what})`;

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('integer pictures (interpretOnly: $interpretOnly)', (path) => {
  const map = async (expr: string, record: Record<string, unknown> = {}) => {
    const mapper = createMapper({ c: expr }, ctx, undefined, path);
    expect(mapper.plan.compiled).toEqual(path.interpretOnly ? [] : ['c']);
    return mapper.map(record);
  };

  it.each([
    ['$formatInteger(1, "#".("##"))', missing('$formatInteger(1)')],
    ['$formatInteger(n, picture)', missing('$formatInteger(5)')],
    ['$formatNumber(n, picture)', missing('$formatNumber(5)')],
    ['$parseInteger("12", picture)', missing('$parseInteger("12")')],
  ])('%s names the call and its missing picture', async (expr, message) => {
    expect(await map(expr, { n: 5 })).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it.each([
    ['$parseInteger("x", "0")', mismatch('$parseInteger("x", "0")', 'digits 0–9')],
    ['$parseInteger("1.5", "0")', mismatch('$parseInteger("1.5", "0")', 'digits 0–9')],
    ['$parseInteger("12abc", "#0")', mismatch('$parseInteger("12abc", "#0")', 'digits 0–9')],
    ['$parseInteger("1e5", "0")', mismatch('$parseInteger("1e5", "0")', 'digits 0–9')],
    ['$parseInteger("1,234", "#.##0")', mismatch('$parseInteger("1,234", "#.##0")', 'digits 0–9 with "." between them')],
    ['$parseInteger("12", "0;o")', mismatch('$parseInteger("12", "0;o")', 'digits 0–9, then st, nd, rd or th')],
    ['$parseInteger("B", "a")', mismatch('$parseInteger("B", "a")', 'letters a to z')],
    ['$parseInteger("12", "A")', mismatch('$parseInteger("12", "A")', 'letters A to Z')],
    ['$parseInteger("XIZ", "I")', mismatch('$parseInteger("XIZ", "I")', 'a roman numeral')],
    ['$parseInteger("one banana", "w")', mismatch('$parseInteger("one banana", "w")', 'a number in English words')],
    ['$parseInteger("12", "٠")', mismatch('$parseInteger("12", "٠")', 'digits ٠–٩')],
  ])('%s is a MAPPING_ERROR saying the value does not match', async (expr, message) => {
    expect(await map(expr)).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it('a decimal past 2^53 is refused as $number refuses it', async () => {
    const result = await map('$parseInteger("12345678901234567891", "0")');
    expect(result.errors[0]?.message).toMatch(/^column c: \$parseInteger\("12345678901234567891", "0"\): number beyond ±2\^53/);
  });

  it('reads what the picture writes', async () => {
    const mapper = createMapper(
      {
        dot: '$parseInteger("1.234.567", "#.##0")',
        space: '$parseInteger("1 234", "# ##0")',
        comma: '$parseInteger("12,345,678", "#,##0")',
        negative: '$parseInteger("-12", "0")',
        ordinal: '$parseInteger("123rd", "000;o")',
        arabic: '$parseInteger("١٢٣٤٠", "###١")',
        letters: '$parseInteger("aa", "a")',
        roman: '$parseInteger("MCMLXXXIV", "I")',
        words: '$parseInteger("thirty-four", "w")',
        none: '$parseInteger(nothing, "0")',
      },
      ctx,
      undefined,
      path,
    );
    expect(await mapper.map({})).toEqual({
      values: { dot: 1234567, space: 1234, comma: 12345678, negative: -12, ordinal: 123, arabic: 12340, letters: 27, roman: 1984, words: 34 },
      errors: [],
    });
  });
});
