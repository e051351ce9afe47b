import { ownField } from '../validation/own-field.js';
import type { ExportRow } from './types.js';

/**
 * A row as a JSON object with its keys in column order and missing or null values left out.
 * Written key by key: a JS object would move integer-like keys ("2024") to the front. Own fields
 * only: a missing `constructor` or `toString` column was Object.prototype's function, written
 * `"constructor":undefined` (no JSON), and a missing `__proto__` was `{}`.
 */
export function encodeObject(row: ExportRow, headers: readonly string[]): string {
  const members: string[] = [];
  for (const header of headers) {
    const value = ownField(row, header);
    if (value === undefined || value === null) continue;
    members.push(`${JSON.stringify(header)}:${JSON.stringify(value)}`);
  }
  return `{${members.join(',')}}`;
}
