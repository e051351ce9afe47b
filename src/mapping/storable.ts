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
  // One stack kept between calls, as json-size.ts keeps its own (the walk is synchronous): a new
  // array per object value of every record was ~5% of an import's allocation. Slots are cleared
  // as they are taken, and all of them on an early return, so no record's values stay behind.
  const stack = walkStack;
  let top = 0;
  let found: 'function' | 'not finite' | null = null;
  stack[top++] = value;
  while (top > 0) {
    const item = stack[--top];
    stack[top] = undefined;
    if (typeof item === 'number' && !Number.isFinite(item)) found = 'not finite';
    if (typeof item === 'function' || (typeof item === 'object' && item !== null && isFunctionObject(item))) {
      found = 'function';
      while (top > 0) stack[--top] = undefined;
      break;
    }
    if (typeof item !== 'object' || item === null) continue;
    if (Array.isArray(item)) for (const v of item as unknown[]) stack[top++] = v;
    // for…in over own keys, as json-size.ts walks: no pair array per field
    else for (const k in item) if (Object.hasOwn(item, k)) stack[top++] = (item as Record<string, unknown>)[k];
  }
  // A wide value (an array of millions) leaves no large stack behind.
  if (stack.length > WALK_STACK_KEPT) walkStack = [];
  return found;
}

/** unstorable's stack: emptied after each walk, and dropped when a wide value grew it. */
let walkStack: unknown[] = [];
const WALK_STACK_KEPT = 4096;

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
