import { LinearRegExp, RegexTooLarge } from '../linear-regex.js';
import { standIn } from './stand-in.js';

type Impl = (this: unknown, ...args: never[]) => unknown;

/**
 * `$toMillis` with a picture matches the timestamp against a regex jsonata builds from the picture
 * and runs with `new RegExp`. Components the picture leaves ambiguous (`[Y]1[M]1[D]1[H]1…`: digits
 * on both sides of a literal digit) made V8 backtrack exponentially: a 50-character timestamp held
 * a record for minutes, past every budget, since one regex match cannot be interrupted. The call
 * runs with the global RegExp constructor standing for the linear-time engine (a pattern it cannot
 * compile keeps V8's). The swap is synchronous: nothing else runs until it is undone. `made` is
 * handed each regex the call makes (date-pictures.ts reads again the parts jsonata matched).
 */
export function withLinearRegExp<F extends Impl>(impl: F, made?: (regex: RegExp) => void): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const native = globalThis.RegExp;
    globalThis.RegExp = function (pattern: string | RegExp, flags?: string) {
      let regex: RegExp;
      try {
        regex = new LinearRegExp(pattern, flags) as unknown as RegExp;
      } catch (err) {
        // too large a picture's regex would be as slow on V8's engine, or slower
        if (err instanceof RegexTooLarge) throw err;
        regex = new native(pattern, flags);
      }
      made?.(regex);
      return regex;
    } as unknown as RegExpConstructor;
    try {
      return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).apply(this, args);
    } finally {
      globalThis.RegExp = native;
    }
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}
