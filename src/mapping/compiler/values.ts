import { chargeWork } from '../budget.js';
import { fail } from './errors.js';

/**
 * Value predicates and conversions ported from jsonata's `utils` and `functions` modules, kept
 * behaviourally identical (including which errors they throw) because compiled code must return
 * exactly what the interpreter returns.
 */

/** A JSONata sequence: an array carrying the interpreter's marker flags. */
export type Seq = unknown[] & {
  sequence?: boolean;
  keepSingleton?: boolean;
  outerWrapper?: boolean;
  cons?: boolean;
};

export type Dict = Record<string, unknown>;

/** A compiled lambda: a JS function taking the caller's context, then its parameters. */
export type CompiledLambda = ((context: unknown, ...args: unknown[]) => unknown) & { arity?: number };

export const own: (obj: object, key: string) => boolean = Object.hasOwn;

/** Finite number → true, NaN → false, ±Infinity → D1001 (as jsonata's `isNumeric`). */
export function isNumeric(n: unknown): n is number {
  if (typeof n !== 'number') return false;
  if (Number.isNaN(n)) return false;
  if (!Number.isFinite(n)) throw fail('D1001', { value: n });
  return true;
}

export function isSequence(value: unknown): value is Seq {
  return Array.isArray(value) && (value as Seq).sequence === true;
}

/** jsonata treats marker objects as functions too, even when they arrive in the data. */
export function isFunction(arg: unknown): boolean {
  if (typeof arg === 'function') return true;
  if (!arg || typeof arg !== 'object') return false;
  const marked = arg as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return marked._jsonata_function === true || marked._jsonata_lambda === true;
}

export function isArrayOfStrings(arg: unknown): boolean {
  return Array.isArray(arg) && arg.every((item) => typeof item === 'string');
}

/** Every item is checked (not `every`), because `isNumeric` may throw on any of them. */
export function isArrayOfNumbers(arg: unknown): boolean {
  if (!Array.isArray(arg)) return false;
  return arg.filter((item) => !isNumeric(item)).length === 0;
}

export function objectKeys(arg: unknown): string[] {
  return typeof arg === 'object' && arg !== null ? Object.keys(arg) : [];
}

/**
 * Counts each value visited as work, so the clock is read as the walk goes: a value that holds one
 * object by reference many times is a few steps to build but 2^60 values to compare, and ran without end.
 */
export function isDeepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  chargeWork(1);
  if (typeof lhs !== 'object' || typeof rhs !== 'object' || lhs === null || rhs === null) return false;
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    if (lhs.length !== rhs.length) return false;
    for (let i = 0; i < lhs.length; i++) if (!isDeepEqual(lhs[i], rhs[i])) return false;
    return true;
  }
  const lkeys = Object.getOwnPropertyNames(lhs).sort();
  const rkeys = Object.getOwnPropertyNames(rhs).sort();
  if (lkeys.length !== rkeys.length) return false;
  for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
  for (const key of lkeys) if (!isDeepEqual((lhs as Dict)[key], (rhs as Dict)[key])) return false;
  return true;
}

/** JSONata's effective boolean value (`$boolean`); undefined stays undefined. */
export function toBoolean(arg: unknown): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    if (arg.length > 1) return arg.filter((val) => toBoolean(val)).length > 0;
    return false;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (isNumeric(arg)) return arg !== 0;
  if (arg !== null && typeof arg === 'object' && !isFunction(arg)) return objectKeys(arg).length > 0;
  return arg === true;
}

/** `and`/`or` operands and conditions: undefined counts as false. */
export function boolize(value: unknown): boolean {
  return toBoolean(value) ?? false;
}

/** JSONata's `$string` (also used by `&`): JSON with 15 significant digits for non-integers. */
export function toStr(arg: unknown, prettify = false): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'string') return arg;
  if (isFunction(arg)) return '';
  if (typeof arg === 'number' && !Number.isFinite(arg)) throw fail('D3001', { value: arg });
  const value = Array.isArray(arg) && (arg as Seq).outerWrapper ? arg[0] : arg;
  return JSON.stringify(value, stringifyReplacer, prettify ? 2 : 0) as string | undefined;
}

function stringifyReplacer(_key: string, val: unknown): unknown {
  if (val !== undefined && val !== null && isNumeric(val)) {
    return !Number.isInteger(val) ? Number(val.toPrecision(15)) : val;
  }
  return val && isFunction(val) ? '' : val;
}
