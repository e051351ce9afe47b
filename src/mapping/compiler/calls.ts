import { type Builtin, builtins, callBuiltin, checkArguments } from './builtins.js';
import { DEFER_CODE, type JsonataError, deferral, fail, fillToken, isDeferral, populateMessage } from './errors.js';
import { isBudgetError, tick } from '../budget.js';
import { parseSignature } from './signature.js';
import { type CompiledLambda, type Dict, own } from './values.js';

/** What compiled code sees besides the record: `$job`, and the clock frozen at the job's start. */
export interface CompiledEnv {
  job: { id: string; pipeline: string; started_at: string };
  nowIso: string;
  nowMillis: number;
  /** Extra variable bindings (the test-suite runner uses them); `$job` comes from `job`. */
  bindings?: Record<string, unknown>;
}

/** Marks a frame variable that its block has not bound yet (lookups then go outwards). */
export const UNBOUND: unique symbol = Symbol('unbound');

/** A variable no block binds: from the evaluation's bindings, like the interpreter's frames. */
export function free(env: CompiledEnv, name: string): unknown {
  if (env.bindings !== undefined && own(env.bindings, name)) return env.bindings[name];
  return name === 'job' ? env.job : undefined;
}

/** A user function; each call counts against the record's budget (recursion and loops go through calls). */
export function lambda(arity: number, fn: (context: unknown, ...args: unknown[]) => unknown): CompiledLambda {
  const counted = (context: unknown, ...args: unknown[]): unknown => {
    tick();
    return fn(context, ...args);
  };
  return Object.assign(counted, { arity });
}

/**
 * The interpreter recurses through promises, so its user functions can nest arbitrarily deep;
 * compiled calls use the JS stack, so past this depth the evaluation goes to the interpreter.
 */
const MAX_CALL_DEPTH = 400;
let callDepth = 0;

/** `$f(args)` for a user lambda, as `evaluateFunction` + `apply`. */
export function callLambda(fn: unknown, context: unknown, args: unknown[], name: string | undefined): unknown {
  if (typeof fn !== 'function') throw fail('T1006', name === undefined ? {} : { token: name });
  checkArguments(args);
  if (callDepth >= MAX_CALL_DEPTH) throw deferral('user functions nested too deep');
  callDepth++;
  try {
    return (fn as CompiledLambda)(context, ...args);
  } catch (err) {
    throw name === undefined ? err : fillToken(err, name);
  } finally {
    callDepth--;
  }
}

const nowSignature = parseSignature('<s?s?:s>');
const millisSignature = parseSignature('<:n>');

/**
 * `$now([picture [, timezone]])` as the mapper registers it (interpreter-functions.ts): the job's
 * start, formatted as `$fromMillis` formats it when a picture or timezone is given.
 */
export function now(env: CompiledEnv, args: unknown[]): unknown {
  try {
    const [picture, timezone] = nowSignature.validate(args, undefined);
    if (picture === undefined && timezone === undefined) return env.nowIso;
    const fromMillis = builtins['fromMillis'];
    if (fromMillis === undefined) return env.nowIso;
    return fromMillis.impl(env.nowMillis, picture, timezone);
  } catch (err) {
    throw fillToken(err, 'now');
  }
}

export function millis(env: CompiledEnv, args: unknown[]): number {
  try {
    millisSignature.validate(args, undefined);
  } catch (err) {
    throw fillToken(err, 'millis');
  }
  return env.nowMillis;
}

/**
 * Items of array and object constructors are evaluated concurrently by the interpreter; when
 * several fail, which error it reports depends on its scheduling, so only it can say. Except past a
 * limit: the interpreter would run the whole column again, under a budget of its own, to stop the
 * same way (a list of 600 slow calls took the time limit twice over, and then some).
 */
export function parallelError(errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  return errors.find(isDeferral) ?? errors.find(isBudgetError) ?? deferral('several parts of a constructor failed');
}

/** The mapper's post-processing: result arrays (and arrays in them) become plain arrays. */
export function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/** Anything that is not a JSONata error (e.g. a TypeError inside jsonata too) goes to the interpreter. */
export function asJsonataError(err: unknown): JsonataError {
  if (typeof err === 'object' && err !== null && typeof (err as Dict).code === 'string') return err as JsonataError;
  return deferral(`unexpected ${err instanceof Error ? err.name : typeof err} in compiled code`);
}

/** A column's failure: deferred to the interpreter, or reported with the interpreter's message. */
export function reportError(errors: { column: string; message: string; code?: string }[], deferred: string[], column: string, thrown: unknown): void {
  const err = populateMessage(asJsonataError(thrown));
  if (err.code === DEFER_CODE) deferred.push(column);
  else errors.push({ column, message: err.message ?? '', code: err.code });
}

/**
 * A built-in as a value (jsonata wraps it in a closure of the implementation's arity, called
 * with a null context). Its errors are named after whichever name last called that built-in in
 * the process, so they are left to the interpreter.
 */
export function builtinValue(fn: Builtin): CompiledLambda {
  const value = (_context: unknown, ...args: unknown[]) => {
    try {
      return callBuiltin(fn, null, args);
    } catch (err) {
      throw isDeferral(err) ? err : deferral(`an error inside $${fn.name} used as a value`);
    }
  };
  return Object.assign(value, { arity: fn.arity });
}

/**
 * `x ~> f` with a function value: `apply(f, [x])`. A data object jsonata takes for a function
 * (chaining) is left to it, and so are errors of named functions (their token is history).
 */
export function applyValue(fn: CompiledLambda, value: unknown, literalLambda: boolean): unknown {
  checkArguments([value]);
  try {
    return fn(null, value);
  } catch (err) {
    if (literalLambda || isDeferral(err)) throw err;
    throw deferral('an error inside a function applied with ~>');
  }
}
