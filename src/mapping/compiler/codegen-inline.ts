import { rt } from './codegen-types.js';
import type { Emitter } from './emitter.js';

/**
 * Fast paths for the hottest built-ins: when the arguments already have the types the signature
 * asks for (so validation would pass them unchanged and no context is substituted), the
 * implementation runs inline; anything else takes the full validated call.
 */
interface InlineBuiltin {
  /** Argument types for the fast path: `s` string, `n` number, `x` anything. */
  types: string[];
  code: (args: string[]) => string;
}

const inline: Record<string, InlineBuiltin[]> = {
  lowercase: [{ types: ['s'], code: ([a]) => `${rt('lowercase')}(${read(a)})` }],
  uppercase: [{ types: ['s'], code: ([a]) => `${rt('uppercase')}(${read(a)})` }],
  trim: [{ types: ['s'], code: ([a]) => `${rt('trimString')}(${read(a)})` }],
  length: [{ types: ['s'], code: ([a]) => `${rt('stringLength')}(${read(a)})` }],
  string: [{ types: ['s'], code: ([a]) => `${a}` }],
  substringBefore: [{ types: ['s', 's'], code: ([a, b]) => `${rt('substringBefore')}(${read(a)}, ${b})` }],
  substringAfter: [{ types: ['s', 's'], code: ([a, b]) => `${rt('substringAfter')}(${read(a)}, ${b})` }],
  contains: [{ types: ['s', 's'], code: ([a, b]) => `((${read(a)}).indexOf(${b}) !== -1)` }],
  substring: [
    { types: ['s', 'n'], code: ([a, b]) => `${rt('substring')}(${read(a)}, ${b})` },
    { types: ['s', 'n', 'n'], code: ([a, b, c]) => `${rt('substring')}(${read(a)}, ${b}, ${c})` },
  ],
  // `x` arguments: these give the same answer on anything jsonata would wrap as a function
  exists: [{ types: ['x'], code: ([a]) => `(${a} !== undefined)` }],
  boolean: [{ types: ['x'], code: ([a]) => `${rt('toBoolean')}(${a})` }],
};

/**
 * The string argument, counted as read (budget.ts `chargeWork`): these run in time linear in it,
 * and a list or loop of them on a long string ran far past the time limit.
 */
function read(arg: string | undefined): string {
  return `${rt('readString')}(${String(arg)})`;
}

function guard(type: string, arg: string): string | null {
  if (type === 's') return `typeof ${arg} === 'string'`;
  if (type === 'n') return `typeof ${arg} === 'number'`;
  return null;
}

/**
 * `const t = <guards> ? <inline> : norm(callBuiltin(…))`, or null when `name` has no fast path
 * for this many arguments.
 */
export function genInlineCall(e: Emitter, name: string, fn: string, context: string, args: string[]): string | null {
  const variant = Object.prototype.hasOwnProperty.call(inline, name) ? inline[name]?.find((candidate) => candidate.types.length === args.length) : undefined;
  if (variant === undefined) return null;
  const slow = `${rt('norm')}(${rt('callBuiltin')}(${fn}, ${context}, [${args.join(', ')}]))`;
  const guards = variant.types.map((type, i) => guard(type, args[i] as string)).filter((g): g is string => g !== null);
  if (guards.length === 0) return e.let(variant.code(args));
  return e.let(`${guards.join(' && ')} ? ${variant.code(args)} : ${slow}`);
}
