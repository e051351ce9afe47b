import type { ColumnType } from '../connections/types.js';

/**
 * CSV cells are text. When a CSV maps to the table by name (no `columns`), a cell bound for a
 * boolean, number or JSON column is converted when its text is unambiguous ("true", "42",
 * '{"a":1}'); anything else is left as text, for validation to reject with a precise code.
 *
 * Converts in place: `values` is the identity mapping's own copy of the record. Assigning to a
 * field the record already has keeps every name a plain field, `__proto__` included, where
 * building a new object with `out[name] = value` would set its prototype and lose the cell.
 */
export function coerceCells(values: Record<string, unknown>, types: ReadonlyMap<string, ColumnType>): Record<string, unknown> {
  for (const name in values) {
    const value = values[name];
    const type = typeof value === 'string' ? types.get(name) : undefined;
    if (type) values[name] = coerceCell(value as string, type);
  }
  return values;
}

function coerceCell(text: string, type: ColumnType): unknown {
  switch (type) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'integer':
    case 'real':
      return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) ? Number(text) : text;
    case 'json':
      return parseJson(text);
    default:
      return text;
  }
}

function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
