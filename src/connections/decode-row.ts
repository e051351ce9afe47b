import type { ColumnInfo } from './types.js';

/**
 * A stored row (values in column order) as plain values, NULL columns left out. Each driver says
 * how one value of its own decodes (booleans, JSON, timestamps differ between them).
 */
export function decodeRow(
  columns: readonly ColumnInfo[],
  row: readonly unknown[],
  decodeValue: (column: ColumnInfo, value: unknown) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const value = row[i];
    if (value === null || value === undefined) return;
    out[column.name] = decodeValue(column, value);
  });
  return out;
}
