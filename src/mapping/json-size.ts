/**
 * A lower bound of the JSON text of `value` (as `$string`, `&` or a JSON column write it): each
 * string, key, item and scalar counts. A value can hold one large string many times by reference
 * at no cost, but its JSON cannot, so the walk stops once past `room` (a top-level string, whose
 * size is known, counts 0). Functions, which JSONata writes as "", count 1.
 */
export function jsonLowerBound(value: unknown, room: number): number {
  if (typeof value === 'string') return 0;
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= room) {
    const item = stack.pop();
    if (typeof item === 'string') total += item.length;
    else if (Array.isArray(item)) {
      total += 1 + item.length;
      if (total <= room) for (const v of item) stack.push(v);
    } else if (typeof item === 'object' && item !== null && !isLambda(item)) {
      // for…in over own keys: Object.entries made a pair array per field of every mapped value.
      for (const k in item) {
        if (!Object.hasOwn(item, k)) continue;
        total += k.length;
        stack.push((item as Record<string, unknown>)[k]);
      }
    } else total += 1;
  }
  return total;
}

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
