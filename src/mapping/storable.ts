/** The code of a column value no store can hold (formatted like a budget error: the column, then why). */
export const UNSTORABLE_CODE = 'FERRY_UNSTORABLE';

export interface UnstorableError {
  code: typeof UNSTORABLE_CODE;
  message: string;
}

/**
 * A column's value must be JSON. An expression can also give a function — a lambda
 * (`{"f": function($x){$x}}`), a built-in used as a value (`$string`) or a regex (`/a/`) — which
 * no column can hold: a lambda carries its whole evaluation environment, the source record
 * included, in a cycle that failed a file export's whole batch ("Converting circular structure to
 * JSON"), and a built-in was stored as `{"_jsonata_function":true,…}`. Such a value rejects the
 * record at its column instead.
 */
export function checkStorable(value: unknown): void {
  const problem = unstorable(value);
  if (problem === 'function') {
    throw {
      code: UNSTORABLE_CODE,
      message: 'the value is or holds a function (a lambda, a built-in such as $string, or a regex), which no column can store: call it, or leave it out',
    } satisfies UnstorableError;
  }
  // JSON has no NaN or Infinity: every store wrote `0/0`, `1e308 * 10` or `$sum` past the largest double as null, silently
  if (problem === 'not finite') {
    throw {
      code: UNSTORABLE_CODE,
      message:
        'the value is or holds a number that is not finite (0/0, a division by zero, or past ±1.8e308), which no column can store (JSON would write null)',
    } satisfies UnstorableError;
  }
}

function unstorable(value: unknown): 'function' | 'not finite' | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'not finite';
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? 'function' : null;
  const stack: unknown[] = [value];
  let found: 'not finite' | null = null;
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'function') return 'function';
    if (typeof item === 'number' && !Number.isFinite(item)) found = 'not finite';
    if (typeof item !== 'object' || item === null) continue;
    if (isFunctionObject(item)) return 'function';
    if (Array.isArray(item)) for (const v of item) stack.push(v);
    // for…in over own keys, as json-size.ts walks: no pair array per field
    else for (const k in item) if (Object.hasOwn(item, k)) stack.push((item as Record<string, unknown>)[k]);
  }
  return found;
}

/**
 * A function as jsonata represents one: a lambda (with its `apply`, or a partial application's
 * environment) or a built-in (with its implementation). Data may carry the marker keys themselves
 * (`{"_jsonata_lambda": true}` in a JSON source), and is JSON all the same: a function is only one
 * that holds JavaScript code.
 */
function isFunctionObject(item: object): boolean {
  const marked = item as {
    _jsonata_lambda?: unknown;
    _jsonata_function?: unknown;
    apply?: unknown;
    environment?: { lookup?: unknown };
    implementation?: unknown;
  };
  if (marked._jsonata_function === true) return typeof marked.implementation === 'function';
  if (marked._jsonata_lambda !== true) return false;
  const environment = marked.environment;
  return typeof marked.apply === 'function' || (typeof environment === 'object' && environment !== null && typeof environment.lookup === 'function');
}
