import type { TableShape } from './schema.js';
import type { Affinity } from './affinity.js';
import type { SqliteValue } from './values.js';

/** Text a numeric affinity may turn into a number: anything shaped like a decimal literal, spaces around. */
const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * The row an INSERT of `values` into `columns` stores, in table order — when that is certain
 * without asking: every column left out has no default (so it is NULL), no trigger can change the
 * row, and no value is one the column's affinity converts (numeric text in a numeric column, a
 * number in a text column). Otherwise undefined, and the caller reads the row back (RETURNING,
 * which costs more than the insert itself: it is what this saves on the common path).
 */
export function predictStoredRow(shape: TableShape, columns: readonly number[], values: readonly SqliteValue[]): unknown[] | undefined {
  if (shape.hasTriggers) return undefined;
  for (const position of shape.sqlDefaults) if (!columns.includes(position)) return undefined;
  const row: unknown[] = new Array<unknown>(shape.columns.length).fill(null);
  for (let i = 0; i < columns.length; i++) {
    const position = columns[i] as number;
    const value = values[i] ?? null;
    if (!storedAsGiven(shape.affinities[position] ?? 'numeric', value)) return undefined;
    row[position] = value;
  }
  return row;
}

function storedAsGiven(affinity: Affinity, value: SqliteValue): boolean {
  if (value === null || Buffer.isBuffer(value)) return true;
  if (typeof value === 'string') return affinity !== 'numeric' || !NUMERIC_TEXT.test(value);
  // A bigint reads back as a number, a number into text as text, a non-finite one as NULL.
  if (typeof value === 'number') return affinity !== 'text' && Number.isFinite(value);
  return false;
}
