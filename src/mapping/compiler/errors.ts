import { messageTemplates } from './messages.js';

/**
 * Errors raised by compiled expressions. They are plain objects shaped like the `jsonata`
 * interpreter's (`code`, `token`, `value`, …) so callers can treat both the same way, and their
 * messages come from the same templates.
 */
export interface JsonataError {
  code: string;
  message?: string;
  token?: unknown;
  value?: unknown;
  value2?: unknown;
  index?: number;
  type?: string;
  exp?: unknown;
  functionName?: string;
  /** Set by the runtime when several parallel parts failed: see `DEFER_CODE`. */
  [key: string]: unknown;
}

/**
 * The compiled code found a situation where only the interpreter can give the exact answer (e.g.
 * two items of an array constructor failed at once: the interpreter reports whichever its async
 * scheduler reaches first). The caller evaluates that expression with the interpreter instead.
 */
export const DEFER_CODE = 'FERRY_DEFER';

export function deferral(reason: string): JsonataError {
  return { code: DEFER_CODE, message: reason };
}

export function isDeferral(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DEFER_CODE;
}

export function fail(code: string, fields: Omit<JsonataError, 'code'> = {}): JsonataError {
  return { code, ...fields };
}

/** Like the interpreter's operator catch blocks: the operator becomes the error's token. */
export function retoken(err: unknown, token: string): unknown {
  if (typeof err === 'object' && err !== null && !isDeferral(err)) (err as JsonataError).token = token;
  return err;
}

/** Like the interpreter's function-call catch block: only fills a token that is missing. */
export function fillToken(err: unknown, token: string): unknown {
  if (typeof err === 'object' && err !== null && !(err as JsonataError).token) (err as JsonataError).token = token;
  return err;
}

/** The interpreter's `populateMessage`: `{{x}}` inserts JSON, `{{{x}}}` the raw field. */
export function populateMessage(err: JsonataError): JsonataError {
  const template = Object.prototype.hasOwnProperty.call(messageTemplates, err.code) ? messageTemplates[err.code] : undefined;
  if (template === undefined) return err;
  const raw = template.replace(/\{\{\{([^}]+)}}}/g, (_m, field: string) => String(err[field]));
  err.message = raw.replace(/\{\{([^}]+)}}/g, (_m, field: string) => String(JSON.stringify(err[field])));
  return err;
}
