import jsonata from 'jsonata';
import { linearRegexProblem } from './linear-regex.js';

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
  return regexProblem(ast, text);
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

export function toSyntaxError(err: JsonataError, text: string): ExpressionSyntaxError {
  const position = typeof err.position === 'number' ? err.position : text.length;
  const tokenLength = err.token && err.token !== '(end)' ? String(err.token).length : 0;
  const offset = Math.max(0, Math.min(text.length, position - tokenLength));
  return { offset, code: err.code ?? 'S0000', message: `JSONata ${err.code ?? 'error'}: ${err.message ?? 'syntax error'}` };
}
