import jsonata from 'jsonata';

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

/** Parses an expression; returns the syntax error, or undefined when it compiles. */
export function checkExpression(text: string): ExpressionSyntaxError | undefined {
  try {
    jsonata(text);
    return undefined;
  } catch (err) {
    return toSyntaxError(err as JsonataError, text);
  }
}

export function toSyntaxError(err: JsonataError, text: string): ExpressionSyntaxError {
  const position = typeof err.position === 'number' ? err.position : text.length;
  const tokenLength = err.token && err.token !== '(end)' ? String(err.token).length : 0;
  const offset = Math.max(0, Math.min(text.length, position - tokenLength));
  return { offset, code: err.code ?? 'S0000', message: `JSONata ${err.code ?? 'error'}: ${err.message ?? 'syntax error'}` };
}
