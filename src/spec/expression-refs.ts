import { jsonata } from '../mapping/jsonata-library.js';
import { ferryFunctions, jsonataFunctions } from '../mapping/jsonata-functions.js';
import { closestName } from './closest-name.js';

/**
 * What a JSONata expression refers to outside itself, read from its parsed AST: the functions it
 * calls that nothing defines, and the record fields it reads. Pure; an expression that does not
 * parse has no references (its syntax error is reported elsewhere).
 */
export interface ExpressionRefs {
  /** Calls (and `~> $f` applications) of a function that is neither built in nor bound by the expression. */
  unknownFunctions: { name: string; offset: number; suggestion?: string }[];
  /** Field paths read from the record itself (`Email`, `` `First Name` ``, `address.city`), with the offset of each name. */
  fields: { path: string[]; offsets: number[] }[];
}

interface AstNode {
  type?: unknown;
  value?: unknown;
  position?: unknown;
  steps?: AstNode[];
  procedure?: AstNode;
  rhs?: AstNode;
  lhs?: unknown;
  arguments?: AstNode[];
  focus?: unknown;
  index?: unknown;
}

const builtIn = new Set([...jsonataFunctions, ...ferryFunctions]);
/** Keys whose expressions run over something other than the record (items of a path, groups, sort terms). */
const innerContext = new Set(['stages', 'predicate', 'group', 'terms', 'pattern', 'update', 'delete']);

export function expressionRefs(text: string): ExpressionRefs {
  let ast: AstNode;
  try {
    ast = jsonata(text).ast() as AstNode;
  } catch {
    return { unknownFunctions: [], fields: [] };
  }
  const bound = new Set<string>();
  const refs: ExpressionRefs = { unknownFunctions: [], fields: [] };
  try {
    collectBound(ast, bound);
    walk(ast, true, { text, bound, refs });
  } catch (err) {
    // nested too deeply to walk: validate reports the depth itself (mapping/expression.ts)
    if (err instanceof RangeError) return { unknownFunctions: [], fields: [] };
    throw err;
  }
  return refs;
}

interface Walk {
  text: string;
  bound: Set<string>;
  refs: ExpressionRefs;
}

/** Names the expression binds itself: `$f := …`, lambda parameters, `@$x` / `#$i` path variables. */
function collectBound(node: unknown, bound: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => collectBound(n, bound));
  if (!isNode(node)) return;
  if (node.type === 'bind' && isNode(node.lhs) && typeof node.lhs.value === 'string') bound.add(node.lhs.value);
  if (node.type === 'lambda') for (const arg of node.arguments ?? []) if (typeof arg.value === 'string') bound.add(arg.value);
  if (typeof node.focus === 'string') bound.add(node.focus);
  if (typeof node.index === 'string') bound.add(node.index);
  for (const child of Object.values(node)) collectBound(child, bound);
}

/** `atRecord`: the node is evaluated with the record as its context, so a leading name is a field of it. */
function walk(node: unknown, atRecord: boolean, w: Walk): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, atRecord, w));
  if (!isNode(node)) return;
  if ((node.type === 'function' || node.type === 'partial') && node.procedure) checkCall(node.procedure, w);
  if (node.type === 'apply' && node.rhs?.type === 'variable') checkCall(node.rhs, w);
  if (node.type === 'path' && node.steps) return walkPath(node, node.steps, atRecord, w);
  for (const [key, child] of Object.entries(node)) walk(child, atRecord && !innerContext.has(key), w);
}

function checkCall(procedure: AstNode, w: Walk): void {
  if (procedure.type !== 'variable' || typeof procedure.value !== 'string' || typeof procedure.position !== 'number') return;
  const name = procedure.value;
  if (builtIn.has(name) || w.bound.has(name)) return;
  const suggestion = closestName(name, [...builtIn, ...w.bound]);
  w.refs.unknownFunctions.push({ name, offset: procedure.position - name.length - 1, ...(suggestion ? { suggestion } : {}) });
}

/** A path over the record starts with a name, or with `$` / `$$` then names; later steps read what the first one found. */
function walkPath(node: AstNode, steps: AstNode[], atRecord: boolean, w: Walk): void {
  const lead = steps[0]?.type === 'variable' && (steps[0].value === '' || steps[0].value === '$') ? 1 : 0;
  const names: AstNode[] = [];
  for (const step of steps.slice(lead)) {
    if (step.type !== 'name' || typeof step.value !== 'string') break;
    names.push(step);
  }
  if (atRecord && names.length > 0) w.refs.fields.push({ path: names.map((n) => n.value as string), offsets: names.map((n) => nameStart(n, w.text)) });
  steps.forEach((step, i) => walk(step, atRecord && i === 0 && lead === 0 && names.length === 0, w));
  for (const [key, child] of Object.entries(node)) if (key !== 'steps') walk(child, false, w);
}

/** The parser gives the offset just past a token; a backquoted name is two characters longer. */
function nameStart(step: AstNode, text: string): number {
  const end = step.position as number;
  const quoted = text[end - 1] === '`' ? 2 : 0;
  return Math.max(0, end - (step.value as string).length - quoted);
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !(value instanceof RegExp);
}
