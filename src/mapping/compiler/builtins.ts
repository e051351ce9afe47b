import { chargeWork, compiledMeter } from '../budget.js';
import { borrowImplementations } from './borrowed.js';
import { deferral, fillToken } from './errors.js';
import * as col from './functions-collection.js';
import * as hof from './functions-hof.js';
import * as num from './functions-numeric.js';
import { replace } from './functions-replace.js';
import { guardOutput, isGuarded } from './output-guards.js';
import * as str from './functions-string.js';
import { type Signature, parseSignature } from './signature.js';
import { isFunction } from './values.js';
import { safeBorrowed } from './linear-dates.js';

/**
 * The built-in functions compiled code may call, with jsonata's signatures. A call validates its
 * arguments exactly as the interpreter does (context value for a missing `-` argument, singleton
 * wrapping for `a`, T0410–T0412), except on a fast path whose argument types the signature
 * passes unchanged anyway.
 */

type Impl = (...args: never[]) => unknown;

const borrowedSignatures: Record<string, string> = {
  formatNumber: '<n-so?:s>',
  formatInteger: '<n-s:s>',
  parseInteger: '<s-s:n>',
  toMillis: '<s-s?:n>',
  fromMillis: '<n-s?s?:s>',
  base64encode: '<s-:s>',
  base64decode: '<s-:s>',
};

const portedNames = [
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'formatBase',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'boolean',
  'not',
  'sum',
  'max',
  'min',
  'average',
  'count',
  'exists',
  'lookup',
  'append',
  'merge',
  'keys',
  'spread',
  'reverse',
  'distinct',
  'type',
  'zip',
  'error',
  'assert',
  'map',
  'filter',
  'single',
  'reduce',
  'sift',
  'each',
  'sort',
];

/** The interpreter's own implementations: borrowed ones are called, all give their arity. */
const borrowed = borrowImplementations([...portedNames, ...Object.keys(borrowedSignatures)]);
const interpreterArity = new Map([...borrowed].map(([name, impl]) => [name, impl.length]));

export interface Builtin {
  name: string;
  signature: Signature;
  impl: (...args: unknown[]) => unknown;
  /** True when the signature would pass these arguments through unchanged. */
  fast?: (args: unknown[]) => boolean;
  /** The interpreter implementation's `length` (how many arguments a HOF passes it); -1 if unknown. */
  arity: number;
  /** The signature returns a string, number or boolean: never an array or a sequence. */
  returnsScalar: boolean;
  /** The signature as jsonata writes it. */
  signatureText: string;
}

const isStr = (value: unknown) => typeof value === 'string';
const isNum = (value: unknown) => typeof value === 'number';
const one = (test: (value: unknown) => boolean) => (args: unknown[]) => args.length === 1 && test(args[0]);
const strings = (n: number) => (args: unknown[]) => args.length === n && args.every(isStr);
const anyOne = (args: unknown[]) => args.length === 1;

function def(name: string, signature: string, impl: Impl, fast?: (args: unknown[]) => boolean): Builtin {
  const arity = interpreterArity.get(name) ?? -1;
  const returnsScalar = /:[snb]>$/.test(signature);
  const run = isGuarded(name) ? guardOutput(name, impl, compiledMeter) : impl;
  return {
    name,
    signature: parseSignature(signature),
    signatureText: signature,
    impl: run as (...args: unknown[]) => unknown,
    arity,
    returnsScalar,
    ...(fast ? { fast } : {}),
  };
}

const list: Builtin[] = [
  def('string', '<x-b?:s>', str.string, anyOne),
  def('substring', '<s-nn?:s>', str.substring, (a) => isStr(a[0]) && a.length >= 2 && a.length <= 3 && a.slice(1).every(isNum)),
  def('substringBefore', '<s-s:s>', str.substringBefore, strings(2)),
  def('substringAfter', '<s-s:s>', str.substringAfter, strings(2)),
  def('lowercase', '<s-:s>', str.lowercase, one(isStr)),
  def('uppercase', '<s-:s>', str.uppercase, one(isStr)),
  def('length', '<s-:n>', str.length, one(isStr)),
  def('trim', '<s-:s>', str.trim, one(isStr)),
  def('pad', '<s-ns?:s>', str.pad),
  def('match', '<s-f<s:o>n?:a<o>>', str.match),
  def('contains', '<s-(sf):b>', str.contains, strings(2)),
  def('replace', '<s-(sf)(sf)n?:s>', replace, strings(3)),
  def('split', '<s-(sf)n?:a<s>>', str.split, strings(2)),
  def('join', '<a<s>s?:s>', str.join),
  def('encodeUrlComponent', '<s-:s>', str.encodeUrlComponent),
  def('encodeUrl', '<s-:s>', str.encodeUrl),
  def('decodeUrlComponent', '<s-:s>', str.decodeUrlComponent),
  def('decodeUrl', '<s-:s>', str.decodeUrl),
  def('formatBase', '<n-n?:s>', num.formatBase),
  def(
    'number',
    '<(nsb)-:n>',
    num.number,
    one((v) => isStr(v) || isNum(v) || typeof v === 'boolean'),
  ),
  def('floor', '<n-:n>', num.floor, one(isNum)),
  def('ceil', '<n-:n>', num.ceil, one(isNum)),
  def('round', '<n-n?:n>', num.round),
  def('abs', '<n-:n>', num.abs, one(isNum)),
  def('sqrt', '<n-:n>', num.sqrt, one(isNum)),
  def('power', '<n-n:n>', num.power),
  def('boolean', '<x-:b>', num.boolean, anyOne),
  def('not', '<x-:b>', num.not, anyOne),
  def('sum', '<a<n>:n>', num.sum),
  def('max', '<a<n>:n>', num.max),
  def('min', '<a<n>:n>', num.min),
  def('average', '<a<n>:n>', num.average),
  def('count', '<a:n>', col.count, one(Array.isArray)),
  def('exists', '<x:b>', col.exists, anyOne),
  def('lookup', '<x-s:x>', col.lookup, (a) => a.length === 2 && isStr(a[1]) && a[0] !== undefined),
  def('append', '<xx:a>', col.append),
  def('merge', '<a<o>:o>', col.merge),
  def('keys', '<x-:a<s>>', col.keys),
  def('spread', '<x-:a<o>>', col.spread),
  def('reverse', '<a:a>', col.reverse),
  def('distinct', '<x:x>', col.distinct),
  def('type', '<x:s>', col.type),
  def('zip', '<a+>', col.zip),
  def('error', '<s?:x>', col.error),
  def('assert', '<bs?:x>', col.assert),
  def('map', '<af>', hof.map),
  def('filter', '<af>', hof.filter),
  def('single', '<af?>', hof.single),
  def('reduce', '<afj?:j>', hof.reduce),
  def('sift', '<o-f?:o>', hof.sift),
  def('each', '<o-f:a>', hof.each),
  def('sort', '<af?:a>', hof.sort),
];

/**
 * Borrowed from the interpreter (see borrowed.ts). `$toMillis` with a partial picture fills the
 * missing parts from "now": the job's start, as `$now()` is (`withJobClock`), so a batch replayed
 * on another day reads `[H01]:[m01]` on the same date as before; the wall clock outside a job.
 */
let jobNow: number | null = null;
const focus = {
  get environment() {
    return { timestamp: new Date(jobNow ?? Date.now()) };
  },
};

/** Runs compiled evaluation (synchronous) with "now" at `millis`, the job's start. */
export function withJobClock<T>(millis: number, evaluate: () => T): T {
  const outer = jobNow;
  jobNow = millis;
  try {
    return evaluate();
  } finally {
    jobNow = outer;
  }
}
for (const [name, signature] of Object.entries(borrowedSignatures)) {
  const found = borrowed.get(name);
  const impl = found === undefined ? undefined : safeBorrowed(name, found);
  if (impl !== undefined) list.push(def(name, signature, (...args: never[]) => (impl as (...a: never[]) => unknown).apply(focus, args)));
}

export const builtins: Readonly<Record<string, Builtin>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, Builtin>, Object.fromEntries(list.map((b) => [b.name, b]))),
);

export function isBuiltin(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(builtins, name);
}

/**
 * Calls a built-in as `evaluateFunction` + `apply` do: validate against the signature (the
 * context stands in for a missing `-` argument), run, and name the function in errors lacking a
 * token. Data objects that jsonata mistakes for functions are left to the interpreter.
 */
export function callBuiltin(fn: Builtin, context: unknown, args: unknown[]): unknown {
  checkArguments(args);
  chargeArguments(args);
  try {
    if (fn.fast !== undefined && fn.fast(args)) return fn.impl(...args);
    return fn.impl(...fn.signature.validate(args, context));
  } catch (err) {
    throw fillToken(err, fn.name);
  }
}

/**
 * A call reads its strings and arrays, in time up to linear in them (`$length`, `$substring`,
 * `$sum`): counted before it starts, so a loop of such calls on a long value stops at the time
 * limit (budget.ts `chargeWork`) within one call of it.
 */
function chargeArguments(args: unknown[]): void {
  let n = 1;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'string' || Array.isArray(arg)) n += arg.length;
  }
  chargeWork(n);
}

/** The interpreter wraps function-like arguments in closures; a marker object in the data would diverge. */
export function checkArguments(args: unknown[]): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'object' && arg !== null && isFunction(arg)) throw deferral('a data object marked as a JSONata function');
  }
}
