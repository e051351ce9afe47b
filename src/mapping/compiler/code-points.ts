/**
 * JSONata counts strings in code points (its `stringToArray` is `Array.from`). Spreading a string
 * into an array costs a slot per character, and past ~134 million V8 aborts the whole process
 * (`Runtime_GrowArrayElements`), so these walk the UTF-16 units instead: no allocation but the
 * result. A lone surrogate counts as one code point, as it does for `Array.from`.
 */

function isPairAt(str: string, i: number): boolean {
  const high = str.charCodeAt(i);
  if (high < 0xd800 || high > 0xdbff || i + 1 >= str.length) return false;
  const low = str.charCodeAt(i + 1);
  return low >= 0xdc00 && low <= 0xdfff;
}

export function codePointLength(str: string): number {
  let count = 0;
  for (let i = 0; i < str.length; i++, count++) if (isPairAt(str, i)) i++;
  return count;
}

/** The UTF-16 offset of code point `index` (0 ≤ index ≤ the code point length). */
function unitOffset(str: string, index: number): number {
  let i = 0;
  for (let n = 0; n < index && i < str.length; n++) i += isPairAt(str, i) ? 2 : 1;
  return i;
}

/** `Array.prototype.slice`'s index rule: integer part, negative from the end, clamped to [0, length]. */
function clampIndex(index: number, length: number): number {
  const integer = Number.isNaN(index) ? 0 : Math.trunc(index);
  if (integer < 0) return Math.max(length + integer, 0);
  return Math.min(integer, length);
}

/** `Array.from(str).slice(start, end).join('')` without the array. */
export function sliceCodePoints(str: string, start: number, end?: number): string {
  const length = codePointLength(str);
  const from = clampIndex(start, length);
  const to = end === undefined ? length : clampIndex(end, length);
  if (to <= from) return '';
  const begin = unitOffset(str, from);
  return str.substring(begin, begin + unitOffset(str.substring(begin), to - from));
}
