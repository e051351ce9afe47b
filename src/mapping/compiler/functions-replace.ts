import { deferral, fail } from './errors.js';
import { type MatchResult, matchAll } from './regex.js';

/** `$replace`, ported from jsonata: string patterns replace literally, regex ones expand `$n`. */
export function replace(str: string | undefined, pattern: unknown, replacement: unknown, limit?: number): string | undefined {
  if (str === undefined) return undefined;
  if (pattern === '') throw fail('D3010', { value: pattern, index: 2 });
  if ((limit as number) < 0) throw fail('D3011', { value: limit, index: 4 });
  if (!(limit === undefined || limit > 0)) return str;
  if (typeof pattern === 'string') {
    // jsonata would splice the function's source text in: not worth imitating.
    if (typeof replacement !== 'string') throw deferral('$replace with a string pattern and a function');
    return replaceString(str, pattern, replacement, limit);
  }
  const replacer = typeof replacement === 'string' ? expander(replacement) : replacement;
  let result = '';
  let position = 0;
  let matched = false;
  for (const found of matchAll(pattern, str, limit)) {
    matched = true;
    result += str.substring(position, found.start);
    const replacedWith = callReplacer(replacer, found);
    if (typeof replacedWith !== 'string') throw fail('D3012', { value: replacedWith });
    result += replacedWith;
    position = found.start + found.match.length;
  }
  return matched ? result + str.substring(position) : str;
}

function replaceString(str: string, pattern: string, replacement: string, limit?: number): string {
  let result = '';
  let position = 0;
  let count = 0;
  let index = str.indexOf(pattern, position);
  while (index !== -1 && (limit === undefined || count < limit)) {
    result += str.substring(position, index);
    result += replacement;
    position = index + pattern.length;
    count++;
    index = str.indexOf(pattern, position);
  }
  return result + str.substring(position);
}

function callReplacer(replacer: unknown, found: MatchResult): unknown {
  if (typeof replacer !== 'function') throw fail('T1006', {});
  return (replacer as (context: unknown, match: MatchResult) => unknown)(null, found);
}

/** The substitution string: `$$` is a dollar, `$0` the match, `$n` a group (longest that exists). */
function expander(replacement: string): (context: unknown, match: MatchResult) => string {
  return (_context, regexMatch) => {
    let substitute = '';
    let position = 0;
    let index = replacement.indexOf('$', position);
    while (index !== -1 && position < replacement.length) {
      substitute += replacement.substring(position, index);
      position = index + 1;
      const dollarVal = replacement.charAt(position);
      if (dollarVal === '$') {
        substitute += '$';
        position++;
      } else if (dollarVal === '0') {
        substitute += regexMatch.match;
        position++;
      } else {
        [substitute, position] = groupReference(replacement, position, regexMatch, substitute);
      }
      index = replacement.indexOf('$', position);
    }
    return substitute + replacement.substring(position);
  };
}

function groupReference(replacement: string, position: number, regexMatch: MatchResult, substitute: string): [string, number] {
  const groups = regexMatch.groups;
  const maxDigits = groups.length === 0 ? 1 : Math.floor(Math.log(groups.length) * Math.LOG10E) + 1;
  let index = parseInt(replacement.substring(position, position + maxDigits), 10);
  if (maxDigits > 1 && index > groups.length) index = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
  if (Number.isNaN(index)) return [substitute + '$', position];
  const submatch = groups.length > 0 ? groups[index - 1] : undefined;
  return [substitute + (submatch ?? ''), position + index.toString().length];
}
