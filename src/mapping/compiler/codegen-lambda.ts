import { type Node, child } from './ast.js';
import { type Compiler, type Cx, rt } from './codegen-types.js';
import { literal } from './emitter.js';
import { Frame, checkBindableName } from './scope.js';
import { unsupported } from './unsupported.js';

/** A lambda as a JS closure `(callerContext, ...params)`, capturing the context it was made in. */
export function genLambda(node: Node, cx: Cx, c: Compiler): string {
  const { e } = cx;
  const body = child(node, 'body');
  checkTail(body);
  const params = (node.arguments ?? []).map((param) => checkBindableName(param.value));
  const frame = new Frame(cx.frame, 'lambda');
  const callerContext = e.name('c');
  const ids = params.map(() => e.name('p'));
  params.forEach((param, index) => frame.vars.set(param, { js: ids[index] as string, fn: false, param: true, bound: true }));
  const fn = e.name('f');
  const definition = signatureOf(node);
  if (definition === undefined) {
    e.open(`const ${fn} = ${rt('lambda')}(${params.length}, (${[callerContext, ...ids].join(', ')}) =>`);
  } else {
    // `apply` validates the arguments (with the caller's context) before binding them
    const signature = e.constant(`${rt('parseSignature')}(${literal(definition)})`);
    const raw = e.name('a');
    e.open(`const ${fn} = ${rt('lambda')}(${params.length}, (${callerContext}, ...${raw}) =>`);
    const validated = e.let(`${signature}.validate(${raw}, ${callerContext})`);
    ids.forEach((id, index) => e.line(`const ${id} = ${validated}[${index}];`));
  }
  const value = c.statements([body], frame, { ...cx, frame, lambdaCtx: callerContext });
  e.line(`return ${value};`);
  e.close(');');
  return fn;
}

function signatureOf(node: Node): string | undefined {
  if (node.signature === undefined) return undefined;
  const definition = (node.signature as { definition?: unknown }).definition;
  if (typeof definition !== 'string') unsupported('an unreadable function signature');
  return definition;
}

/** Tail calls skip `evaluate`'s tail; a predicate or `[]` around one would behave differently. */
function checkTail(node: Node): void {
  if (node.type === 'lambda' && node.thunk) return;
  const tails = node.type === 'condition' ? [node.then, node.else] : node.type === 'block' ? [node.expressions?.at(-1)] : [];
  const present = tails.filter((tail): tail is Node => tail !== undefined);
  if (present.length > 0 && (node.predicate !== undefined || node.keepArray || node.group !== undefined)) {
    unsupported('a filtered conditional or block around a tail call');
  }
  present.forEach(checkTail);
}
