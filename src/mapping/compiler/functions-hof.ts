import { chargeWork } from '../budget.js';
import { fail } from './errors.js';
import { newSeq } from './sequence.js';
import { type CompiledLambda, type Dict, isArrayOfNumbers, isArrayOfStrings, objectKeys, toBoolean } from './values.js';

/**
 * Higher-order built-ins, ported from jsonata's `functions.js`. Function arguments are compiled
 * functions (context first, then parameters); like the interpreter, they receive only as many of
 * (value, index/key, whole) as their arity asks for.
 */

type Fn = CompiledLambda;

function arity(func: Fn): number {
  return typeof func.arity === 'number' ? func.arity : func.length - 1;
}

function callWith(func: Fn, value: unknown, position: unknown, whole: unknown): unknown {
  const n = arity(func);
  if (n >= 3) return func(null, value, position, whole);
  if (n >= 2) return func(null, value, position);
  return func(null, value);
}

export function map(arr: unknown[] | undefined, func: Fn): unknown[] | undefined {
  if (arr === undefined) return undefined;
  const result = newSeq();
  for (let i = 0; i < arr.length; i++) {
    const res = callWith(func, arr[i], i, arr);
    if (res !== undefined) result.push(res);
  }
  return result;
}

export function filter(arr: unknown[] | undefined, func: Fn): unknown[] | undefined {
  if (arr === undefined) return undefined;
  const result = newSeq();
  for (let i = 0; i < arr.length; i++) {
    if (toBoolean(callWith(func, arr[i], i, arr))) result.push(arr[i]);
  }
  return result;
}

export function single(arr: unknown[] | undefined, func?: Fn): unknown {
  if (arr === undefined) return undefined;
  let found = false;
  let result: unknown;
  for (let i = 0; i < arr.length; i++) {
    const positive = func === undefined ? true : toBoolean(callWith(func, arr[i], i, arr));
    if (!positive) continue;
    if (found) throw fail('D3138', { index: i });
    result = arr[i];
    found = true;
  }
  if (!found) throw fail('D3139');
  return result;
}

export function reduce(sequence: unknown[] | undefined, func: Fn, init?: unknown): unknown {
  if (sequence === undefined) return undefined;
  const n = arity(func);
  if (n < 2) throw fail('D3050', { index: 1 });
  let result: unknown;
  let index: number;
  if (init === undefined && sequence.length > 0) {
    result = sequence[0];
    index = 1;
  } else {
    result = init;
    index = 0;
  }
  for (; index < sequence.length; index++) {
    if (n >= 4) result = func(null, result, sequence[index], index, sequence);
    else if (n >= 3) result = func(null, result, sequence[index], index);
    else result = func(null, result, sequence[index]);
  }
  return result;
}

export function sift(arg: unknown, func: Fn): Dict | undefined {
  const result: Dict = Object.create(null) as Dict;
  for (const key of objectKeys(arg)) {
    const entry = (arg as Dict)[key];
    if (toBoolean(callWith(func, entry, key, arg))) result[key] = entry;
  }
  return objectKeys(result).length === 0 ? undefined : result;
}

export function each(obj: unknown, func: Fn): unknown[] {
  const result = newSeq();
  for (const key of objectKeys(obj)) {
    const val = callWith(func, (obj as Dict)[key], key, obj);
    if (val !== undefined) result.push(val);
  }
  return result;
}

/** Stable merge sort; the comparator answers "should b come before a". */
export function sort(arr: unknown[] | undefined, comparator?: Fn): unknown[] | undefined {
  return sortCounted(arr, comparator, chargeWork);
}

/**
 * `sort`, counting its work with `charge` (the interpreter's `$sort` passes its evaluation's
 * counter, budget.ts `workCounter`): a sort without a comparator calls no function that counts a
 * step, and 16 million items took 17 s in one call, where the time limit is 2 s.
 */
export function sortCounted(arr: unknown[] | undefined, comparator: Fn | undefined, charge: (n: number) => void): unknown[] | undefined {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  let comp: (a: unknown, b: unknown) => unknown;
  if (comparator === undefined) {
    if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw fail('D3070', { index: 1 });
    comp = (a, b) => (a as number) > (b as number);
  } else {
    comp = (a, b) => comparator(null, a, b);
  }
  return mergeSort(arr, comp, charge);
}

/** Each merge counts the items it merges with `charge`, so the clock is read as the sort goes. */
export function mergeSort(array: unknown[], comp: (a: unknown, b: unknown) => unknown, charge: (n: number) => void = chargeWork): unknown[] {
  if (array.length <= 1) return array;
  charge(array.length);
  const middle = Math.floor(array.length / 2);
  const left = mergeSort(array.slice(0, middle), comp, charge);
  const right = mergeSort(array.slice(middle), comp, charge);
  const merged: unknown[] = [];
  let l = 0;
  let r = 0;
  while (l < left.length && r < right.length) {
    if (comp(left[l], right[r])) merged.push(right[r++]);
    else merged.push(left[l++]);
  }
  while (l < left.length) merged.push(left[l++]);
  while (r < right.length) merged.push(right[r++]);
  return merged;
}

/** One order-by term: undefined sorts last; strings and numbers only, never mixed (T2008/T2007). */
export function orderTerms(aa: unknown, bb: unknown, descending: boolean): number {
  const atype = typeof aa;
  const btype = typeof bb;
  if (atype === 'undefined') return btype === 'undefined' ? 0 : 1;
  if (btype === 'undefined') return -1;
  if (!(atype === 'string' || atype === 'number') || !(btype === 'string' || btype === 'number')) {
    throw fail('T2008', { value: !(atype === 'string' || atype === 'number') ? aa : bb });
  }
  if (atype !== btype) throw fail('T2007', { value: aa, value2: bb });
  if (aa === bb) return 0;
  const comp = (aa as string | number) < (bb as string | number) ? -1 : 1;
  return descending ? -comp : comp;
}

export function sortSequence(input: unknown[], comparator: (a: unknown, b: unknown) => boolean): unknown[] {
  return input.length <= 1 ? input : mergeSort(input, comparator);
}
