import type { Filter } from './ast.js';
import { type Compiler, type Cx, rt } from './codegen-types.js';
import { literal } from './emitter.js';
import { unsupported } from './unsupported.js';

/** `evaluateFilter`: a number literal indexes; anything else keeps the items it selects. */
export function genFilter(filter: Filter, input: string, cx: Cx, c: Compiler): string {
  const { e } = cx;
  if (filter.type !== 'filter') unsupported('index (#) bindings');
  const predicate = filter.expr;
  if (predicate.type === 'number') return e.let(`${rt('filterIndex')}(${input}, ${literal(predicate.value)})`);
  const items = e.let(`${rt('asSeq')}(${input})`);
  const kept = e.let(`${rt('newSeq')}()`);
  const k = e.name('k');
  e.block(`for (let ${k} = 0; ${k} < ${items}.length; ${k}++)`, () => {
    // a step per item, as the interpreter counts each evaluation of the predicate
    e.line(`${rt('tick')}();`);
    const item = e.let(`${items}[${k}]`);
    const value = c.gen(predicate, { ...cx, input: item });
    const n = e.name('n');
    e.line(`for (let ${n} = ${rt('filterCount')}(${value}, ${k}, ${items}.length); ${n} > 0; ${n}--) ${kept}.push(${item});`);
  });
  return kept;
}
