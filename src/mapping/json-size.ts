/**
 * A lower bound of the JSON text of `value` (as `$string`, `&` or a JSON column write it): each
 * string, key, item and scalar counts. A value can hold one large string many times by reference
 * at no cost, but its JSON cannot, so the walk stops once past `room` (a top-level string, whose
 * size is known, counts 0). Functions, which JSONata writes as "", count 1.
 */
export function jsonLowerBound(value: unknown, room: number): number {
  if (typeof value === 'string') return 0;
  // One stack kept between calls (the walk is synchronous, so never shared by two): a new array
  // per value was 3% of an import's allocation. Slots are cleared as they are taken, so it holds
  // no record's values after the walk.
  const stack = walkStack;
  let top = 0;
  let total = 0;
  stack[top++] = value;
  while (top > 0) {
    if (total > room) {
      while (top > 0) stack[--top] = undefined;
      break;
    }
    const item = stack[--top];
    stack[top] = undefined;
    if (typeof item === 'string') total += item.length;
    else if (Array.isArray(item)) {
      total += 1 + item.length;
      if (total <= room) for (const v of item as unknown[]) stack[top++] = v;
    } else if (typeof item === 'object' && item !== null && !isLambda(item)) {
      // for…in over own keys: Object.entries made a pair array per field of every mapped value.
      for (const k in item) {
        if (!Object.hasOwn(item, k)) continue;
        total += k.length;
        stack[top++] = (item as Record<string, unknown>)[k];
      }
    } else total += 1;
  }
  // A wide value (an array of millions) leaves no large stack behind.
  if (stack.length > WALK_STACK_KEPT) walkStack = [];
  return total;
}

/** jsonLowerBound's stack: emptied after each walk, and dropped when a wide value grew it. */
let walkStack: unknown[] = [];
const WALK_STACK_KEPT = 4096;

function isLambda(item: object): boolean {
  const marked = item as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return marked._jsonata_lambda === true || marked._jsonata_function === true;
}

/**
 * About the size of a mapped record's text, for how much of it a batch holds before writing it
 * out: each column's name, its strings' lengths, its objects' JSON (a lower bound, stopping past
 * `room`), 1 for anything else.
 */
export function mappedChars(values: Record<string, unknown>, room: number): number {
  let chars = 0;
  for (const column in values) {
    const value = values[column];
    chars += column.length + (typeof value === 'string' ? value.length : typeof value === 'object' && value !== null ? jsonLowerBound(value, room) : 1);
  }
  return chars;
}
