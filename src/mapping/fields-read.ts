import { jsonata } from './jsonata-library.js';
import { isUnder } from '../validation/well-formed.js';

/** The record fields a set of expressions can read, or 'all' when one of them can read the record as a whole. */
export type FieldsRead = ReadonlySet<string> | 'all';

/**
 * Built-ins whose first parameter takes the context when it is left out (a `-` in jsonata's
 * signature), with the fewest arguments that can never leave it out. Fewer, and the function may be
 * handed the whole record: `$string()`, or `$substring(2)`, where 2 cannot be the string.
 * `$string(x)` is safe with one argument because its first parameter accepts anything.
 */
const CONTEXT_DEFAULT: ReadonlyMap<string, number> = new Map([
  ...['string', 'lowercase', 'uppercase', 'length', 'trim', 'number', 'floor', 'ceil', 'abs', 'sqrt', 'boolean', 'not', 'keys', 'spread', 'clone'].map(
    (name) => [name, 1] as const,
  ),
  ...['encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'base64encode', 'base64decode'].map((name) => [name, 1] as const),
  ...[
    'substringBefore',
    'substringAfter',
    'contains',
    'formatBase',
    'formatInteger',
    'parseInteger',
    'round',
    'power',
    'sift',
    'lookup',
    'each',
    'toMillis',
  ].map((name) => [name, 2] as const),
  ...['substring', 'pad', 'match', 'split', 'formatNumber', 'fromMillis'].map((name) => [name, 3] as const),
  ['replace', 4],
  // Evaluates text the mapping cannot see in advance, against the record.
  ['eval', Number.POSITIVE_INFINITY],
]);

/** `collect`, answering 'all' for an expression nested too deeply to walk (`((((…))))` 1,500 deep overflowed the stack). */
function readsAll(ast: unknown, names: Set<string>): boolean {
  try {
    return collect(ast, names);
  } catch (err) {
    if (err instanceof RangeError) return true;
    throw err;
  }
}

/**
 * Every field name and string literal the expressions hold (a string can name a field through
 * `$lookup`), or 'all' when one of them can read the record as a whole: `$`, `$$`, `*`, `**`, a
 * parent step, a context-taking built-in called with too few arguments or passed around as a value
 * (see CONTEXT_DEFAULT), a lambda whose signature takes the context (`<x-:s>`), or text that does
 * not parse. A superset is harmless (names of nested fields, of `$job` keys, of object keys);
 * missing a field is not, so every doubt answers 'all'.
 */
export function fieldsRead(expressions: Iterable<string>): FieldsRead {
  const names = new Set<string>();
  for (const text of expressions) {
    let ast: unknown;
    try {
      ast = jsonata(text).ast();
    } catch {
      return 'all';
    }
    if (readsAll(ast, names)) return 'all';
  }
  return names;
}

/**
 * Whether the value at `path` (a reject path: `meta.tw`, `ids[2]`) lies in a field of `fields`. A
 * path cannot tell a key `a.b` from `b` under `a`, so every prefix that ends before a `.` or `[`
 * counts; a record-level path ('') always does.
 */
export function readsPath(fields: FieldsRead, path: string): boolean {
  return fields === 'all' || path === '' || isUnder(path, fields);
}

interface AstNode {
  type?: unknown;
  value?: unknown;
  procedure?: AstNode;
  arguments?: unknown[];
  lhs?: unknown;
  rhs?: AstNode;
  signature?: { definition?: unknown };
}

/**
 * Adds the names under `node`; true when it can read the whole record. Every child is walked,
 * whatever the node: jsonata hangs a step's filter (`[…]`), grouping (`{…}`) and sort terms on the
 * node they follow, a variable or a call included (`$tiers[min <= $$.n]`, `$string(n)[$$.flag]`).
 */
function collect(node: unknown, into: Set<string>): boolean {
  if (Array.isArray(node)) return node.some((n) => collect(n, into));
  if (typeof node !== 'object' || node === null || node instanceof RegExp) return false;
  const n = node as AstNode;
  if (n.type === 'wildcard' || n.type === 'descendant' || n.type === 'parent') return true;
  // A lambda of its own can take the context too: `function($x)<x-:s>{…}` called as `$f()`.
  if (n.type === 'lambda' && typeof n.signature?.definition === 'string' && n.signature.definition.includes('-')) return true;
  if (n.type === 'variable' && (n.value === '' || n.value === '$' || contextFunction(n) !== undefined)) return true;
  if ((n.type === 'name' || n.type === 'string') && typeof n.value === 'string') into.add(n.value);
  if (n.type === 'function' || n.type === 'partial') return call(n, 0, into);
  // `x ~> $f(a)` is `$f(x, a)`, and `x ~> $f` is `$f(x)`.
  if (n.type === 'apply' && n.rhs?.type === 'variable' && contextFunction(n.rhs) !== undefined)
    return call({ procedure: n.rhs, arguments: [] }, 1, into) || collect(n.lhs, into);
  if (n.type === 'apply' && n.rhs?.type === 'function') return call(n.rhs, 1, into) || collect(n.lhs, into);
  return Object.values(node).some((child) => collect(child, into));
}

/**
 * A call with `extra` arguments supplied from outside its parentheses: true when a context-taking
 * built-in is short of arguments; otherwise its arguments, filters and groupings are walked, and
 * its callee as a callee (a built-in named there is called, not passed around).
 */
function call(n: AstNode, extra: number, into: Set<string>): boolean {
  const fewest = n.procedure ? contextFunction(n.procedure) : undefined;
  if (fewest !== undefined && (n.arguments?.length ?? 0) + extra < fewest) return true;
  return Object.entries(n).some(([key, child]) => (key === 'procedure' ? callee(child as AstNode, into) : collect(child, into)));
}

function callee(procedure: AstNode, into: Set<string>): boolean {
  if (contextFunction(procedure) === undefined) return collect(procedure, into);
  return Object.entries(procedure).some(([key, child]) => key !== 'value' && collect(child, into));
}

/** CONTEXT_DEFAULT's entry for a `$name` reference to such a built-in. */
function contextFunction(n: AstNode): number | undefined {
  return n.type === 'variable' && typeof n.value === 'string' ? CONTEXT_DEFAULT.get(n.value) : undefined;
}
