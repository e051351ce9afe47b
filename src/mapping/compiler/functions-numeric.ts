import { inexactNumberMessage, isInexact } from '../../validation/inexact-numbers.js';
import { fail } from './errors.js';
import { isRomanPicture } from './output-guards.js';
import { toBoolean } from './values.js';
import { standIn } from './stand-in.js';

/** Numeric and boolean built-ins, ported from jsonata's `functions.js`. */

type Num = number | undefined;

export function number(arg: unknown): Num {
  if (arg === undefined) return undefined;
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'string' && /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(arg) && !isNaN(parseFloat(arg)) && isFinite(Number(arg))) {
    return exactly(arg, parseFloat(arg));
  }
  // jsonata anchors only the first and last alternatives (`^(0x…)|(0o…)|(0b…)$`), so "0x1Fzz" and
  // "abc0o7" passed and came out NaN, written as null instead of an error
  if (typeof arg === 'string' && /^(?:0[xX][0-9A-Fa-f]+|0[oO][0-7]+|0[bB][01]+)$/.test(arg)) return exactly(arg, Number(arg));
  if (arg === true) return 1;
  if (arg === false) return 0;
  throw fail('D3030', { value: arg, index: 1 });
}

/**
 * `value`, read from `text`, unless the double changed an integer beyond ±2^53: `$number("12345678901234567891")`
 * wrote 12345678901234567000, silently another number, where a source or a CSV cell holding it is
 * a FORMAT reject (validation/inexact-numbers.ts); a fraction rounded in its last digits is how
 * doubles work, and passes.
 */
function exactly(text: string, value: number): number {
  // and a number too small for a double ("1e-400") was 0, as a source holding it is a FORMAT reject
  if (value === 0 && isInexact(text)) throw { code: OUT_OF_RANGE_CODE, message: `$number(${JSON.stringify(text)}): ${inexactNumberMessage(false, text)}` };
  if (Math.abs(value) <= Number.MAX_SAFE_INTEGER) return value;
  const radix = /^0[xXoObB]/.test(text);
  const changed = radix ? BigInt(text) !== BigInt(value) : isInexact(text);
  if (changed) throw { code: OUT_OF_RANGE_CODE, message: `$number(${JSON.stringify(text)}): ${inexactNumberMessage(false)}` };
  return value;
}

export function abs(arg: Num): Num {
  return arg === undefined ? undefined : Math.abs(arg);
}

export function floor(arg: Num): Num {
  return arg === undefined ? undefined : Math.floor(arg);
}

export function ceil(arg: Num): Num {
  return arg === undefined ? undefined : Math.ceil(arg);
}

/**
 * Round half to even, shifting the decimal point in the string form to avoid binary error. Two
 * cases differ from jsonata, whose shift overflowed: a precision the number's digits do not reach
 * leaves it as it is (`$round(1e300, 10)` and `$round(5, 400)` were Infinity, rejected as "not
 * finite … a division by zero"), and a precision that is not a whole number (`$round(x, 1.5)`,
 * NaN, the same) is refused saying so.
 */
export function round(arg: Num, precision?: number): Num {
  if (arg === undefined) return undefined;
  if (precision !== undefined && !Number.isInteger(precision)) {
    throw { code: OUT_OF_RANGE_CODE, message: `$round: the precision ${String(precision)} is not a whole number of decimal places` };
  }
  if (precision !== undefined && precision > 0 && fractionDigits(arg) <= precision) return Object.is(arg, -0) ? 0 : arg;
  let value = arg;
  if (precision) {
    const parts = value.toString().split('e');
    value = +(parts[0] + 'e' + (parts[1] ? +parts[1] + precision : precision));
  }
  let result = Math.round(value);
  const diff = result - value;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  if (precision) {
    const parts = result.toString().split('e');
    result = +(parts[0] + 'e' + (parts[1] ? +parts[1] - precision : -precision));
  }
  return Object.is(result, -0) ? 0 : result;
}

/** How many digits the number's shortest form has after the decimal point (1e-7: 7, 1.5e300: 0). */
export function fractionDigits(n: number): number {
  const [digits = '', power] = Math.abs(n).toString().split('e');
  const written = digits.split('.')[1]?.length ?? 0;
  return Math.max(0, written - Number(power ?? 0));
}

export function sqrt(arg: Num): Num {
  if (arg === undefined) return undefined;
  if (arg < 0) throw fail('D3060', { index: 1, value: arg });
  return Math.sqrt(arg);
}

export function power(arg: Num, exp: number): Num {
  if (arg === undefined) return undefined;
  const result = Math.pow(arg, exp);
  if (!isFinite(result)) throw fail('D3061', { index: 1, value: arg, exp });
  return result;
}

/** The code of Ferry's own errors in built-ins (a number not finite, a date out of range): shown as Ferry's, the column then the message. */
export const OUT_OF_RANGE_CODE = 'FERRY_OUT_OF_RANGE';

/**
 * A number a picture formats must be finite. `1/0` and an overflow (`n * n`) are Infinity, which no
 * JSON value is: jsonata's `$formatNumber` of it with an exponent picture (`0.0e0`) divided by 10
 * forever, holding the process in one call no budget interrupts; `$formatInteger(1/0, "w")`
 * recursed until the stack ran out; the others wrote "In,fin,ity", "-NaN.0e0" or "Infinity".
 */
export function checkFinite(name: string, value: unknown): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw {
      code: OUT_OF_RANGE_CODE,
      message: `$${name}(${String(value)}): the number is not finite (a division by zero or an overflow), so there is nothing to format`,
    };
  }
}

export function formatBase(value: Num, radix?: number): string | undefined {
  if (value === undefined) return undefined;
  checkFinite('formatBase', value);
  const base = radix === undefined ? 10 : (round(radix) as number);
  if (base < 2 || base > 36) throw fail('D3100', { value: base });
  const whole = round(value) as number;
  // past 1e21 base 10 is "1e+21": the digits a double holds exactly, as the other bases give them
  return Math.abs(whole) >= 1e21 ? BigInt(whole).toString(base) : whole.toString(base);
}

export function boolean(arg: unknown): boolean | undefined {
  return toBoolean(arg);
}

export function not(arg: unknown): boolean | undefined {
  return arg === undefined ? undefined : !toBoolean(arg);
}

export function sum(args: number[] | undefined): Num {
  if (args === undefined) return undefined;
  let total = 0;
  args.forEach((num) => {
    total += num;
  });
  return total;
}

// One item at a time, not Math.max(...args): spreading an array passes each item as an argument
// on the stack, so a source array of some 120,000 numbers overflowed it ("Maximum call stack size
// exceeded") and a valid record was rejected. Math.max per pair keeps its answers (NaN, -0 < 0).
export function max(args: number[] | undefined): Num {
  return args === undefined || args.length === 0 ? undefined : args.reduce((best, n) => Math.max(best, n), -Infinity);
}

export function min(args: number[] | undefined): Num {
  return args === undefined || args.length === 0 ? undefined : args.reduce((best, n) => Math.min(best, n), Infinity);
}

export function average(args: number[] | undefined): Num {
  if (args === undefined || args.length === 0) return undefined;
  return (sum(args) as number) / args.length;
}

/**
 * jsonata's `$formatInteger` writes a roman numeral recursively, one call per letter, so
 * `$formatInteger(1e300, "I")` overflowed the stack ("Maximum call stack size exceeded"). Past
 * 3999 the numeral is a run of Ms then the numeral below 4000: only that part goes to jsonata.
 * (The output limit refuses numerals too long to make; see output-guards.ts.)
 */
export function boundedRoman(formatInteger: (value: number, picture: string) => unknown): (value: number, picture: string) => unknown {
  const wrapped = (value: number, picture: string): unknown => {
    if (typeof value !== 'number' || typeof picture !== 'string' || !isRomanPicture(picture)) return formatInteger(value, picture);
    const whole = Math.floor(value);
    const thousands = Math.floor(Math.abs(whole) / 1000) - 3;
    if (thousands <= 0) return formatInteger(value, picture);
    const rest = Math.sign(whole) * (Math.abs(whole) - thousands * 1000);
    const numeral = String(formatInteger(rest, picture));
    const sign = numeral.startsWith('-') ? '-' : '';
    return sign + (picture.startsWith('I') ? 'M' : 'm').repeat(thousands) + numeral.substring(sign.length);
  };
  standIn(wrapped, formatInteger);
  return wrapped;
}
