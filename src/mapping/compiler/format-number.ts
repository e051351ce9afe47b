import { OUT_OF_RANGE_CODE, fractionDigits } from './functions-numeric.js';
import { integerPictureParts } from './integer-picture-parts.js';
import { standIn } from './stand-in.js';

type Impl = (this: unknown, ...args: never[]) => unknown;

/** The most decimal places `Number.prototype.toFixed` writes. */
const MAX_PLACES = 100;

/**
 * jsonata's `$formatNumber` writes the number's digits with `toFixed`, which past 1e21 gives
 * "1e+21": `$formatNumber(1e21, "#,##0")` wrote "1e,+21" as the column's value, without a word
 * (also 1e19 with a `%` picture, which multiplies by 100). And a picture of more than 100
 * decimal places failed with JavaScript's own "toFixed() digits argument must be between 0 and
 * 100", naming no column. The call runs with `toFixed` refusing both, with a message that says
 * what to do; a picture with an exponent (`0.00e0`) never reaches either. And past the number's
 * shortest digits `toFixed` wrote its binary expansion: 1e-7 with 25 decimal places was
 * "0.0000000999999999999999955", 0.3 with "0.0#################" "0.299999999999999989"; XPath
 * F&O 4.7.5 takes the decimal of fewest digits, padded with zeros ("0.3"). The swap is
 * synchronous, as linear-dates.ts `withLinearRegExp`: nothing else runs until it is undone.
 */
export function exactFormatNumber<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const value = args[0];
    const native = Number.prototype.toFixed;
    Number.prototype.toFixed = function (this: number, places?: number): string {
      if (typeof places === 'number' && places > MAX_PLACES)
        throw { code: OUT_OF_RANGE_CODE, message: `$formatNumber: the picture asks for ${places} decimal places, more than ${MAX_PLACES}` };
      // the shortest digits, padded: toFixed writes the double's binary expansion past them
      const shortest = typeof places === 'number' && Math.abs(this) < 1e21 && places >= fractionDigits(this);
      const text = shortest ? shortestFixed(this, places) : native.call(this, places);
      if (text.includes('e')) {
        const message = `$formatNumber(${String(value)}): past 1e21 (after a % or ‰ picture multiplies it) a number's digits come only with an exponent, and the picture has none: add one (such as "0.000e0")`;
        throw { code: OUT_OF_RANGE_CODE, message };
      }
      return text;
    };
    try {
      return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).apply(this, args);
    } finally {
      Number.prototype.toFixed = native;
    }
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}

/** `n` written with `places` decimals from its shortest digits (which have no more than `places` after the point). */
function shortestFixed(n: number, places: number): string {
  const [mantissa = '', power = '0'] = Math.abs(n).toString().split('e');
  const [integer = '', fraction = ''] = mantissa.split('.');
  let digits = integer + fraction;
  let point = integer.length + Number(power);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  digits = digits.padEnd(point, '0');
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const sign = n < 0 ? '-' : '';
  return sign + whole + (places > 0 ? `.${digits.slice(point).padEnd(places, '0')}` : '');
}

/** jsonata's `$formatInteger` pictures that are not decimal digits: letters, roman numerals, words. */
const NAMED_PICTURES = new Set(['A', 'a', 'I', 'i', 'W', 'w', 'Ww']);

/**
 * jsonata's `$formatInteger` with a decimal picture writes `'' + value`, which past 1e21 is
 * "1e+21": `$formatInteger(1e21, "#,##0")` wrote "1e,+21" as the column's value, without a word.
 * Such a number is refused for a decimal picture; letters, roman numerals and words are exact.
 */
export function decimalWithoutExponent<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const [value, picture] = args;
    if (typeof value === 'number' && typeof picture === 'string' && String(Math.floor(value)).includes('e')) {
      if (!NAMED_PICTURES.has(integerPictureParts(picture).primary)) {
        const message = `$formatInteger(${String(value)}): past 1e21 a number's digits come only with an exponent, which a decimal picture has no place for: use $formatNumber with one (such as "0.000e0")`;
        throw { code: OUT_OF_RANGE_CODE, message };
      }
    }
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).apply(this, args);
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}

/** The pictures of a sequence that starts at 1: letters (`A` a, b, … z, aa) and roman numerals. */
const FROM_ONE = new Set(['A', 'a', 'I', 'i']);

/**
 * jsonata's `$formatInteger` of 0 (or a fraction below 1, which it floors to 0) with a letters or
 * roman picture wrote "", an empty string as the column's value, without a word: neither sequence
 * has a zero. XPath F&O 4.6.1 formats a number outside a sequence's range with the picture `1`:
 * it is written "0".
 */
export function zeroInDecimal<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const [value, picture] = args;
    if (typeof value === 'number' && Math.floor(value) === 0 && typeof picture === 'string') {
      if (FROM_ONE.has(integerPictureParts(picture).primary)) return '0';
    }
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).apply(this, args);
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}
