import type { Node } from './ast.js';
import { type Compiler, type Cx, type Ref, rt } from './codegen-types.js';
import { literal } from './emitter.js';
import { genGroup } from './codegen-constructors.js';
import { genFilter } from './codegen-filter.js';
import { genSortStep } from './codegen-sort.js';
import { unsupported } from './unsupported.js';

/**
 * Paths (`a.b[0].c`), as jsonata's `evaluatePath` / `evaluateStep` / `evaluateFilter`: each step
 * maps over the previous step's sequence and flattens, a lone raw array survives the last step,
 * and an empty step ends the path. Loops are emitted inline so a record is walked without
 * allocating closures.
 */
export function genPath(node: Node, cx: Cx, c: Compiler): Ref {
  const steps = node.steps ?? [];
  checkPathSupported(node, steps);
  if (steps.length === 0) unsupported('empty path');
  if (!node.keepSingletonArray && node.group === undefined && steps.every(isPlainName)) {
    const keys = steps.map((step) => step.value as string);
    if (keys.length === 1) return { js: genField(keys[0] as string, cx), seq: false };
    return { js: cx.e.let(`${rt('namePath')}(${cx.input}, [${keys.map(literal).join(', ')}])`), seq: true };
  }
  const result = genSteps(steps, cx, c);
  let js = result;
  if (node.keepSingletonArray) js = cx.e.let(`${rt('keepSingletonPath')}(${js})`);
  if (node.group !== undefined) return { js: genGroup(node.group.lhs, js, cx, c), seq: false };
  return { js, seq: true };
}

/**
 * One name on the context: `field` does it all, but when the context is a plain record (see
 * `isPlainRecord`) and the read yields a string, number or boolean that `Object.prototype` does
 * not supply, it is the record's own property: a direct read (monomorphic per site) suffices.
 */
function genField(key: string, cx: Cx): string {
  const { e } = cx;
  const generic = `${rt('field')}(${cx.input}, ${literal(key)})`;
  if (cx.record?.input !== cx.input) return e.let(generic);
  const direct = e.let(`${cx.record.flag} ? ${cx.input}[${literal(key)}] : undefined`);
  const primitive = ['string', 'number', 'boolean'].map((type) => `typeof ${direct} === '${type}'`).join(' || ');
  return e.let(`(${primitive}) && ${rt('ObjectPrototype')}[${literal(key)}] === undefined ? ${direct} : ${generic}`);
}

function isPlainName(step: Node): boolean {
  return step.type === 'name' && step.stages === undefined && step.predicate === undefined && !step.keepArray;
}

function checkPathSupported(node: Node, steps: Node[]): void {
  if (node.tuple || node.seekingParent !== undefined) unsupported('parent/tuple paths');
  for (const step of steps) {
    if (step.tuple || step.focus !== undefined || step.index !== undefined || step.ancestor !== undefined) {
      unsupported('focus (@), index (#) or parent (%) bindings');
    }
    if (step.stages?.some((stage) => stage.type !== 'filter')) unsupported('index (#) bindings');
  }
}

/** The step loop; returns the identifier of the path's raw result sequence. */
function genSteps(steps: Node[], cx: Cx, c: Compiler): string {
  const { e } = cx;
  const result = e.name('t');
  e.line(`let ${result};`);
  const label = e.name('path');
  e.open(`${label}:`);
  let seq = e.let(steps[0]?.type === 'variable' ? `${rt('seq1')}(${cx.input})` : `${rt('asSeq')}(${cx.input})`, 's');
  steps.forEach((step, index) => {
    const last = index === steps.length - 1;
    if (index === 0 && step.consarray) e.line(`${result} = ${c.gen(step, { ...cx, input: seq })};`);
    else if (step.type === 'sort') genSortStep(step, seq, result, cx, c);
    else genStep(step, seq, result, last, cx, c);
    e.line(`if (${result} === undefined || ${result}.length === 0) break ${label};`);
    if (!last) seq = e.let(result, 's');
  });
  e.close();
  return result;
}

/** One `evaluateStep`: evaluate the step per item, apply its stages, then flatten. */
function genStep(step: Node, seq: string, result: string, last: boolean, cx: Cx, c: Compiler): void {
  const { e } = cx;
  const out = e.let(`${rt('newSeq')}()`);
  const k = e.name('k');
  e.block(`for (let ${k} = 0; ${k} < ${seq}.length; ${k}++)`, () => {
    // the interpreter counts a step per item here; so does compiled code, or `$a.$a.$a.$a` ran unbounded
    e.line(`${rt('tick')}();`);
    const item = e.let(`${seq}[${k}]`);
    let value = c.gen(step, { ...cx, input: item });
    for (const stage of step.stages ?? []) value = genFilter(stage, value, cx, c);
    e.line(`if (${value} !== undefined) ${out}.push(${value});`);
  });
  e.line(`${result} = ${rt('stepResult')}(${out}, ${last});`);
}
