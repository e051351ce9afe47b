import { hasLiteralKeys, mayThrow } from './analysis.js';
import { type Node, pairs } from './ast.js';
import { type Compiler, type Cx, rt } from './codegen-types.js';
import { literal } from './emitter.js';

/**
 * Array and object constructors. The interpreter evaluates their items concurrently
 * (`Promise.all`), so when more than one item can fail, each item's error is collected and
 * `parallelError` decides (one error: that one; several: defer to the interpreter).
 */

/** `[a, b, [c]]`: nested constructors are kept whole, other values appended (flattened). */
export function genArray(node: Node, cx: Cx, c: Compiler): string {
  const { e } = cx;
  const array = e.let('[]');
  const items = node.expressions ?? [];
  concurrently(
    cx,
    items.map((item) => () => {
      const value = c.gen(item, cx);
      const add = item.value === '[' ? `${array}.push(${value})` : `${rt('appendInto')}(${array}, ${value})`;
      e.line(`if (${value} !== undefined) ${add};`);
    }),
    items.map(mayThrow),
  );
  if (node.consarray) e.line(`${rt('markCons')}(${array});`);
  return array;
}

/** `{k: v}` over the context, or `path{k: v}` over the path's result (group-by). */
export function genGroup(pairList: [Node, Node][], input: string, cx: Cx, c: Compiler): string {
  if (hasLiteralKeys({ type: 'unary', value: '{', lhs: pairList })) return genLiteralObject(pairList, input, cx, c);
  return genGroupBy(pairList, input, cx, c);
}

export function genObject(node: Node, cx: Cx, c: Compiler): string {
  return genGroup(pairs(node), cx.input, cx, c);
}

/** Literal keys: every key groups every item, so all values share one context. */
function genLiteralObject(pairList: [Node, Node][], input: string, cx: Cx, c: Compiler): string {
  const { e } = cx;
  // a record context (the usual case) is its own group data
  const known = cx.record?.input === input ? cx.record.flag : null;
  const data = e.let(known === null ? `${rt('groupData')}(${input})` : `${known} ? ${input} : ${rt('groupData')}(${input})`);
  const flag = e.let(known === null ? `${rt('isPlainRecord')}(${data})` : `${known} || ${rt('isPlainRecord')}(${data})`);
  const record = { input: data, flag };
  // a plain object is much faster to build than jsonata's null-prototype one, and nothing in
  // JSONata (own-property lookups, keys, JSON) can tell them apart — except a `__proto__` key
  const plainObject = pairList.every(([key]) => key.value !== '__proto__');
  const result = e.scalar(e.let(plainObject ? '{}' : `${rt('newDict')}()`));
  concurrently(
    cx,
    pairList.map(([key, valueNode]) => () => {
      const value = c.gen(valueNode, { ...cx, input: data, record });
      e.line(`if (${value} !== undefined) ${result}[${literal(key.value)}] = ${value};`);
    }),
    pairList.map(([, valueNode]) => mayThrow(valueNode)),
  );
  return result;
}

/** Computed keys: group the items by key (sequentially), then evaluate one value per group. */
function genGroupBy(pairList: [Node, Node][], input: string, cx: Cx, c: Compiler): string {
  const { e } = cx;
  const items = e.let(`${rt('groupItems')}(${input})`);
  const groups = e.let(`${rt('newDict')}()`);
  const k = e.name('k');
  e.block(`for (let ${k} = 0; ${k} < ${items}.length; ${k}++)`, () => {
    // a step per item and per group, as the interpreter counts its evaluations of the key and value
    e.line(`${rt('tick')}();`);
    const item = e.let(`${items}[${k}]`);
    pairList.forEach(([keyNode], index) => {
      const key = c.gen(keyNode, { ...cx, input: item });
      e.line(`${rt('groupAdd')}(${groups}, ${key}, ${item}, ${index});`);
    });
  });
  const result = e.scalar(e.let(`${rt('newDict')}()`));
  const collect = pairList.some(([, valueNode]) => mayThrow(valueNode));
  const errors = collect ? e.let('[]') : '';
  const key = e.name('key');
  e.block(`for (const ${key} of ${rt('dictKeys')}(${groups}))`, () => {
    e.line(`${rt('tick')}();`);
    const entry = e.let(`${groups}[${key}]`);
    const body = () =>
      e.block(`switch (${entry}.exprIndex)`, () =>
        pairList.forEach(([, valueNode], index) => {
          e.block(`case ${index}:`, () => {
            const value = c.gen(valueNode, { ...cx, input: `${entry}.data` });
            e.line(`if (${value} !== undefined) ${result}[${key}] = ${value};`);
            e.line('break;');
          });
        }),
      );
    if (collect) guarded(cx, body, errors);
    else body();
  });
  if (collect) e.line(`if (${errors}.length !== 0) throw ${rt('parallelError')}(${errors});`);
  return result;
}

/** Emits items in order; with several that may fail, collects their errors instead of stopping. */
function concurrently(cx: Cx, items: (() => void)[], throwing: boolean[]): void {
  if (throwing.filter(Boolean).length < 2) {
    items.forEach((item) => item());
    return;
  }
  const errors = cx.e.let('[]');
  items.forEach((item, index) => (throwing[index] ? guarded(cx, item, errors) : item()));
  cx.e.line(`if (${errors}.length !== 0) throw ${rt('parallelError')}(${errors});`);
}

function guarded(cx: Cx, body: () => void, errors: string): void {
  const err = cx.e.name('err');
  cx.e.open('try');
  body();
  cx.e.close(` catch (${err}) {`);
  cx.e.line(`  ${errors}.push(${err});`);
  cx.e.line('}');
}
