import { checkClock } from '../budget.js';
import { LinearRegExp } from '../linear-regex.js';
import { deferral, fail } from './errors.js';

/**
 * Regular expression literals (`/ab+/i`), ported from jsonata's `evaluateRegex`: a literal
 * evaluates to a matcher function returning `{match, start, end, groups, next}`. Matchers follow
 * the calling convention of compiled functions (context first), so they can travel as values.
 */

export interface MatchResult {
  match: string;
  start: number;
  end: number;
  groups: (string | undefined)[];
  next: () => MatchResult | undefined;
}

export type Matcher = ((context: unknown, str: string, fromIndex?: number) => MatchResult | undefined) & {
  arity: number;
  regexMatcher: true;
};

/** A fresh matcher per evaluation, as the interpreter builds a new regex each time; linear-time (see linear-regex.ts). */
export function regexMatcher(source: string, flags: string): Matcher {
  const re = new LinearRegExp(source, flags, checkClock);
  const closure = (_context: unknown, str: string, fromIndex?: number): MatchResult | undefined => {
    re.lastIndex = fromIndex || 0;
    const found = re.exec(str);
    if (found === null) return undefined;
    const result: MatchResult = {
      match: found[0],
      start: found.index,
      end: found.index + found[0].length,
      groups: found.slice(1),
      next: () => {
        if (re.lastIndex >= str.length) return undefined;
        const next = closure(undefined, str, re.lastIndex);
        if (next && next.match === '') throw fail('D1004', { value: source });
        return next;
      },
    };
    return result;
  };
  return Object.assign(closure, { arity: 2, regexMatcher: true as const });
}

/** `evaluateMatcher(matcher, str)`; user functions as matchers are left to the interpreter. */
export function firstMatch(matcher: unknown, str: string): MatchResult | undefined {
  if (typeof matcher !== 'function' || (matcher as Partial<Matcher>).regexMatcher !== true) {
    throw deferral('a function other than a regex used as a matcher');
  }
  return (matcher as Matcher)(undefined, str);
}

export function nextMatch(previous: MatchResult): MatchResult | undefined {
  return previous.next();
}

/** Successive matches, at most `limit` of them. */
export function* matchAll(matcher: unknown, str: string, limit?: number): Generator<MatchResult> {
  let found = firstMatch(matcher, str);
  let count = 0;
  while (found !== undefined && (limit === undefined || count < limit)) {
    yield found;
    found = nextMatch(found);
    count++;
  }
}
