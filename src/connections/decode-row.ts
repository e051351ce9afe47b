import type { ColumnInfo } from './types.js';
import { setOwnField } from '../validation/own-field.js';

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
    setOwnField(out, column.name, decodeValue(column, value));
  });
  return out;
}

/**
 * The columns a page reads: those named in `fields` (ReadPageInput.fields), in table order, or all
 * of them. At least one, so the SELECT list is never empty: a mapping of constants still gets one
 * row per matching row.
 */
export function readColumns(columns: readonly ColumnInfo[], fields: readonly string[] | undefined): readonly ColumnInfo[] {
  if (fields === undefined) return columns;
  const wanted = new Set(fields);
  const read = columns.filter((c) => wanted.has(c.name));
  return read.length > 0 ? read : columns.slice(0, 1);
}
