import { type Node, child } from './ast.js';
import { freeCode, genApply, genCall } from './codegen-calls.js';
import { genLambda } from './codegen-lambda.js';
import { genArray, genGroup, genObject } from './codegen-constructors.js';
import { genBinary, genCondition, genNegate } from './codegen-operators.js';
import { genFilter } from './codegen-filter.js';
import { genPath } from './codegen-path.js';
import { type Compiler, type Cx, type Ref, rt } from './codegen-types.js';
import { literal } from './emitter.js';
import { jsonataFunctions } from '../jsonata-functions.js';
import { Frame, declareBinds, resolve } from './scope.js';
import { unsupported } from './unsupported.js';

/**
 * The dispatcher: one generator per AST node type, each emitting statements and returning the
 * identifier of the value, which is what the interpreter's `evaluate(node)` would return.
 */
export const compiler: Compiler = { gen, statements };

function gen(node: Node, cx: Cx): string {
  let ref = raw(node, cx);
  for (const filter of node.predicate ?? []) ref = { js: genFilter(filter, ref.js, cx, compiler), seq: true };
  if (node.group !== undefined && node.type !== 'path') ref = { js: genGroup(node.group.lhs, ref.js, cx, compiler), seq: false };
  // the tail of `evaluate`: unwrap singleton sequences (kept when flagged `[]`)
  if (node.keepArray) return cx.e.let(`${rt('normKeep')}(${ref.js})`);
  return ref.seq ? cx.e.let(`${rt('norm')}(${ref.js})`) : ref.js;
}

function raw(node: Node, cx: Cx): Ref {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
      return { js: literal(node.value), seq: false };
    case 'name':
      return { js: cx.e.let(`${rt('lookup')}(${cx.input}, ${literal(String(node.value))})`), seq: true };
    case 'variable':
      return variable(node, cx);
    case 'path':
      return genPath(node, cx, compiler);
    case 'binary':
      return genBinary(node, cx, compiler);
    case 'unary':
      return unary(node, cx);
    case 'condition':
      return genCondition(node, cx, compiler);
    case 'block':
      return { js: block(node, cx), seq: false };
    case 'function':
      return genCall(node, cx, compiler);
    case 'apply':
      return genApply(node, cx, compiler);
    case 'lambda':
      if (node.thunk && cx.lambdaCtx !== null) return genCall(child(node, 'body'), cx, compiler, undefined, true);
      return unsupported('a function used as a value');
    case 'wildcard':
      return { js: cx.e.let(`${rt('wildcard')}(${cx.input})`), seq: true };
    case 'descendant':
      return { js: cx.e.let(`${rt('descendants')}(${cx.input})`), seq: true };
    default:
      return unsupported(describe(node));
  }
}

function describe(node: Node): string {
  const names: Record<string, string> = {
    parent: 'the parent operator (%)',
    transform: 'transforms (|…|)',
    partial: 'partial application',
    regex: 'a regex outside $match/$contains/$split/$replace',
    bind: 'a := binding inside an expression',
    sort: 'order-by (^)',
  };
  return Object.prototype.hasOwnProperty.call(names, node.type) ? (names[node.type] as string) : `${node.type} expressions`;
}

function unary(node: Node, cx: Cx): Ref {
  if (node.value === '-') return genNegate(node, cx, compiler);
  if (node.value === '[') return { js: genArray(node, cx, compiler), seq: false };
  if (node.value === '{') return { js: genObject(node, cx, compiler), seq: false };
  return unsupported(`unary ${String(node.value)}`);
}

function variable(node: Node, cx: Cx): Ref {
  const name = String(node.value);
  if (name === '') return { js: cx.e.let(`${rt('contextValue')}(${cx.input})`), seq: true };
  if (name === '$') return { js: 'root', seq: true };
  const target = resolve(cx.frame, name, freeCode(name));
  // a built-in only the interpreter has ($shuffle, $random, $eval) is a function there, not a
  // free variable: `$map(lists, $shuffle)` was a T0410 reject compiled and shuffled interpreted
  if (target.kind === 'free' && jsonataFunctions.includes(name)) return unsupported(`$${name} used as a value`);
  if (target.kind === 'free') return { js: cx.e.let(freeCode(name)), seq: true };
  if (target.kind !== 'var') return unsupported(`$${name} used as a value`);
  if (target.fn) unsupported(`function $${name} used as a value`);
  return { js: target.code, seq: true };
}

/** `( a; b; c )`: a new frame; the value of the last expression. */
function block(node: Node, cx: Cx): string {
  const { e } = cx;
  const result = e.name('t');
  e.line(`let ${result};`);
  const frame = new Frame(cx.frame, 'block');
  e.block('', () => {
    e.line(`${result} = ${statements(node.expressions ?? [], frame, { ...cx, frame })};`);
  });
  return result;
}

/** A frame's statements: `$x := v` assigns the frame's variable, anything else is evaluated. */
function statements(list: Node[], frame: Frame, cx: Cx): string {
  const { e } = cx;
  for (const v of declareBinds(frame, list, () => e.name('v'))) e.line(`let ${v.js} = ${rt('UNBOUND')};`);
  let last = 'undefined';
  list.forEach((statement, index) => {
    if (statement.type !== 'bind') {
      last = gen(statement, cx);
      return;
    }
    const name = String((statement.lhs as Node).value);
    const rhs = child(statement, 'rhs');
    const target = frame.vars.get(name);
    if (target === undefined) throw new Error('undeclared frame variable');
    if (rhs.type === 'lambda' && index === list.length - 1) unsupported('a function as the value of a block');
    const value = rhs.type === 'lambda' ? genLambda(rhs, cx, compiler) : gen(rhs, cx);
    e.line(`${target.js} = ${value};`);
    target.bound = true;
    last = statement.keepArray ? e.let(`${rt('normKeep')}(${value})`) : value;
  });
  return last;
}
