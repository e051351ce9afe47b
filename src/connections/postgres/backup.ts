import { decodeRow } from '../decode-row.js';
import { run, textArray, type ApplyContext } from './context.js';
import { decodeImage } from './decode.js';
import { imageText } from '../inexact-json.js';
import type { PreparedRow } from './rows.js';
import type { PgShape } from './schema.js';
import type { Returning } from './sql.js';
import { encodePg, isInvalid, type PgText } from './values.js';
import type { RowChange } from '../types.js';

/**
 * The job's backup on PostgreSQL: an update's rows are read whole just before it (they are locked
 * since the lookup, so that is their image before the job), and every insert and update returns
 * each written row's hash and key — the whole row too in a dry run — in the same statement.
 */

/** What this batch's writes return of each row (see PgStatements `returning`). */
export function returningOf(ctx: ApplyContext): Returning {
  return { key: ctx.key, image: ctx.input.preview === true };
}

/** The whole rows at `tids`, by ctid: the before-images of the rows about to be updated. */
export async function readBefores(ctx: ApplyContext, tids: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const { rows } = await run(ctx, ctx.sql.rowsAt(), [textArray(tids)], true);
  return new Map(rows.map((r) => [r[0] as string, decodeRow(ctx.shape.columns, r.slice(1), decodeImage)]));
}

/** Records one written row's change from what its statement returned: `[hash, ...key columns, ...whole row]`. */
export function recordChange(ctx: ApplyContext, row: PreparedRow, before: Record<string, unknown> | null, returned: readonly unknown[]): void {
  const key: Record<string, unknown> = {};
  ctx.key.forEach((position, i) => {
    const column = ctx.shape.columns[position]!;
    key[column.name] = decodeImage(column, returned[1 + i]);
  });
  const change: RowChange = { row: row.row, key, before, afterHash: returned[0] as string };
  if (ctx.input.preview) change.after = decodeRow(ctx.shape.columns, returned.slice(1 + ctx.key.length), decodeImage);
  ctx.changes.set(row, change);
}

/** A backup value as the text the column casts back from (the inverse of `decodeImage` over `imageTypes`). */
export function encodeImage(shape: PgShape, position: number, value: unknown): PgText {
  if (value === null || value === undefined) return null;
  const column = shape.columns[position]!;
  if (column.type !== 'json' && column.type !== 'boolean') return typeof value === 'string' ? value : String(value);
  const text = column.type === 'json' ? imageText(value) : undefined;
  if (text !== undefined) return text;
  const encoded = encodePg(column.name, column.type, shape.baseTypes[position] ?? '', value);
  if (isInvalid(encoded)) throw new Error(`backup value of ${column.name} does not fit its ${column.type} column`);
  return encoded;
}
