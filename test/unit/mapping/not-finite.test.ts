import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * `1/0` and an overflow (`n * n`) make Infinity, which the formatters cannot write: jsonata's
 * `$formatNumber(1/0, "0.0e0")` divided by 10 forever (one call, which no budget interrupts: the
 * job hung), `$formatInteger(1/0, "w")` ran out of stack, and the rest wrote "In,fin,ity",
 * "-NaN.0e0" or "Infinity" as the column's value. Each is a MAPPING_ERROR, compiled and interpreted.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const notFinite = (call: string, value: string) =>
  `column c: $${call}(${value}): the number is not finite (a division by zero or an overflow), so there is nothing to format`;

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('formatting a number that is not finite (interpretOnly: $interpretOnly)', (path) => {
  it.each([
    ['$formatNumber(n * n, "#,##0")', notFinite('formatNumber', 'Infinity')],
    ['$formatNumber(0/0, "0.0e0")', notFinite('formatNumber', 'NaN')],
    ['$formatInteger(1/0, "w")', notFinite('formatInteger', 'Infinity')],
    ['$formatInteger(-1/0, "0")', notFinite('formatInteger', '-Infinity')],
    ['$formatBase(1/0, 2)', notFinite('formatBase', 'Infinity')],
  ])('%s is rejected', async (expr, message) => {
    const result = await createMapper({ c: expr }, ctx, undefined, path).map({ n: 1e200 });
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it('an exponent picture of Infinity ends (it looped forever)', async () => {
    const result = await createMapper({ c: '$formatNumber(a / b, "0.0e0")' }, ctx, undefined, path).map({ a: 1, b: 0 });
    expect(result.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: notFinite('formatNumber', 'Infinity') }]);
  });

  it('formats finite numbers as before', async () => {
    const mapper = createMapper(
      { a: '$formatNumber(12.5, "#,##0.00")', b: '$formatInteger(12, "w")', c: '$formatBase(255, 16)', d: '$formatNumber(1e-320, "0.0e0")' },
      ctx,
      undefined,
      path,
    );
    expect(await mapper.map({})).toEqual({ values: { a: '12.50', b: 'twelve', c: 'ff', d: '1.0e-320' }, errors: [] });
  });
});
