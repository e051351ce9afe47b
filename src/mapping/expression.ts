import { jsonata } from './jsonata-library.js';
import { linearRegexProblem } from './linear-regex.js';
import { pictureProblem } from './picture-literals.js';
import { isInexact } from '../validation/inexact-numbers.js';

/** A syntax error in a JSONata expression, with the 0-based offset of the offending token. */
export interface ExpressionSyntaxError {
  offset: number;
  code: string;
  message: string;
}

interface JsonataError {
  code?: string;
  position?: number;
  token?: string;
  message?: string;
}

/** Parses an expression; returns the syntax error (or a regex the linear-time engine cannot run), or undefined when it compiles. */
export function checkExpression(text: string): ExpressionSyntaxError | undefined {
  let ast: unknown;
  try {
    ast = jsonata(text).ast();
  } catch (err) {
    return toSyntaxError(err as JsonataError, text);
  }
  return depthProblem(ast, text) ?? regexProblem(ast, text) ?? numberProblem(ast, text) ?? pictureError(ast, text);
}

/** A literal picture its function cannot use (picture-literals.ts). */
function pictureError(ast: unknown, text: string): ExpressionSyntaxError | undefined {
  const found = pictureProblem(ast, text);
  return found && { offset: found.offset, code: 'FERRY_PICTURE', message: found.message };
}

/**
 * How deep an expression's parsed tree may nest, in objects and arrays. Everything that reads the
 * tree (the compiler, the field and secret analyses, validate's references) walks it recursively,
 * and 800 nested object constructors overflowed their stack: `ferry validate` and `ferry run`
 * ended in "Maximum call stack size exceeded", naming nothing. The limit takes a chain of 1,000 `or`,
 * 500 nested parentheses or 330 nested `{…}` (each a few levels); no real mapping comes near.
 */
export const MAX_EXPRESSION_DEPTH = 1000;

/** The first place the tree nests deeper than MAX_EXPRESSION_DEPTH (walked without recursion), at the nearest token. */
function depthProblem(ast: unknown, text: string): ExpressionSyntaxError | undefined {
  const stack: { node: unknown; depth: number; position: number }[] = [{ node: ast, depth: 0, position: 0 }];
  while (stack.length > 0) {
    const { node, depth, position: outer } = stack.pop()!;
    if (typeof node !== 'object' || node === null || node instanceof RegExp) continue;
    const own = (node as { position?: unknown }).position;
    const position = typeof own === 'number' ? own : outer;
    if (depth > MAX_EXPRESSION_DEPTH) {
      const message = `the expression nests too deeply (more than ${MAX_EXPRESSION_DEPTH} levels of parentheses, brackets, calls, objects or chained operators): split it, or test a list with \`in\``;
      return { offset: Math.max(0, Math.min(text.length, position - 1)), code: 'FERRY_DEPTH', message };
    }
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1, position });
  }
  return undefined;
}

/** The first regex literal RE2 syntax refuses; the offset is the literal's start. */
function regexProblem(node: unknown, text: string): ExpressionSyntaxError | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const n = node as { type?: unknown; value?: unknown; position?: unknown };
  if (n.type === 'regex' && n.value instanceof RegExp) {
    const problem = linearRegexProblem(n.value.source, n.value.flags);
    if (problem) {
      const written = text.indexOf(`/${n.value.source}/`);
      const offset = written >= 0 ? written : typeof n.position === 'number' ? Math.min(n.position, text.length) : 0;
      return { offset, code: 'S0302', message: problem };
    }
  }
  for (const child of Object.values(node)) {
    const found = regexProblem(child, text);
    if (found) return found;
  }
  return undefined;
}

/**
 * The first number literal a double cannot hold as written (`12345678901234567891`, past ±2^53 − 1,
 * or `1e-400`, which reads as 0): jsonata reads it as the nearest double, and the job would write
 * 12345678901234567000 on every record without a word. The same digits in a source are a FORMAT
 * reject (validation/inexact-numbers.ts), and in `$number("…")` a MAPPING_ERROR.
 */
export function numberProblem(ast: unknown, text: string): ExpressionSyntaxError | undefined {
  const found = inexactLiteral(ast, text);
  if (found === undefined) return undefined;
  const { literal, offset } = found;
  const message = `the number ${literal} would be read as ${String(Number(literal))}: ${DOUBLES}; write it as a string ("${literal}")`;
  return { offset, code: 'FERRY_NUMBER', message };
}

export const DOUBLES = `numbers are doubles, which hold integers exactly only up to ±2^53 (${Number.MAX_SAFE_INTEGER})`;

/** A number literal of the tree that a double would change, as written, and where it starts. */
export function inexactLiteral(ast: unknown, text: string): { literal: string; offset: number } | undefined {
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || node instanceof RegExp) continue;
    const n = node as { type?: unknown; value?: unknown; position?: unknown };
    if (
      n.type === 'number' &&
      typeof n.value === 'number' &&
      typeof n.position === 'number' &&
      (n.value === 0 || Math.abs(n.value) > Number.MAX_SAFE_INTEGER)
    ) {
      // the node's position is the end of its literal (a leading minus is folded into the value)
      const literal = NUMBER_AT_END.exec(text.slice(0, n.position))?.[0];
      if (literal !== undefined && isInexact(literal)) return { literal, offset: n.position - literal.length };
    }
    for (const child of Object.values(node)) stack.push(child);
  }
  return undefined;
}

/** jsonata's number token, at the end of the text before a number node's position. */
const NUMBER_AT_END = /(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

export function toSyntaxError(err: JsonataError, text: string): ExpressionSyntaxError {
  // jsonata's parser recurses once per level: 2,000 nested brackets overflow it before any limit of ours
  if (err instanceof RangeError) {
    return { offset: 0, code: 'FERRY_DEPTH', message: `the expression nests too deeply to parse (more than ${MAX_EXPRESSION_DEPTH} levels): split it` };
  }
  const position = typeof err.position === 'number' ? err.position : text.length;
  const tokenLength = err.token && err.token !== '(end)' ? String(err.token).length : 0;
  const offset = Math.max(0, Math.min(text.length, position - tokenLength));
  return { offset, code: err.code ?? 'S0000', message: `JSONata ${err.code ?? 'error'}: ${err.message ?? 'syntax error'}` };
}
