import { type Node, child } from './ast.js';
import { builtins, isBuiltin } from './builtins.js';
import { genInlineCall } from './codegen-inline.js';
import { type Compiler, type Cx, type Ref, rt } from './codegen-types.js';
import { literal } from './emitter.js';
import { genLambda } from './codegen-lambda.js';
import { resolve } from './scope.js';
import { unsupported } from './unsupported.js';

/** Function calls (`$f(x)`, `x ~> $f()`), lambdas and regex literals as arguments. */

/** Built-ins that take functions; only there may a lambda (or a function variable) be passed. */
const higherOrder = new Set(['map', 'filter', 'single', 'reduce', 'sift', 'each', 'sort', 'replace']);
const regexTaking = new Set(['contains', 'split', 'match', 'replace']);

/**
 * `tail`: a call the parser marked for tail-call optimisation inside a lambda. The interpreter
 * runs it from its trampoline: with the lambda caller's context and without `evaluate`'s tail
 * (so its result is not normalised).
 */
export function genCall(node: Node, cx: Cx, c: Compiler, applyTo?: string, tail = false): Ref {
  const procedure = child(node, 'procedure');
  const context = tail ? (cx.lambdaCtx ?? 'null') : cx.input;
  if (procedure.type === 'lambda' && !procedure.thunk && procedure.predicate === undefined) {
    // an immediately applied lambda: `function($x){…}(5)`
    const fn = genLambda(procedure, cx, c);
    const args = withApplied(applyTo, genArgs(node, cx, c, ''));
    return { js: cx.e.let(`${rt('callLambda')}(${fn}, ${context}, [${args}], undefined)`), seq: !tail };
  }
  if (procedure.type !== 'variable' || procedure.predicate !== undefined) unsupported('calling a computed function');
  const name = String(procedure.value);
  const target = resolve(cx.frame, name, freeCode(name));
  if (target.kind === 'free') unsupported(`call of $${name}, which is not a known function`);
  if (target.kind === 'var') {
    if (!target.fn) unsupported(`call of $${name}, which is not bound to a function`);
    const args = withApplied(applyTo, genArgs(node, cx, c, name));
    return { js: cx.e.let(`${rt('callLambda')}(${target.code}, ${context}, [${args}], ${literal(name)})`), seq: !tail };
  }
  return genBuiltinCall(node, name, context, cx, c, applyTo, tail);
}

function genBuiltinCall(node: Node, name: string, context: string, cx: Cx, c: Compiler, applyTo: string | undefined, tail: boolean): Ref {
  const argList = genArgs(node, cx, c, name);
  const args = withApplied(applyTo, argList);
  if (name === 'now' || name === 'millis') return { js: cx.e.scalar(cx.e.let(`${rt(name)}(env, [${args}])`)), seq: false };
  if (!isBuiltin(name)) unsupported(`$${name}`);
  const fn = cx.e.constant(`${rt('builtins')}[${literal(name)}]`);
  const scalar = builtins[name]?.returnsScalar === true;
  if (!tail && applyTo === undefined) {
    const fast = genInlineCall(cx.e, name, fn, context, argList);
    if (fast !== null) return { js: scalar ? cx.e.scalar(fast) : fast, seq: false };
  }
  const js = cx.e.let(`${rt('callBuiltin')}(${fn}, ${context}, [${args}])`);
  return { js: scalar ? cx.e.scalar(js) : js, seq: !scalar && !tail };
}

export function freeCode(name: string): string {
  return `${rt('free')}(env, ${literal(name)})`;
}

function withApplied(applyTo: string | undefined, args: string[]): string {
  return (applyTo === undefined ? args : [applyTo, ...args]).join(', ');
}

/** A built-in as a function value (`$map(x, $string)`), called with a null context like jsonata's closure. */
function builtinValue(name: string, cx: Cx): string {
  if (!isBuiltin(name) || (builtins[name]?.arity ?? -1) < 0) unsupported(`$${name} used as a value`);
  return cx.e.constant(`${rt('builtinValue')}(${rt('builtins')}[${literal(name)}])`);
}

/**
 * `x ~> $f(y)` is `$f(x, y)`; `x ~> $f` and `x ~> function(){…}` apply a function value to `x`.
 * Chaining functions (`$f ~> $g`) is not compiled.
 */
export function genApply(node: Node, cx: Cx, c: Compiler): Ref {
  const lhs = node.lhs;
  const rhs = child(node, 'rhs');
  if (lhs === undefined || Array.isArray(lhs) || lhs.type === 'lambda' || isFunctionVariable(lhs, cx)) {
    unsupported('function chaining');
  }
  const value = c.gen(lhs, cx);
  if (rhs.type === 'function') return genCall(rhs, cx, c, value);
  return { js: cx.e.let(`${rt('applyValue')}(${functionValue(rhs, cx, c)}, ${value}, ${rhs.type === 'lambda'})`), seq: true };
}

function isFunctionVariable(node: Node, cx: Cx): boolean {
  if (node.type !== 'variable') return false;
  const target = resolve(cx.frame, String(node.value), freeCode(String(node.value)));
  return target.kind === 'builtin' || (target.kind === 'var' && target.fn);
}

/** The right side of `~>` when it is not a call: a lambda, a function variable or a built-in. */
function functionValue(node: Node, cx: Cx, c: Compiler): string {
  if (node.type === 'lambda' && !node.thunk && node.predicate === undefined) return genLambda(node, cx, c);
  if (node.type !== 'variable' || node.predicate !== undefined) return unsupported('~> to a computed function');
  const name = String(node.value);
  const target = resolve(cx.frame, name, freeCode(name));
  if (target.kind === 'builtin' && name !== 'now' && name !== 'millis') return builtinValue(name, cx);
  if (target.kind === 'var' && target.fn && !target.sig) return target.code;
  return unsupported('~> to something that may not be a function');
}

function genArgs(node: Node, cx: Cx, c: Compiler, name: string): string[] {
  return (node.arguments ?? []).map((arg) => {
    if (arg.type === 'lambda' && !arg.thunk) {
      if (!higherOrder.has(name)) unsupported(`a function passed to $${name}`);
      return genLambda(arg, cx, c);
    }
    if (arg.type === 'regex') {
      if (!regexTaking.has(name)) unsupported(`a regex passed to $${name}`);
      const re = arg.value as RegExp;
      return cx.e.let(`${rt('regexMatcher')}(${literal(re.source)}, ${literal(re.flags)})`);
    }
    if (arg.type === 'variable' && arg.predicate === undefined) {
      const target = resolve(cx.frame, String(arg.value), freeCode(String(arg.value)));
      if (target.kind === 'builtin') {
        if (!higherOrder.has(name)) unsupported(`a function passed to $${name}`);
        return builtinValue(String(arg.value), cx);
      }
      if (target.kind === 'var' && target.fn) {
        if (!higherOrder.has(name)) unsupported(`a function passed to $${name}`);
        if (target.sig) unsupported('a function with a signature passed as a value');
        return target.code;
      }
    }
    return c.gen(arg, cx);
  });
}
