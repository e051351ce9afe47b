import { chargeWork, compiledMeter, countOutput } from '../budget.js';
import { jsonLowerBound } from '../json-size.js';
import { fail, retoken } from './errors.js';
import { isDeepEqual, isNumeric, toStr } from './values.js';

/**
 * Binary and unary operators, ported from jsonata's `evaluateNumericExpression`,
 * `evaluateComparisonExpression`, `evaluateEqualityExpression`, `evaluateStringConcat` and
 * `evaluateIncludesExpression`. Errors carry the operator as token, as the interpreter sets it.
 */

export type ArithOp = '+' | '-' | '*' | '/' | '%';
export type CompareOp = '<' | '<=' | '>' | '>=';

/** Checks both operands; false when either is undefined (the result is then undefined). */
function numericOperands(lhs: unknown, rhs: unknown, op: string): boolean {
  try {
    if (lhs !== undefined && !isNumeric(lhs)) throw fail('T2001', { value: lhs });
    if (rhs !== undefined && !isNumeric(rhs)) throw fail('T2002', { value: rhs });
  } catch (err) {
    throw retoken(err, op);
  }
  return lhs !== undefined && rhs !== undefined;
}

function finite(a: unknown, b: unknown): boolean {
  return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b);
}

export function add(lhs: unknown, rhs: unknown): number | undefined {
  if (finite(lhs, rhs) || numericOperands(lhs, rhs, '+')) return (lhs as number) + (rhs as number);
  return undefined;
}

export function subtract(lhs: unknown, rhs: unknown): number | undefined {
  if (finite(lhs, rhs) || numericOperands(lhs, rhs, '-')) return (lhs as number) - (rhs as number);
  return undefined;
}

export function multiply(lhs: unknown, rhs: unknown): number | undefined {
  if (finite(lhs, rhs) || numericOperands(lhs, rhs, '*')) return (lhs as number) * (rhs as number);
  return undefined;
}

export function divide(lhs: unknown, rhs: unknown): number | undefined {
  if (finite(lhs, rhs) || numericOperands(lhs, rhs, '/')) return (lhs as number) / (rhs as number);
  return undefined;
}

export function modulo(lhs: unknown, rhs: unknown): number | undefined {
  if (finite(lhs, rhs) || numericOperands(lhs, rhs, '%')) return (lhs as number) % (rhs as number);
  return undefined;
}

export function equal(lhs: unknown, rhs: unknown): boolean {
  roomToCompare(lhs, rhs, '=');
  if (lhs === undefined || rhs === undefined) return false;
  return isDeepEqual(lhs, rhs);
}

export function notEqual(lhs: unknown, rhs: unknown): boolean {
  roomToCompare(lhs, rhs, '!=');
  if (lhs === undefined || rhs === undefined) return false;
  return !isDeepEqual(lhs, rhs);
}

/**
 * `=` and `!=` compare arrays and objects value by value, as their JSON: each such operand must
 * have room for its JSON under the output limit, as the interpreter checks it (budget.ts). A value
 * holding one object by reference many times (folded 60 times, 2^60 values) is a few steps to
 * build, and its comparison ran without end.
 */
function roomToCompare(lhs: unknown, rhs: unknown, op: string): void {
  if (typeof lhs !== 'object' && typeof rhs !== 'object') return;
  const meter = compiledMeter();
  for (const operand of [lhs, rhs]) if (typeof operand === 'object' && operand !== null) meter.room(jsonLowerBound(operand, meter.left()), op);
}

/** Only strings and numbers compare, and only with their own type (T2010 / T2009). */
export function compare(lhs: unknown, rhs: unknown, op: CompareOp): boolean | undefined {
  const ltype = typeof lhs;
  const rtype = typeof rhs;
  const lcomparable = ltype === 'undefined' || ltype === 'string' || ltype === 'number';
  const rcomparable = rtype === 'undefined' || rtype === 'string' || rtype === 'number';
  if (!lcomparable || !rcomparable) {
    throw fail('T2010', { value: !(ltype === 'string' || ltype === 'number') ? lhs : rhs, token: op });
  }
  if (ltype === 'undefined' || rtype === 'undefined') return undefined;
  if (ltype !== rtype) throw fail('T2009', { value: lhs, value2: rhs, token: op });
  const l = lhs as string | number;
  const r = rhs as string | number;
  if (op === '<') return l < r;
  if (op === '<=') return l <= r;
  if (op === '>') return l > r;
  return l >= r;
}

/** `&`: both sides through `$string`, undefined as the empty string; what it makes counts as output (budget.ts). */
export function concat(lhs: unknown, rhs: unknown): string {
  let result: string;
  if (typeof lhs === 'string' && typeof rhs === 'string') result = lhs + rhs;
  else {
    // room for each operand's JSON before it is written (the interpreter checks each as it is evaluated)
    const meter = compiledMeter();
    for (const operand of [lhs, rhs]) if (operand !== undefined && typeof operand !== 'string') meter.room(jsonLowerBound(operand, meter.left()), '&');
    try {
      const lstr = lhs === undefined ? '' : toStr(lhs);
      const rstr = rhs === undefined ? '' : toStr(rhs);
      result = (lstr as string).concat(rstr as string);
    } catch (err) {
      throw retoken(err, '&');
    }
  }
  countOutput(result.length);
  return result;
}

export function includes(lhs: unknown, rhs: unknown): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  const items = Array.isArray(rhs) ? rhs : [rhs];
  chargeWork(items.length);
  for (let i = 0; i < items.length; i++) if (items[i] === lhs) return true;
  return false;
}

/** Unary minus. A non-finite operand raises D1001 from `isNumeric`, without a token. */
export function negate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (isNumeric(value)) return -value;
  throw fail('D1002', { value, token: '-' });
}
