import type { Node } from './ast.js';
import { genFilter } from './codegen-filter.js';
import { type Compiler, type Cx, rt } from './codegen-types.js';
import { unsupported } from './unsupported.js';

interface SortTerm {
  descending?: boolean;
  expression: Node;
}

/**
 * An order-by step (`a^(>b, c)`), as `evaluateSortExpression`: a stable merge sort of the whole
 * input sequence whose comparator evaluates the terms on both items, then the step's filters.
 */
export function genSortStep(step: Node, seq: string, result: string, cx: Cx, c: Compiler): void {
  const { e } = cx;
  const terms = (step as Node & { terms?: SortTerm[] }).terms ?? [];
  if (step.tuple || step.stages?.some((stage) => stage.type !== 'filter')) unsupported('index (#) bindings');
  const a = e.name('a');
  const b = e.name('b');
  const comparator = e.name('cmp');
  e.open(`const ${comparator} = (${a}, ${b}) =>`);
  const comp = e.name('comp');
  e.line(`let ${comp} = 0;`);
  terms.forEach((term, index) => {
    const body = () => {
      const left = c.gen(term.expression, { ...cx, input: a });
      const right = c.gen(term.expression, { ...cx, input: b });
      e.line(`${comp} = ${rt('orderTerms')}(${left}, ${right}, ${term.descending === true});`);
    };
    if (index === 0) e.block('', body);
    else e.block(`if (${comp} === 0)`, body);
  });
  e.line(`return ${comp} === 1;`);
  e.close(';');
  e.line(`${result} = ${rt('sortSequence')}(${seq}, ${comparator});`);
  let value = result;
  for (const stage of step.stages ?? []) value = genFilter(stage, value, cx, c);
  if (value !== result) e.line(`${result} = ${value};`);
}
