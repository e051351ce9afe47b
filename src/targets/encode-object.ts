import type { ExportRow } from './types.js';

/**
 * A row as a JSON object with its keys in column order and missing or null values left out.
 * Written key by key: a JS object would move integer-like keys ("2024") to the front.
 */
export function encodeObject(row: ExportRow, headers: readonly string[]): string {
  const members: string[] = [];
  for (const header of headers) {
    const value = row[header];
    if (value === undefined || value === null) continue;
    members.push(`${JSON.stringify(header)}:${JSON.stringify(value)}`);
  }
  return `{${members.join(',')}}`;
}
