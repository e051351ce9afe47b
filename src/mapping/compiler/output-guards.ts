import { isPromise } from '../is-promise.js';
import { PICTURE_LIMIT, pictureTooLong, type OutputMeter } from '../budget.js';
import { integerPictureParts } from './integer-picture-parts.js';
import { jsonLowerBound } from '../json-size.js';
import { codePointLength } from './code-points.js';
import { standIn } from './stand-in.js';

/**
 * The built-ins whose result can be much larger than their arguments, guarded the same way in
 * compiled code and in the interpreter (which calls these wrappers in place of its own), so both
 * reject the same record with the same message. Where the size is known before the work (`$pad`'s
 * width, `$join`'s parts, a literal `$replace`, `$string`'s JSON), the call refuses before it
 * allocates; every guarded call then counts what it made against the output limit (budget.ts).
 * Built-ins that can only shrink their input are not guarded; those that copy an array are. `$uppercase` and
 * `$lowercase` are: a case mapping can make up to three units of one (ß → SS, ΐ → Ϊ́, İ → i̇), so
 * `$uppercase` of 60 million ß made 120 million characters that nothing counted.
 */

type Impl = (this: unknown, ...args: never[]) => unknown;

/**
 * A lower bound of the result's size (characters or items), known before the call; it may stop
 * counting past `left`. The call's first arguments come by position: no array of them per call.
 */
type Presize = (left: number, a: unknown, b: unknown, c: unknown, d: unknown) => number;

const presize: Record<string, Presize | null> = {
  pad: (_left, str, width) => (typeof str === 'string' && typeof width === 'number' ? Math.max(0, Math.abs(Math.trunc(width)) - codePointLength(str)) : 0),
  join: (_left, strs, separator) => joinedLength(strs, separator),
  replace: (_left, str, pattern, replacement, limit) => replacedLength(str, pattern, replacement, limit),
  string: (left, arg) => jsonLowerBound(arg, left),
  // jsonata's $clone is JSON.parse(JSON.stringify(arg)): a string held 3,000 times by reference
  // took 28 s and 3 GB before "Invalid string length" (interpreter only: compiled code defers it)
  clone: (left, arg) => jsonLowerBound(arg, left),
  formatInteger: (_left, value, picture) => romanLength(value, picture),
  uppercase: (left, str) => caseMappedLength(str, left, 'upper'),
  lowercase: (left, str) => caseMappedLength(str, left, 'lower'),
  formatNumber: null,
  formatBase: null,
  fromMillis: null,
  base64encode: null,
  base64decode: null,
  encodeUrl: null,
  encodeUrlComponent: null,
  // by "", one item per UTF-16 unit (as jsonata splits): refused before the array is made
  split: (_left, str, separator, limit) =>
    typeof str === 'string' && separator === '' ? Math.min(str.length, typeof limit === 'number' ? Math.max(0, Math.floor(limit)) : Infinity) : 0,
  append: null,
  lookup: null,
  spread: null,
  // an array per index of the shortest, of an item from each: 31 arrays of 16 million items made
  // 16 million arrays of 31 before anything counted them, and the process ran out of heap. Its
  // arrays are all its arguments, however many: sized in `guardOutput` (`zippedSize`).
  zip: null,
  // copies, a new array of their input's items each: uncounted, 40 × $count($reverse($a)) of 16
  // million items held 3 GB before the time limit stopped them
  reverse: (_left, array) => itemCount(array),
  // a copy, whose items it compares by their JSON: an item holding one object by reference many
  // times (folded 60 times, 2^60 values) is a few steps to build, and was walked without end
  distinct: (left, array) => (Array.isArray(array) && array.some(isStructure) ? jsonLowerBound(array, left) : itemCount(array)),
  sort: (_left, array) => itemCount(array),
  shuffle: (_left, array) => itemCount(array),
};

function isStructure(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function itemCount(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function zippedSize(arrays: ArrayLike<unknown>): number {
  let shortest = Infinity;
  for (let i = 0; i < arrays.length; i++) {
    const array = arrays[i];
    shortest = Math.min(shortest, Array.isArray(array) ? array.length : 0);
  }
  return shortest === Infinity ? 0 : shortest * (arrays.length + 1);
}

export const guardedNames: readonly string[] = Object.keys(presize);

export function isGuarded(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(presize, name);
}

/**
 * `impl` under the output limit: `meter` gives the meter of the evaluation calling it (`this` is
 * jsonata's focus in the interpreter). The wrapper keeps `impl`'s `length`, which jsonata reads as
 * the number of arguments a higher-order function passes.
 */
export function guardOutput<F extends Impl>(name: string, impl: F, meter: (self: unknown) => OutputMeter): F {
  const before = Object.prototype.hasOwnProperty.call(presize, name) ? presize[name] : null;
  const picture = name === 'formatNumber' || name === 'formatInteger';
  const call = impl as unknown as (this: unknown, ...a: unknown[]) => unknown;
  const label = `$${name}`;
  const zip = name === 'zip';
  // Its first four arguments by position, and `arguments` only past them ($zip): a rest array per
  // call of every guarded function ($lowercase, $split, … on every record) was 2.4% of an
  // import's allocation. `impl` gets exactly the arguments given, as many as there were.
  const guarded = function (this: unknown, a?: unknown, b?: unknown, c?: unknown, d?: unknown): unknown {
    if (picture && typeof b === 'string' && b.length > PICTURE_LIMIT) throw pictureTooLong(name, b.length);
    const m = meter(this);
    // eslint-disable-next-line prefer-rest-params -- $zip's arrays are all its arguments
    const size = zip ? zippedSize(arguments) : before ? before(m.left(), a, b, c, d) : 0;
    if (before || zip) m.room(size, label);
    const n = arguments.length;
    // eslint-disable-next-line prefer-rest-params -- `arguments` only past four: no array per common call
    const result = n <= 4 ? callGiven(call, this, n, a, b, c, d) : call.apply(this, arguments as unknown as unknown[]);
    // jsonata's `$split` and `$replace` are async (a matcher or replacement may be a function): what
    // they made was counted as a promise's, nothing, so the interpreter wrote `$split` of 60 million
    // characters into 60 million items that compiled code refused. A closure only then: one per
    // call of every guarded function was ~2% of an import's allocation.
    return isPromise(result) ? result.then((made) => counted(name, m, size, a, made)) : counted(name, m, size, a, result);
  };
  standIn(guarded, impl);
  return guarded as unknown as F;
}

/** `call` with its first `n` (at most four) arguments, no more: an implementation may count them. */
function callGiven(call: (this: unknown, ...a: unknown[]) => unknown, self: unknown, n: number, a: unknown, b: unknown, c: unknown, d: unknown): unknown {
  switch (n) {
    case 0:
      return call.call(self);
    case 1:
      return call.call(self, a);
    case 2:
      return call.call(self, a, b);
    case 3:
      return call.call(self, a, b, c);
    default:
      return call.call(self, a, b, c, d);
  }
}

/** Counts what a guarded call made against its evaluation's meter, and gives it back. */
function counted(name: string, m: OutputMeter, size: number, first: unknown, made: unknown): unknown {
  // `$string` of a string is the string itself (compiled code does not even call it); a clone
  // made as much as its JSON, though it is an object
  if (name === 'clone') m.add(size);
  else if (name !== 'string' || typeof first !== 'string') m.add(sizeOf(made));
  return made;
}

/** How many UTF-16 units each unit adds when case-mapped, by direction: computed once, from the runtime's own mapping. */
const caseGrowth: Partial<Record<'upper' | 'lower', Uint8Array>> = {};

function growthTable(direction: 'upper' | 'lower'): Uint8Array {
  let table = caseGrowth[direction];
  if (table === undefined) {
    table = new Uint8Array(0x10000);
    for (let unit = 0; unit < 0x10000; unit++) {
      const one = String.fromCharCode(unit);
      table[unit] = (direction === 'upper' ? one.toUpperCase() : one.toLowerCase()).length - 1;
    }
    caseGrowth[direction] = table;
  }
  return table;
}

/**
 * The length of `str` case-mapped: a mapping never shortens a string (no character maps to fewer
 * units; no astral character grows), so the length is a lower bound, exact unless `str` holds
 * growing characters. Only when even tripled it might not fit in `left` are they counted (a
 * table lookup per unit, stopping past `left`), so the call refuses before allocating.
 */
export function caseMappedLength(str: unknown, left: number, direction: 'upper' | 'lower'): number {
  if (typeof str !== 'string' || str.length * 3 <= left) return typeof str === 'string' ? str.length : 0;
  const table = growthTable(direction);
  let total = str.length;
  for (let i = 0; i < str.length && total <= left; i++) total += table[str.charCodeAt(i)]!;
  return total;
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return 0;
}

function joinedLength(strs: unknown, separator: unknown): number {
  if (!Array.isArray(strs) || strs.length === 0) return 0;
  let total = typeof separator === 'string' ? separator.length * (strs.length - 1) : 0;
  for (const s of strs) if (typeof s === 'string') total += s.length;
  return total;
}

/** A string pattern replaced by a string: the exact result length (regexes and functions are counted after). */
function replacedLength(str: unknown, pattern: unknown, replacement: unknown, limit: unknown): number {
  if (typeof str !== 'string' || typeof pattern !== 'string' || pattern === '' || typeof replacement !== 'string') return 0;
  const most = typeof limit === 'number' ? limit : Infinity;
  let count = 0;
  for (let at = str.indexOf(pattern); at !== -1 && count < most; at = str.indexOf(pattern, at + pattern.length)) count++;
  return str.length + count * (replacement.length - pattern.length);
}

/** A roman numeral has one M per thousand (jsonata recurses once per letter, so a large one overflowed the stack). */
function romanLength(value: unknown, picture: unknown): number {
  if (typeof value !== 'number' || typeof picture !== 'string' || !isRomanPicture(picture)) return 0;
  return Math.floor(Math.abs(Math.floor(value)) / 1000);
}

export function isRomanPicture(picture: string): boolean {
  const { primary } = integerPictureParts(picture);
  return primary === 'I' || primary === 'i';
}
