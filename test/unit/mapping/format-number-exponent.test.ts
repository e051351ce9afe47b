import { describe, expect, it } from 'vitest';
import { checkExpression } from '../../../src/mapping/expression.js';
import { mapBothPaths } from '../../helpers/mapping.js';

/*
 * jsonata scaled an exponent picture's mantissa only while it was greater than 10^N (N the
 * picture's integer digits), so 100 with "0.0e0" was written "10.0e1" and 1e15 "10.0e14", a
 * mantissa its rounding carried up (9.99) "10.0e0"; `#e0` cut its one digit with the decimal point
 * (1234 was "0.e4", which reads as 0); and a picture with a prefix lost an exponent digit
 * ("X0.0e00" wrote "X1.2e3") or was refused (`0.0e0;(0.0e0)`). Both paths now write the mantissa
 * XPath F&O 4.7.5 asks for, from the number's shortest digits.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const formatted = async (n: string, picture: string, options = '') =>
  (await mapBothPaths(`$formatNumber(${n}, ${JSON.stringify(picture)}${options})`, ctx)).values['c'];

describe('$formatNumber with an exponent picture', () => {
  it.each([
    ['1e15', '0.0e0', '1.0e15'],
    ['100', '0.0e0', '1.0e2'],
    ['-1e15', '0.0e0', '-1.0e15'],
    ['9.99', '0.0e0', '1.0e1'],
    ['99999', '0.0e0', '1.0e5'],
    ['0.099999', '0.0e0', '1.0e-1'],
    ['1e21', '0.00e0', '1.00e21'],
    ['1e21', '00.00e0', '10.00e20'],
    ['1234.5678', '00.000e0', '12.346e2'],
    ['1', '#.00e0', '0.10e1'],
    ['0.999', '#.00e0', '0.10e1'],
    ['1234', '#.##e00', '0.12e04'],
    ['0.000001234', '.00e0', '.12e-5'],
    ['1234', '#e0', '0.1e4'],
    ['0.234', '#e0', '0.2e0'],
    ['1234', '0e0', '1e3'],
    ['0', '0.0e0', '0.0e0'],
    ['0.000123', '0.0e0', '1.2e-4'],
    ['5e-324', '0.0e0', '5.0e-324'],
    ['1.7976931348623157e308', '0.0e0', '1.8e308'],
    ['1234', 'X0.0e00', 'X1.2e03'],
    ['-1234', '0.0e0;(0.0e0)', '(1.2e3)'],
    ['1234', '0.0e0 units', '1.2e3 units'],
  ])('%s with "%s" is %s', async (n, picture, expected) => {
    expect(await formatted(n, picture)).toBe(expected);
  });

  it('keeps the options’ digits and separators', async () => {
    expect(await formatted('1e15', '٠.٠e٠', ', {"zero-digit": "٠"}')).toBe('١.٠e١٥');
    expect(await formatted('1e-5', '0.0E00', ', {"exponent-separator": "E"}')).toBe('1.0E-05');
  });

  it('still refuses a picture jsonata refuses, as before', async () => {
    const { errors } = await mapBothPaths('$formatNumber(1234, "0.0e0%")', ctx);
    expect(errors[0]!.message).toMatch(/^JSONata D3092: /);
    expect(checkExpression('$formatNumber(x, "0.0e0;(0.0e0)")')).toBeUndefined();
  });
});
