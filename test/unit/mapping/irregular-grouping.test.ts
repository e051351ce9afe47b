import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * Grouping separators that are not evenly spaced (the Indian `#,##,##0`) go only where a digit
 * stands to their left. jsonata counted a short number's missing digits from the string's far
 * end: `$formatNumber(1234, "#,##,##0")` wrote "12,34,", 123 "1,2,3", 12345 ",12,345", and
 * `$formatInteger(1234, "#,##,##0")` ",4", as the column's value without a word; and one in a
 * fraction went past its last digit ("1.5," for 1.5 with "0.0,##").
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('irregular grouping (interpretOnly: $interpretOnly)', (path) => {
  it.each([
    ['$formatNumber(1234, "#,##,##0")', '1,234'],
    ['$formatNumber(123, "#,##,##0")', '123'],
    ['$formatNumber(12345, "#,##,##0")', '12,345'],
    ['$formatNumber(1234567, "#,##,##0")', '12,34,567'],
    ['$formatNumber(123456789, "#,##,##0")', '1234,56,789'],
    ['$formatNumber(-1234.5, "#,##,##0.00;(#,##,##0.00)")', '(1,234.50)'],
    ['$formatNumber(0.5, "#,##,###.00")', '.50'],
    ['$formatNumber(1234, "#.##.##0,00", {"decimal-separator": ",", "grouping-separator": "."})', '1.234,00'],
    ['$formatInteger(1234, "#,##,##0")', '1,234'],
    ['$formatInteger(-12, "#,##,##0")', '-12'],
    ['$formatInteger(1234, "#,##,##0;o")', '1,234th'],
    ['$formatInteger(1234567890, "#:###,##0")', '1234:567,890'],
    ['$formatInteger(1234, "#:###,##0")', '1,234'],
    ['$formatNumber(1234567, "#,###,##0")', '1,234,567'],
    ['$formatNumber(1.5, "0.0,##")', '1.5'],
    ['$formatNumber(1, "0.###,#")', '1'],
    ['$formatNumber(1.12345, "0.0##,###")', '1.123,45'],
    ['$formatNumber(1.5, "0.00,0")', '1.50,0'],
    ['$formatNumber(1234.5, "#,##,##0.0,0")', '1,234.5,0'],
  ])('%s is %j', async (expr, value) => {
    const mapper = createMapper({ c: expr }, ctx, undefined, path);
    expect(mapper.plan.compiled).toEqual(path.interpretOnly ? [] : ['c']);
    expect(await mapper.map({})).toEqual({ values: { c: value }, errors: [] });
  });
});
