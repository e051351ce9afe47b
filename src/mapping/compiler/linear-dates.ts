import { LinearRegExp, RegexTooLarge } from '../linear-regex.js';
import { OUT_OF_RANGE_CODE, boundedRoman, checkFinite } from './functions-numeric.js';

type Impl = (this: unknown, ...args: never[]) => unknown;

/**
 * `$toMillis` with a picture matches the timestamp against a regex jsonata builds from the picture
 * and runs with `new RegExp`. Components the picture leaves ambiguous (`[Y]1[M]1[D]1[H]1…`: digits
 * on both sides of a literal digit) made V8 backtrack exponentially: a 50-character timestamp held
 * a record for minutes, past every budget, since one regex match cannot be interrupted. The call
 * runs with the global RegExp constructor standing for the linear-time engine (a pattern it cannot
 * compile keeps V8's). The swap is synchronous: nothing else runs until it is undone.
 */
export function withLinearRegExp<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const native = globalThis.RegExp;
    globalThis.RegExp = function (pattern: string | RegExp, flags?: string) {
      try {
        return new LinearRegExp(pattern, flags);
      } catch (err) {
        // too large a picture's regex would be as slow on V8's engine, or slower
        if (err instanceof RegexTooLarge) throw err;
        return new native(pattern, flags);
      }
    } as unknown as RegExpConstructor;
    try {
      return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).apply(this, args);
    } finally {
      globalThis.RegExp = native;
    }
  };
  Object.defineProperty(wrapped, 'length', { value: impl.length });
  return wrapped as unknown as F;
}

/**
 * A borrowed jsonata built-in made safe where jsonata's is not, for compiled code and the
 * interpreter alike: a roman `$formatInteger` recursed once per letter (a stack overflow),
 * `$toMillis` matched on V8's backtracking engine (above), and `$fromMillis` of an instant no
 * Date holds wrote "0NaN-NaN-NaNTNaN:NaN:NaN.NaNZ" as the column's value; and the formatters
 * of a number that is not finite (functions-numeric.ts `checkFinite`).
 */
export function safeBorrowed<F extends Impl>(name: string, impl: F): F {
  if (name === 'formatInteger') return finiteNumber(name, boundedRoman(impl as unknown as (value: number, picture: string) => unknown) as unknown as F);
  if (name === 'toMillis') return withLinearRegExp(impl);
  if (name === 'fromMillis') return representableMillis(impl);
  if (name === 'formatNumber' || name === 'formatBase') return finiteNumber(name, impl);
  return impl;
}

function finiteNumber<F extends Impl>(name: string, impl: F): F {
  const wrapped = function (this: unknown, value: unknown, ...rest: unknown[]): unknown {
    checkFinite(name, value);
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, value, ...rest);
  };
  Object.defineProperty(wrapped, 'length', { value: impl.length });
  return wrapped as unknown as F;
}

/** The most milliseconds from 1970 a JavaScript Date holds, either way (about 275,000 years). */
const MAX_MILLIS = 8.64e15;
/** Years 0000 and 9999: jsonata's default picture writes the year's last four digits, so 10000-01-01 came out as 0000-01-01. */
const FIRST_ISO = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_ISO = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function representableMillis<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, millis: unknown, ...rest: unknown[]): unknown {
    if (typeof millis === 'number') {
      if (!(Math.abs(millis) <= MAX_MILLIS)) {
        throw { code: OUT_OF_RANGE_CODE, message: `$fromMillis(${String(millis)}): no date is that many milliseconds from 1970 (at most ±8.64e15)` };
      }
      if (rest[0] === undefined && (millis < FIRST_ISO || millis > LAST_ISO)) {
        const message = `$fromMillis(${String(millis)}): the instant is outside the years 0000–9999, which an ISO timestamp writes in four digits (give a picture to format it)`;
        throw { code: OUT_OF_RANGE_CODE, message };
      }
    }
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, millis, ...rest);
  };
  Object.defineProperty(wrapped, 'length', { value: impl.length });
  return wrapped as unknown as F;
}
