import { chargeWork } from '../budget.js';
import { fail } from './errors.js';
import { append as appendValues, appendOwned, lookup as lookupKey, newSeq, type Appended } from './sequence.js';
import { type Dict, isDeepEqual, isFunction, isNumeric, isSequence, objectKeys } from './values.js';

/** Array and object built-ins, ported from jsonata's `functions.js`. */

export function count(args: unknown[] | undefined): number {
  return args === undefined ? 0 : args.length;
}

export function exists(arg: unknown): boolean {
  return arg !== undefined;
}

export function lookup(input: unknown, key: string): unknown {
  return lookupKey(input, key);
}

export function append(arg1: unknown, arg2: unknown): unknown {
  return appendValues(arg1, arg2);
}

export function merge(arg: unknown[] | undefined): Dict | undefined {
  if (arg === undefined) return undefined;
  const result: Dict = Object.create(null) as Dict;
  arg.forEach((obj) => {
    for (const prop of objectKeys(obj)) result[prop] = (obj as Dict)[prop];
  });
  return result;
}

export function keys(arg: unknown): unknown[] {
  const result = newSeq();
  if (Array.isArray(arg)) {
    const merged: Dict = Object.create(null) as Dict;
    for (const item of arg)
      keys(item).forEach((key) => {
        merged[key as string] = true;
      });
    return keys(merged);
  }
  if (arg !== null && typeof arg === 'object' && !isFunction(arg)) objectKeys(arg).forEach((key) => result.push(key));
  return result;
}

export function spread(arg: unknown): unknown {
  // work on the clock: nested arrays that hold one array by reference many times were spread without end
  chargeWork(1);
  if (Array.isArray(arg)) {
    const result: Appended = { data: newSeq(), owned: false };
    for (const item of arg) appendOwned(result, spread(item));
    return result.data;
  }
  if (arg !== null && typeof arg === 'object' && (arg as { _jsonata_lambda?: unknown })._jsonata_lambda !== true) {
    const result = newSeq();
    for (const key of objectKeys(arg)) {
      const obj: Dict = Object.create(null) as Dict;
      obj[key] = (arg as Dict)[key];
      result.push(obj);
    }
    return result;
  }
  return arg;
}

export function reverse(arr: unknown[] | undefined): unknown[] | undefined {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  const result = new Array<unknown>(arr.length);
  for (let i = 0; i < arr.length; i++) result[arr.length - i - 1] = arr[i];
  return result;
}

/**
 * Linear, not quadratic as jsonata's own (each item compared with every kept one): 90,000 distinct
 * values took minutes, and no budget ticks inside one call. Each value is looked up by a key that
 * is equal exactly when isDeepEqual is (objects with their keys sorted); a value holding a function
 * has none and is compared the slow way.
 */
export function distinct(arr: unknown): unknown {
  if (arr === undefined) return undefined;
  if (!Array.isArray(arr) || arr.length <= 1) return arr;
  const results: unknown[] = isSequence(arr) ? newSeq() : [];
  const primitives = new Set<unknown>();
  const structures = new Set<string>();
  const others: unknown[] = [];
  for (const value of arr) {
    const primitive = (typeof value !== 'object' || value === null) && !isFunction(value);
    const key = primitive ? undefined : structureKey(value);
    if (primitive) {
      if (primitives.has(value)) continue;
      primitives.add(value);
    } else if (key !== undefined) {
      if (structures.has(key)) continue;
      structures.add(key);
    } else {
      if (others.some((seen) => isDeepEqual(value, seen))) continue;
      others.push(value);
    }
    results.push(value);
  }
  return results;
}

/** JSON with object keys sorted: equal for deep-equal arrays and objects; undefined when one holds a function or undefined. */
function structureKey(value: unknown): string | undefined {
  // work, so a value shared many times by reference reads the clock as it is walked
  chargeWork(1);
  if (value === undefined || isFunction(value)) return undefined;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const key = structureKey(item);
      if (key === undefined) return undefined;
      parts.push(key);
    }
    return `[${parts.join(',')}]`;
  }
  for (const name of Object.getOwnPropertyNames(value).sort()) {
    const key = structureKey((value as Dict)[name]);
    if (key === undefined) return undefined;
    parts.push(`${JSON.stringify(name)}:${key}`);
  }
  return `{${parts.join(',')}}`;
}

export function type(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (isNumeric(value)) return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (isFunction(value)) return 'function';
  return 'object';
}

export function zip(...args: unknown[]): unknown[][] {
  const result: unknown[][] = [];
  const length = Math.min(...args.map((arg) => (Array.isArray(arg) ? arg.length : 0)));
  for (let i = 0; i < length; i++) result.push(args.map((arg) => (arg as unknown[])[i]));
  return result;
}

export function error(message?: string): never {
  throw fail('D3137', { message: message || '$error() function evaluated' });
}

export function assert(condition: boolean, message?: string): undefined {
  if (!condition) throw fail('D3141', { message: message || '$assert() statement failed' });
  return undefined;
}
