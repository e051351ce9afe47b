import { jsonata, type JsonataExpression } from './jsonata-library.js';
import { BUDGET_CODE, METER_SYMBOL, WORK_SYMBOL, checkUnfolded, type BudgetError, type OutputMeter } from './budget.js';
import { borrowImplementations, type Implementation, type Signature } from './compiler/borrowed.js';
import { builtins } from './compiler/builtins.js';
import { distinct, spread } from './compiler/functions-collection.js';
import { sortCounted } from './compiler/functions-hof.js';
import { safeBorrowed } from './compiler/linear-dates.js';
import { length, pad, substring } from './compiler/functions-string.js';
import { OUT_OF_RANGE_CODE, formatBase, max, min, number, round } from './compiler/functions-numeric.js';
import { guardOutput, guardedNames } from './compiler/output-guards.js';
import { DOUBLES, inexactLiteral } from './expression.js';
import { ferryFunctions, jsonataFunctions } from './jsonata-functions.js';
import { partialChecked } from './partial-checked.js';
import { standIn } from './compiler/stand-in.js';

/**
 * The built-ins the interpreter runs in place of its own, so that it makes no more than compiled
 * code may (output-guards.ts) and rejects the same records with the same messages: jsonata's own
 * implementations under the output limit, except `$length`, `$substring` and `$pad`, whose jsonata
 * versions spread the string into an array of code points (fatal to the process past ~134 million),
 * and `$distinct` and `$spread`, quadratic in jsonata, and `$max` and `$min`, which pass the array to
 * Math.max as arguments (a stack overflow past ~120,000 items), and `$number`, which rounded an
 * integer string past 2^53 to another number, and `$formatBase`, which wrote 1e21 in base 10 as
 * "1e+21", and `$round`, whose shift overflowed (`$round(1e300, 10)` was Infinity); and jsonata's
 * own made safe where they are not (`safeUpstream`).
 */

interface Focus {
  environment: { lookup(name: unknown): unknown; base: object };
}

const counting: OutputMeter = { room: () => undefined, add: () => undefined, left: () => Number.MAX_SAFE_INTEGER };

/** The meter budget.ts `guardInterpreter` bound for the evaluation calling (none when unguarded). */
function meterOf(self: unknown): OutputMeter {
  const environment = (self as Focus | undefined)?.environment;
  const find = environment?.lookup(METER_SYMBOL) as ((base: object) => OutputMeter) | undefined;
  return find && environment ? find(environment.base) : counting;
}

/** The work counter budget.ts `guardInterpreter` bound for the evaluation calling: throws past its time limit. */
function workOf(self: unknown): (n: number) => void {
  const environment = (self as Focus | undefined)?.environment;
  const find = environment?.lookup(WORK_SYMBOL) as ((base: object) => (n: number) => void) | undefined;
  return find && environment ? find(environment.base) : noWork;
}

const noWork = (): void => undefined;

/**
 * A call reads its strings and arrays, in time up to linear in them: counted before it runs, on the
 * evaluation's clock. jsonata starts an array's items side by side, so a list of 600 `$length(s)`
 * on an 8 MB string made its 600 calls one after another with no node evaluated between them, and
 * ran 5 s where the limit was 200 ms.
 */
function countArguments(self: unknown, args: unknown[]): void {
  let n = 1;
  for (const arg of args) if (typeof arg === 'string' || Array.isArray(arg)) n += arg.length;
  workOf(self)(n);
}

const ported: Record<string, Implementation> = { length, substring, pad, distinct, spread, max, min, number, formatBase, round } as Record<
  string,
  Implementation
>;
/** jsonata's own, made safe: see `safeUpstream`. */
const wrapped = ['formatInteger', 'parseInteger', 'toMillis', 'sort'];
const replaced = new Set([...guardedNames, ...Object.keys(ported), ...wrapped]);
const upstream = borrowImplementations([...replaced]);

function implementation(name: string): Implementation | undefined {
  const own = ported[name] ?? upstream.get(name);
  if (own === undefined) return undefined;
  const safe = walksNested(name, ported[name] === undefined ? safeUpstream(name, own) : own);
  return guardedNames.includes(name) ? guardOutput(name, safe, meterOf) : safe;
}

/**
 * `$lookup` and `$spread` look through nested arrays in one call, with no clock read: arrays that
 * hold one array by reference many times (a few steps to build) were looked through without end.
 * Their first argument is refused first when it unfolds past the sequence limit (budget.ts).
 */
function walksNested(name: string, impl: Implementation): Implementation {
  if (name !== 'lookup' && name !== 'spread') return impl;
  const call = impl as unknown as (this: unknown, ...a: unknown[]) => unknown;
  const label = `$${name}`;
  const checked = function (this: unknown, ...args: unknown[]): unknown {
    checkUnfolded(label, args[0]);
    return call.apply(this, args);
  };
  standIn(checked, impl);
  return checked as unknown as Implementation;
}

/**
 * jsonata's own made safe as compiled code borrows it (linear-dates.ts `safeBorrowed`); and
 * `$sort` without a comparator, which merged by recursing with `slice(1)` at each comparison,
 * quadratic in time and memory (20,000 items took 500 MB, 100,000 ran out of heap): compiled
 * code's merge sort does it (a comparator's calls count as steps), counting its merges on the
 * evaluation's clock.
 */
function safeUpstream(name: string, own: Implementation): Implementation {
  if (name === 'clone') return withoutPrototypes(own);
  if (name !== 'sort') return safeBorrowed(name, own);
  return function (this: unknown, array: unknown, comparator?: unknown) {
    if (comparator === undefined) return sortCounted(array as unknown[] | undefined, undefined, workOf(this));
    return (own as (this: unknown, ...a: unknown[]) => unknown).call(this, array, comparator);
  } as unknown as Implementation;
}

/**
 * jsonata's `$clone`, with objects of no prototype, as compiled code makes them. A transform
 * (`~> | pattern | update |`) clones its input and assigns the update's keys into the copy: a key
 * `__proto__` (written, or in a source's object merged as the update) set the copy's prototype
 * instead, and vanished from the value written, without a word. On an object of no prototype it is
 * a key like any other.
 */
function withoutPrototypes(own: Implementation): Implementation {
  return function (this: unknown, arg: unknown) {
    const copy = own.call(this, arg);
    const stack: unknown[] = [copy];
    while (stack.length > 0) {
      const item = stack.pop();
      if (typeof item !== 'object' || item === null) continue;
      if (!Array.isArray(item)) Object.setPrototypeOf(item, null);
      for (const key in item) stack.push((item as Record<string, unknown>)[key]);
    }
    return copy;
  } as Implementation;
}

/** The signatures of guarded built-ins compiled code does not have (jsonata's own). */
const interpreterSignatures: Record<string, string> = { clone: '<(oa)-:o>' };

const overrides = [...replaced].flatMap((name) => {
  const impl = implementation(name);
  const signature = builtins[name]?.signatureText ?? interpreterSignatures[name];
  return impl && signature ? [{ name, impl, signature }] : [];
});

const upstreamSignatures = new Map<string, Signature>();
const upstreamAll = borrowImplementations([...jsonataFunctions, ...ferryFunctions, 'random', 'shuffle'], upstreamSignatures);
const upstreamEval = upstreamAll.get('eval');

/**
 * Every built-in, each checking its arguments when a partial application calls it (partial-checked.ts):
 * the guarded ones above, `$eval`, and jsonata's own under their own signatures.
 */
const registered = jsonataFunctions.flatMap((name) => {
  const signature = upstreamSignatures.get(name);
  const override = overrides.find((o) => o.name === name);
  const impl = override?.impl ?? (name === 'eval' && upstreamEval ? flatEval(upstreamEval) : upstreamAll.get(name));
  if (impl === undefined || signature === undefined) return override ? [override] : [];
  return [{ name, impl: partialChecked(name, impl, signature, countArguments), signature: override?.signature ?? signature.definition }];
});

/** A built-in the mapper registers on the job's clock or seed (`$now`, `$shuffle`), checking its arguments when a partial application calls it. */
export function checkedWhenPartial(name: string, impl: Implementation): Implementation {
  const signature = upstreamSignatures.get(name);
  return signature ? partialChecked(name, impl, signature) : impl;
}

/** Registers the guarded built-ins on an interpreter expression (after budget.ts `guardInterpreter`). */
export function registerGuardedFunctions(expr: JsonataExpression): void {
  for (const { name, impl, signature } of registered) expr.registerFunction(name, impl as (...args: unknown[]) => unknown, signature);
}

interface EvalError {
  code?: unknown;
  error?: { code?: unknown };
}

/**
 * The longest expression `$eval` parses. jsonata's parser runs in one call no budget interrupts:
 * a 16 MB string literal took about 2 s to parse before the time limit could stop it. An
 * expression a record carries for `$eval` is a few dozen characters; 100,000 parse in a few ms.
 */
export const EVAL_SOURCE_LIMIT = 100_000;

/** Errors of ferry's own limits, which read the same inside `$eval` as outside (mapper.ts `evaluationMessage`). */
const OWN_CODES: readonly unknown[] = [BUDGET_CODE, OUT_OF_RANGE_CODE];

/**
 * jsonata's `$eval`, with an error from a nested `$eval` passed up as it is. jsonata wraps each
 * level's error in a D3121 whose message quotes the inner one as JSON, doubling its backslashes:
 * `$eval(x)` of a record holding `"$eval(x)"` (or `( $s := "$eval($s)"; $eval($s) )`) built a
 * message twice as long at each of its up to 2,000 levels, and the process ran out of heap before
 * the depth limit could stop it. Now the record is rejected with the innermost error, quoted once;
 * an error of ferry's own limits (steps, time, output, a number out of range) passes up unwrapped,
 * so it reads as it does outside `$eval` ("column x: evaluation stopped after …"). A source past
 * EVAL_SOURCE_LIMIT is refused before it is parsed.
 */
function flatEval(own: Implementation): Implementation {
  return async function (this: unknown, expr: unknown, focus?: unknown) {
    if (typeof expr === 'string' && expr.length > EVAL_SOURCE_LIMIT) throw evalSourceTooLong(expr.length);
    if (typeof expr === 'string') refuseInexactNumbers(expr);
    try {
      return await (own as (this: unknown, ...a: unknown[]) => Promise<unknown>).call(this, expr, focus);
    } catch (err) {
      const inner = (err as EvalError | null)?.error;
      if ((err as EvalError | null)?.code === 'D3121' && (inner?.code === 'D3121' || OWN_CODES.includes(inner?.code))) throw inner;
      throw err;
    }
  } as unknown as Implementation;
}

/**
 * A number literal in a `$eval` source that a double would change (`$eval("12345678901234567891")`
 * gave 12345678901234567000): a MAPPING_ERROR, as the same literal in the pipeline is a validate
 * error. Only a source with 16 digits in a row or an exponent can hold one, so only such a source
 * is parsed a second time.
 */
function refuseInexactNumbers(source: string): void {
  if (!MAY_HOLD_INEXACT.test(source)) return;
  let ast: unknown;
  try {
    ast = jsonata(source).ast();
  } catch {
    return; // jsonata's own parse reports it (D3120)
  }
  const found = inexactLiteral(ast, source);
  // the literal quoted, so that a record's secret it came from is masked as other quotes are
  if (found) throw { code: OUT_OF_RANGE_CODE, message: `$eval: the number "${found.literal}" would be read as another number: ${DOUBLES}` };
}

const MAY_HOLD_INEXACT = /\d{16}|\d[eE]/;

function evalSourceTooLong(length: number): BudgetError {
  return {
    code: BUDGET_CODE,
    message: `evaluation stopped: the expression passed to $eval has ${length} characters, more than ${EVAL_SOURCE_LIMIT} (the longest $eval parses)`,
    limit: 'timeMs',
  };
}

/**
 * `$now([picture [, timezone]])` on the job's clock: the start time as an ISO timestamp, or, given
 * a picture or timezone, formatted as `$fromMillis` would (jsonata's own `$now` does exactly that).
 */
export function frozenNow(startedAt: string): (this: unknown, picture?: string, timezone?: string) => unknown {
  const millis = Date.parse(startedAt);
  const fromMillis = overrides.find((o) => o.name === 'fromMillis')?.impl;
  return function (this: unknown, picture?: string, timezone?: string) {
    if ((picture === undefined && timezone === undefined) || fromMillis === undefined) return startedAt;
    return fromMillis.call(this, millis, picture, timezone);
  };
}
