import { describe, expect, it } from 'vitest';
import { compareDecimals } from '../../../src/query/exact-number.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/** A decimal text's exact value as a fraction n / 10^scale, for a reference order. */
function exact(text: string): { n: bigint; scale: bigint } {
  const [mantissa = '', exponent = '0'] = text.toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.replace(/^[+-]/, '').split('.');
  const sign = mantissa.startsWith('-') ? -1n : 1n;
  const n = sign * BigInt(`${whole}${fraction}` || '0');
  const shift = BigInt(exponent) - BigInt(fraction.length);
  return shift >= 0n ? { n: n * 10n ** shift, scale: 0n } : { n, scale: -shift };
}

function reference(a: string, b: string): number {
  const x = exact(a);
  const y = exact(b);
  const scale = x.scale > y.scale ? x.scale : y.scale;
  const left = x.n * 10n ** (scale - x.scale);
  const right = y.n * 10n ** (scale - y.scale);
  return left === right ? 0 : left < right ? -1 : 1;
}

describe('compareDecimals', () => {
  it.each([
    ['0.10000000000000000001', '0.1', 1],
    ['0.1', '0.10000000000000000001', -1],
    ['0.99999999999999999999', '1', -1],
    ['-0.99999999999999999999', '-1', 1],
    ['5.0', '5', 0],
    ['1E2', '100', 0],
    ['-0', '0', 0],
    ['0.0e-5', '-0', 0],
    ['1e-400', '0', 1],
    ['-1e-400', '0', -1],
    ['9e999', '1e308', 1],
    ['1e99999999999999999999', '1e99999999999999999998', 1],
    ['.5', '0.5', 0],
    ['5.', '5', 0],
    ['9007199254740993', '9007199254740992', 1],
  ])('%s against %s', (a, b, order) => {
    expect(compareDecimals(a, b)).toBe(order);
  });

  it('is undefined for text that is no decimal', () => {
    for (const text of ['', '.', 'e5', 'abc', '1e', '0x10', 'Infinity', '1.2.3']) expect(compareDecimals(text, '1'), text).toBeUndefined();
  });

  it('orders random decimals as their exact values do', () => {
    const random = seededRandom(7);
    const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(random() * 10))).join('');
    const decimal = (): string => {
      const sign = random() < 0.3 ? '-' : '';
      const whole = random() < 0.3 ? '0' : digits(1 + Math.floor(random() * 4));
      const fraction = random() < 0.5 ? `.${digits(Math.floor(random() * 25))}` : '';
      const exponent = random() < 0.4 ? `e${Math.floor(random() * 12) - 6}` : '';
      return `${sign}${whole}${fraction}${exponent}`;
    };
    for (let i = 0; i < 5000; i++) {
      const a = decimal();
      const b = random() < 0.2 ? a.replace(/e.*$/, '') + '0' : decimal();
      expect(compareDecimals(a, b), `${a} vs ${b}`).toBe(reference(a, b));
    }
  });
});
