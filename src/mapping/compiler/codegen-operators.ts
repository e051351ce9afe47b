import { type Node, child, lhsNode } from './ast.js';
import { type Compiler, type Cx, type Ref, rt } from './codegen-types.js';
import { isLiteralCode, literal } from './emitter.js';
import type { RuntimeName } from './runtime.js';
import { unsupported } from './unsupported.js';

/** Binary operators and conditionals, evaluated left to right like the interpreter. */

const simpleOps: Record<string, RuntimeName> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'divide',
  '%': 'modulo',
  '=': 'equal',
  '!=': 'notEqual',
  '&': 'concat',
  in: 'includes',
};

export function genBinary(node: Node, cx: Cx, c: Compiler): Ref {
  const op = String(node.value);
  if (op === 'and' || op === 'or') return { js: cx.e.scalar(genBoolean(node, op, cx, c)), seq: false };
  const lhs = c.gen(lhsNode(node), cx);
  const rhs = c.gen(child(node, 'rhs'), cx);
  if (op === '=' || op === '!=') return { js: cx.e.scalar(genEquality(op, lhs, rhs, cx)), seq: false };
  const fn = Object.prototype.hasOwnProperty.call(simpleOps, op) ? simpleOps[op] : undefined;
  if (fn !== undefined) return { js: cx.e.scalar(cx.e.let(`${rt(fn)}(${lhs}, ${rhs})`)), seq: false };
  if (op === '<' || op === '<=' || op === '>' || op === '>=') {
    return { js: cx.e.scalar(cx.e.let(`${rt('compare')}(${lhs}, ${rhs}, ${literal(op)})`)), seq: false };
  }
  if (op === '..') return { js: cx.e.let(`${rt('range')}(${lhs}, ${rhs})`), seq: true };
  return unsupported(`operator ${op}`);
}

/** Against a string, number, boolean or null literal, deep equality is `===` (undefined → false). */
function genEquality(op: '=' | '!=', lhs: string, rhs: string, cx: Cx): string {
  const literalSide = [rhs, lhs].find(isLiteralCode);
  if (literalSide === undefined || literalSide === '(-0)') {
    return cx.e.let(`${rt(op === '=' ? 'equal' : 'notEqual')}(${lhs}, ${rhs})`);
  }
  const other = literalSide === rhs ? lhs : rhs;
  if (op === '=') return cx.e.let(`${other} === ${literalSide}`);
  return cx.e.let(`${other} !== undefined && ${other} !== ${literalSide}`);
}

/**
 * `and` / `or` short-circuit; the interpreter names the operator in any error raised while
 * coercing either side or evaluating the right side, so the same happens here.
 */
function genBoolean(node: Node, op: 'and' | 'or', cx: Cx, c: Compiler): string {
  const { e } = cx;
  const lhs = c.gen(lhsNode(node), cx);
  const result = e.name('b');
  const err = e.name('err');
  e.line(`let ${result};`);
  e.open('try');
  e.line(`${result} = ${rt('boolize')}(${lhs});`);
  e.block(`if (${op === 'and' ? '' : '!'}${result})`, () => {
    const rhs = c.gen(child(node, 'rhs'), cx);
    e.line(`${result} = ${rt('boolize')}(${rhs});`);
  });
  e.close(` catch (${err}) {`);
  e.line(`  throw ${rt('retoken')}(${err}, ${literal(op)});`);
  e.line('}');
  return result;
}

/** `c ? a : b` (also `??` and `?:`, which the parser turns into conditions). */
export function genCondition(node: Node, cx: Cx, c: Compiler): Ref {
  const { e } = cx;
  const condition = c.gen(child(node, 'condition'), cx);
  const result = e.name('t');
  e.line(`let ${result};`);
  let scalar = true;
  const branch = (expr: Node) => {
    const value = c.gen(expr, cx);
    scalar &&= e.isScalar(value);
    e.line(`${result} = ${value};`);
  };
  e.block(`if (${rt('toBoolean')}(${condition}))`, () => branch(child(node, 'then')));
  const otherwise = node.else;
  if (otherwise !== undefined) e.block('else', () => branch(otherwise));
  return { js: scalar ? e.scalar(result) : result, seq: false };
}

export function genNegate(node: Node, cx: Cx, c: Compiler): Ref {
  const value = c.gen(child(node, 'expression'), cx);
  return { js: cx.e.scalar(cx.e.let(`${rt('negate')}(${value})`)), seq: false };
}
