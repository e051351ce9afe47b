import { SEQUENCE_LIMIT, chargeWork, tick } from '../budget.js';
import { fail } from './errors.js';
import { type Dict, type Seq, isArrayOfNumbers, isFunction, isNumeric, isSequence, own, toBoolean } from './values.js';

/**
 * Sequence semantics of the interpreter (`evaluate`, `evaluatePath`, `evaluateStep`,
 * `evaluateFilter`, `fn.lookup`, `fn.append`), ported as synchronous helpers. Arrays carry the
 * same marker flags as in jsonata, because later steps behave differently on sequences, raw
 * arrays and constructed (`cons`) arrays.
 */

export function newSeq(): Seq {
  const seq: Seq = [];
  seq.sequence = true;
  return seq;
}

/** `createSequence(value)`: a one-item sequence, even when the value is undefined. */
export function seq1(value: unknown): Seq {
  const seq = newSeq();
  seq.push(value);
  return seq;
}

/** The interpreter wraps an array input so that it is treated as one value. */
export function outerWrap(input: unknown[]): Seq {
  const seq = seq1(input);
  seq.outerWrapper = true;
  return seq;
}

/** The evaluation input: an array (not a sequence) is wrapped, as `evaluate()` does. */
export function wrapInput(input: unknown): unknown {
  return Array.isArray(input) && !isSequence(input) ? outerWrap(input) : input;
}

export function asSeq(input: unknown): unknown[] {
  return Array.isArray(input) ? input : seq1(input);
}

/** `$`: the context value, unwrapped from the outer wrapper. */
export function contextValue(input: unknown): unknown {
  return typeof input === 'object' && input !== null && (input as Seq).outerWrapper ? (input as Seq)[0] : input;
}

/** The tail of `evaluate()`: empty sequence → undefined, singleton → its item (unless kept). */
export function norm(result: unknown): unknown {
  if (!result || !isSequence(result)) return result;
  if (result.length === 0) return undefined;
  if (result.length === 1) return result.keepSingleton ? result : result[0];
  return result;
}

/** `norm` for a node flagged `keepArray` (`a[]`): the sequence is marked to stay an array. */
export function normKeep(result: unknown): unknown {
  if (!result || !isSequence(result)) return result;
  result.keepSingleton = true;
  return result.length === 0 ? undefined : result;
}

export function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = newSeq();
    for (let i = 0; i < input.length; i++) {
      const res = lookup(input[i], key);
      if (res === undefined) continue;
      // what nested arrays copy up, level by level, counts as work on the clock: arrays that hold
      // one array by reference many times (folded 60 times) were looked through without end
      chargeWork(Array.isArray(res) ? res.length : 1);
      growBy(result, Array.isArray(res) ? res.length : 1, SEQUENCE_LIMIT);
      if (Array.isArray(res)) res.forEach((val) => result.push(val));
      else result.push(res);
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && own(input, key) && !isFunction(input)) return (input as Dict)[key];
  return undefined;
}

/** A non-array object jsonata does not take for a function: names look up its own properties. */
export function isRecord(input: unknown): boolean {
  return input !== null && typeof input === 'object' && !Array.isArray(input) && !isFunction(input);
}

/**
 * A record whose property reads can only see its own properties or `Object.prototype`'s (its
 * prototype is `Object.prototype` or null). For such a record, a read that yields a string,
 * number or boolean is an own property unless `Object.prototype` has that key — whose standard
 * members are all functions or objects, and which generated code checks at each read anyway.
 * This replaces a `hasOwnProperty` call per field, the largest cost of a simple mapping.
 */
export function isPlainRecord(input: unknown): boolean {
  if (!isRecord(input)) return false;
  const proto: unknown = Object.getPrototypeOf(input);
  return proto === null || proto === Object.prototype;
}

export const ObjectPrototype: Readonly<Record<string, unknown>> = Object.prototype as Record<string, unknown>;

/** A path of one name step, fully evaluated; the common case (an object input) is a single lookup. */
export function field(input: unknown, key: string): unknown {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    if (!own(input, key) || isFunction(input)) return undefined;
    const value = (input as Dict)[key];
    if (!Array.isArray(value) || (value as Seq).sequence !== true) return value;
  }
  return norm(namePath(input, [key]));
}

/** `evaluatePath` for steps that are all plain names; returns the raw result sequence. */
export function namePath(input: unknown, keys: readonly string[]): unknown[] {
  let seq = asSeq(input);
  let result: unknown[] = seq;
  for (let i = 0; i < keys.length; i++) {
    const out = newSeq();
    const key = keys[i] as string;
    for (let k = 0; k < seq.length; k++) {
      const res = norm(lookup(seq[k], key));
      if (res !== undefined) out.push(res);
    }
    result = stepResult(out, i === keys.length - 1);
    if (result.length === 0) break;
    seq = result;
  }
  return result;
}

/** The end of `evaluateStep`: keep a lone raw array on the last step, else flatten one level. */
export function stepResult(out: unknown[], lastStep: boolean): unknown[] {
  const first = out[0];
  if (lastStep && out.length === 1 && Array.isArray(first) && !isSequence(first)) return first;
  const result = newSeq();
  for (let i = 0; i < out.length; i++) {
    const res = out[i];
    if (!Array.isArray(res) || (res as Seq).cons) {
      growBy(result, 1, SEQUENCE_LIMIT);
      result.push(res);
    } else {
      growBy(result, res.length, SEQUENCE_LIMIT);
      res.forEach((val) => result.push(val));
    }
  }
  return result;
}

/**
 * jsonata's `sequence` option: a sequence may not grow past SEQUENCE_LIMIT (D2015). The
 * interpreter names the limit when a push overflows it and the size when `$append` would.
 */
function growBy(target: unknown[], n: number, shown: number | null): void {
  const size = target.length + n;
  if (size > SEQUENCE_LIMIT) throw fail('D2015', { value: shown ?? size });
}

/** `evaluatePath` with `keepSingletonArray` (`a[]` somewhere in the path). */
export function keepSingletonPath(result: unknown[]): unknown[] {
  let kept = result as Seq;
  if (kept.cons && !kept.sequence) kept = seq1(kept) as Seq;
  kept.keepSingleton = true;
  return kept;
}

/** Array constructor item: nested constructors are kept whole, anything else is appended. */
export function appendInto(target: unknown[], value: unknown): void {
  growBy(target, Array.isArray(value) ? value.length : 1, null);
  if (Array.isArray(value)) value.forEach((val) => target.push(val));
  else target.push(value);
}

export function markCons(array: unknown[]): unknown[] {
  Object.defineProperty(array, 'cons', { enumerable: false, configurable: false, value: true });
  return array;
}

/**
 * `data = append(data, value)` for a loop that keeps appending to its own result, in linear time:
 * the first append that copies makes an array the loop owns (`owned`), and later values are pushed
 * into it, as a copy would hold them. jsonata's loops copy each time (`concat`), so 100,000 items
 * took 25 s in `$spread` or a grouping, with no budget check inside.
 */
export interface Appended {
  data: unknown;
  owned: boolean;
}

export function appendOwned(acc: Appended, value: unknown): void {
  if (value === undefined) return;
  if (acc.owned) {
    appendInto(acc.data as unknown[], value);
    return;
  }
  const out = append(acc.data, value);
  acc.owned = out !== value;
  acc.data = out;
}

/** `fn.append`: note `concat` returns a plain array, not a sequence. */
export function append(arg1: unknown, arg2: unknown): unknown {
  if (arg1 === undefined) return arg2;
  if (arg2 === undefined) return arg1;
  const left = Array.isArray(arg1) ? arg1 : seq1(arg1);
  const right = Array.isArray(arg2) ? arg2 : [arg2];
  growBy(left, right.length, null);
  return left.concat(right);
}

/** A filter whose predicate is a number literal: index into the input (negative from the end). */
export function filterIndex(input: unknown, position: number): unknown[] {
  const items = asSeq(input);
  let index = Math.floor(position);
  if (index < 0) index = items.length + index;
  const item = items[index];
  const results = newSeq();
  if (item === undefined) return results;
  if (Array.isArray(item)) return item;
  results.push(item);
  return results;
}

/** How many times a filter keeps item `index`: numbers select positions, others are truthiness. */
export function filterCount(res: unknown, index: number, length: number): number {
  const value = isNumeric(res) ? [res] : res;
  if (!isArrayOfNumbers(value)) return toBoolean(value) ? 1 : 0;
  let count = 0;
  for (const n of value as number[]) {
    let position = Math.floor(n);
    if (position < 0) position = length + position;
    if (position === index) count++;
  }
  return count;
}

/** The range operator `..`. */
export function range(lhs: unknown, rhs: unknown): Seq | undefined {
  try {
    if (lhs !== undefined && !Number.isInteger(lhs)) throw fail('T2003', { value: lhs });
    if (rhs !== undefined && !Number.isInteger(rhs)) throw fail('T2004', { value: rhs });
  } catch (err) {
    (err as Dict).token = '..';
    throw err;
  }
  if (lhs === undefined || rhs === undefined || (lhs as number) > (rhs as number)) return undefined;
  const size = (rhs as number) - (lhs as number) + 1;
  if (size > 1e7) throw fail('D2014', { value: size, token: '..' });
  tick(size);
  const result: Seq = new Array<unknown>(size);
  for (let item = lhs as number, index = 0; item <= (rhs as number); item++, index++) result[index] = item;
  result.sequence = true;
  return result;
}
