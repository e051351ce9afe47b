import type { Implementation, Signature } from './compiler/borrowed.js';
import { standIn } from './compiler/stand-in.js';

/**
 * A built-in whose arguments are checked against its signature when it is called through a partial
 * application (`$reverse(?)`). jsonata checks a call's arguments only where it calls a function
 * directly: the lambda a partial application makes passes them as they are, so
 * `($f := $reverse(?); $f(1))` wrote `[null]` (`$reverse(1)` is `[1]`) and `$decodeUrl(?)` of an
 * array wrote "3,1,2" (a T0410 called directly). jsonata calls a built-in with a `this` that has no
 * `input` there only (its `applyNativeFunction`), so only those calls are checked here, by the
 * signature a direct call is checked by, and an error names the built-in as a direct call's does.
 * `count`, when given, sees every call's arguments before it runs (interpreter-functions.ts).
 */
export function partialChecked(name: string, impl: Implementation, signature: Signature, count?: (self: unknown, args: unknown[]) => void): Implementation {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    count?.(this, args);
    let checked = args;
    if (typeof this === 'object' && this !== null && !('input' in this)) {
      try {
        checked = signature.validate(args, undefined);
      } catch (err) {
        if (typeof err === 'object' && err !== null && (err as { token?: unknown }).token === undefined) (err as { token?: unknown }).token = name;
        throw err;
      }
    }
    return impl.apply(this, checked);
  };
  return standIn(wrapped, impl);
}
