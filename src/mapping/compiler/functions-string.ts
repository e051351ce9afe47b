import { fail } from './errors.js';
import { type Matcher, firstMatch, matchAll, nextMatch } from './regex.js';
import { newSeq } from './sequence.js';
import { codePointLength, sliceCodePoints } from './code-points.js';
import { toStr } from './values.js';
import { lowerCased } from '../../validation/text.js';

/**
 * String built-ins, ported from jsonata's `functions.js`. Arguments arrive already validated
 * against the function's signature, so types are as the signature promises.
 */

type Str = string | undefined;

export function string(arg: unknown, prettify?: unknown): Str {
  return toStr(arg, prettify === true);
}

export function substring(str: Str, start: number, length?: number): Str {
  if (str === undefined) return undefined;
  const count = codePointLength(str);
  const from = count + start < 0 ? 0 : start;
  if (length !== undefined) {
    if (length <= 0) return '';
    const end = from >= 0 ? from + length : count + from + length;
    return sliceCodePoints(str, from, end);
  }
  return sliceCodePoints(str, from);
}

export function substringBefore(str: Str, chars: string): Str {
  if (str === undefined) return undefined;
  const pos = str.indexOf(chars);
  return pos > -1 ? str.substring(0, pos) : str;
}

export function substringAfter(str: Str, chars: string): Str {
  if (str === undefined) return undefined;
  const pos = str.indexOf(chars);
  return pos > -1 ? str.substring(pos + chars.length) : str;
}

export function lowercase(str: Str): Str {
  return str === undefined ? undefined : lowerCased(str);
}

export function uppercase(str: Str): Str {
  return str === undefined ? undefined : str.toUpperCase();
}

export function length(str: Str): number | undefined {
  return str === undefined ? undefined : codePointLength(str);
}

/** Collapses runs of space, tab, CR and LF (only those) and strips one at each end. */
export function trim(str: Str): Str {
  if (str === undefined) return undefined;
  let result = str.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') result = result.substring(1);
  if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
  return result;
}

export function pad(str: Str, width: number, char?: string): Str {
  if (str === undefined) return undefined;
  const fill = char === undefined || char.length === 0 ? ' ' : char;
  const target = Math.trunc(width);
  const padLength = Math.abs(target) - (length(str) as number);
  if (!(padLength > 0)) return str;
  // jsonata repeats the fill padLength times, then keeps padLength code points of it; fewer
  // copies do (one code point each may merge with the next copy's into a surrogate pair)
  const fillLength = codePointLength(fill);
  let padding = fill.repeat(Math.ceil(padLength / Math.max(1, fillLength - 1)));
  if (fillLength > 1) padding = sliceCodePoints(padding, 0, padLength);
  return target > 0 ? str + padding : padding + str;
}

export function contains(str: Str, token: string | Matcher | undefined): boolean | undefined {
  if (str === undefined || token === undefined) return undefined;
  if (typeof token === 'string') return str.indexOf(token) !== -1;
  return firstMatch(token, str) !== undefined;
}

export function split(str: Str, separator: string | Matcher, limit?: number): string[] | undefined {
  if (str === undefined) return undefined;
  if ((limit as number) < 0) throw fail('D3020', { value: limit, index: 3 });
  if (!(limit === undefined || limit > 0)) return [];
  if (typeof separator === 'string') return str.split(separator, limit);
  const result: string[] = [];
  let match = firstMatch(separator, str);
  if (match === undefined) return [str];
  let start = 0;
  let count = 0;
  while (match !== undefined && (limit === undefined || count < limit)) {
    result.push(str.substring(start, match.start));
    start = match.end;
    match = nextMatch(match);
    count++;
  }
  if (limit === undefined || count < limit) result.push(str.substring(start));
  return result;
}

export function join(strs: string[] | undefined, separator?: string): Str {
  if (strs === undefined) return undefined;
  return strs.join(separator === undefined ? '' : separator);
}

export function match(str: Str, matcher: Matcher, limit?: number): unknown[] | undefined {
  if (str === undefined) return undefined;
  if ((limit as number) < 0) throw fail('D3040', { value: limit, index: 3 });
  const result = newSeq();
  if (limit !== undefined && !(limit > 0)) return result;
  for (const found of matchAll(matcher, str, limit)) result.push({ match: found.match, index: found.start, groups: found.groups });
  return result;
}

function urlCodec(name: string, codec: (s: string) => string): (str: Str) => Str {
  return (str) => {
    if (str === undefined) return undefined;
    try {
      return codec(str);
    } catch {
      throw fail('D3140', { value: str, functionName: name });
    }
  };
}

export const encodeUrlComponent = urlCodec('encodeUrlComponent', encodeURIComponent);
export const encodeUrl = urlCodec('encodeUrl', encodeURI);
export const decodeUrlComponent = urlCodec('decodeUrlComponent', decodeURIComponent);
export const decodeUrl = urlCodec('decodeUrl', decodeURI);
