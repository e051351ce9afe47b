import { PICTURE_LIMIT } from './budget.js';
import { borrowImplementations } from './compiler/borrowed.js';
import { populateMessage, type JsonataError } from './compiler/errors.js';
import { safeBorrowed } from './compiler/linear-dates.js';

/**
 * A picture written as a literal (`$formatInteger(n, "###")`) that the function cannot use is
 * known before any record: without this check `ferry validate` passed the pipeline, and `ferry run`
 * rejected every record with the same error. The picture is tried as evaluation would try it (the
 * same implementations, on a sample value), and its error is reported at the literal.
 */

/** The functions whose picture is checked: the argument it is, and the call that tries it. */
const PICTURE_CALLS: Record<string, { index: number; tries: string; sample: number }> = {
  formatInteger: { index: 1, tries: 'formatInteger', sample: 1 },
  // jsonata reads an integer picture the same way for parsing and formatting
  parseInteger: { index: 1, tries: 'formatInteger', sample: 1 },
  formatNumber: { index: 1, tries: 'formatNumber', sample: 1 },
  fromMillis: { index: 1, tries: 'fromMillis', sample: 0 },
  now: { index: 0, tries: 'fromMillis', sample: 0 },
};

const implementations = borrowImplementations(['formatInteger', 'formatNumber', 'fromMillis']);

export interface PictureProblem {
  offset: number;
  message: string;
}

interface Node {
  type?: unknown;
  value?: unknown;
  position?: unknown;
  arguments?: unknown;
  procedure?: { type?: unknown; value?: unknown };
  lhs?: unknown;
  rhs?: unknown;
}

/** The first literal picture of `ast` (the parsed `text`) that its function refuses. */
export function pictureProblem(ast: unknown, text: string): PictureProblem | undefined {
  const rebound = reboundNames(ast);
  const stack: { node: unknown; piped: boolean }[] = [{ node: ast, piped: false }];
  while (stack.length > 0) {
    const { node, piped } = stack.pop()!;
    if (typeof node !== 'object' || node === null || node instanceof RegExp) continue;
    const n = node as Node;
    const found = n.type === 'function' ? literalPicture(n, piped, rebound, text) : undefined;
    if (found) return found;
    for (const [key, child] of Object.entries(node)) {
      // `x ~> $f(a)` calls $f(x, a): the written arguments start at the second
      stack.push({ node: child, piped: n.type === 'apply' && key === 'rhs' });
    }
  }
  return undefined;
}

function literalPicture(call: Node, piped: boolean, rebound: Set<string>, text: string): PictureProblem | undefined {
  const name = call.procedure?.type === 'variable' ? call.procedure.value : undefined;
  if (typeof name !== 'string' || !Object.hasOwn(PICTURE_CALLS, name) || rebound.has(name)) return undefined;
  const { index, tries, sample } = PICTURE_CALLS[name]!;
  const args = Array.isArray(call.arguments) ? (call.arguments as Node[]) : [];
  const literal = args[piped ? index - 1 : index];
  if (literal?.type !== 'string' || typeof literal.value !== 'string' || literal.value.length > PICTURE_LIMIT) return undefined;
  const impl = implementations.get(tries);
  if (impl === undefined) return undefined;
  try {
    safeBorrowed(tries, impl).call(undefined, sample, literal.value);
    return undefined;
  } catch (err) {
    const message = `$${name}: the picture ${JSON.stringify(literal.value)} cannot be used: ${reason(err)}`;
    return { offset: literalStart(literal, text), message };
  }
}

function reason(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as JsonataError;
  // Ferry's own errors name the call already (`$formatNumber: the picture asks for …`)
  if (typeof e.code !== 'string' || !/^[A-Z]\d{4}$/.test(e.code)) return String(e.message ?? err).replace(/^\$\w+(?:\([^)]*\))?: /, '');
  const said = populateMessage({ ...e }).message ?? e.code;
  // "a sequence starting with "###"": what jsonata says of an integer picture without a digit
  const hint = e.code === 'D3130' ? ' (a decimal picture needs a digit 0–9, such as "#,##0"; the others are A, a, I, i, W, w and Ww)' : '';
  return `${said}${hint}`;
}

/** Names the expression binds itself (`$formatInteger := function…`): not the built-in. */
function reboundNames(ast: unknown): Set<string> {
  const names = new Set<string>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || node instanceof RegExp) continue;
    const n = node as Node;
    if (n.type === 'bind') {
      const lhs = n.lhs as Node | undefined;
      if (typeof lhs?.value === 'string') names.add(lhs.value);
    }
    if (n.type === 'lambda' && Array.isArray(n.arguments)) for (const a of n.arguments as Node[]) if (typeof a.value === 'string') names.add(a.value);
    for (const child of Object.values(node)) stack.push(child);
  }
  return names;
}

/** Where a string literal starts in `text`: jsonata's position is its end. */
function literalStart(literal: Node, text: string): number {
  const end = typeof literal.position === 'number' ? Math.min(literal.position, text.length) : text.length;
  const value = String(literal.value);
  for (const written of [JSON.stringify(value), `'${value}'`]) if (text.slice(end - written.length, end) === written) return end - written.length;
  return Math.max(0, end - value.length - 2);
}
