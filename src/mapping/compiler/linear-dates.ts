import { LinearRegExp } from '../linear-regex.js';
import { boundedRoman } from './functions-numeric.js';

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
      } catch {
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
 * interpreter alike: a roman `$formatInteger` recursed once per letter (a stack overflow), and
 * `$toMillis` matched on V8's backtracking engine (above).
 */
export function safeBorrowed<F extends Impl>(name: string, impl: F): F {
  if (name === 'formatInteger') return boundedRoman(impl as unknown as (value: number, picture: string) => unknown) as unknown as F;
  if (name === 'toMillis') return withLinearRegExp(impl);
  return impl;
}
