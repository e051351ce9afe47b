import type { ColumnType } from '../connections/types.js';
import { duplicateKeyMessage, findDuplicateKey } from '../validation/duplicate-keys.js';
import { inexactNumberMessage, inexactNumbers, isInexact } from '../validation/inexact-numbers.js';
import type { RejectError } from '../validation/reject.js';

/**
 * CSV cells are text. When a CSV maps to the table by name (no `columns`), a cell bound for a
 * boolean, number or JSON column is converted when its text is unambiguous ("true", "42",
 * '{"a":1}'); anything else is left as text, for validation to reject with a precise code.
 * What the conversion would change silently is an error in `errors` instead, as for a JSON file
 * (sources/records.ts): a key repeated in a cell's JSON (PARSE_ERROR naming it) and a number a
 * double would round (FORMAT at its path, e.g. user_metadata.id).
 *
 * Converts in place: `values` is the identity mapping's own copy of the record. Assigning to a
 * field the record already has keeps every name a plain field, `__proto__` included, where
 * building a new object with `out[name] = value` would set its prototype and lose the cell.
 */
export function coerceCells(values: Record<string, unknown>, types: ReadonlyMap<string, ColumnType>, errors: RejectError[]): Record<string, unknown> {
  for (const name in values) {
    const value = values[name];
    const type = typeof value === 'string' ? types.get(name) : undefined;
    if (type) values[name] = coerceCell(name, value as string, type, errors);
  }
  return values;
}

function coerceCell(name: string, text: string, type: ColumnType, errors: RejectError[]): unknown {
  switch (type) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'integer':
    case 'real':
      if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) return text;
      if (isInexact(text)) errors.push({ code: 'FORMAT', path: name, message: inexactNumberMessage(false, text) });
      return Number(text);
    case 'json':
      return parseJson(name, text, errors);
    default:
      return text;
  }
}

function parseJson(name: string, text: string, errors: RejectError[]): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return text;
  }
  const duplicate = findDuplicateKey(text, parsed);
  if (duplicate) {
    // The cell stays text: the object JSON.parse made has lost a value.
    errors.push({ code: 'PARSE_ERROR', path: name, message: duplicateKeyMessage(duplicate) });
    return text;
  }
  for (const e of inexactNumbers(text, [name])) errors.push(e);
  return parsed;
}
