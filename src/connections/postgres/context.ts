import type { ClientBase, CustomTypesConfig } from 'pg';
import type { RejectError } from '../../validation/reject.js';
import type { PreparedRow } from './rows.js';
import type { PgShape } from './schema.js';
import type { PgStatement, PgStatements } from './sql.js';
import type { PgText } from './values.js';
import type { GeneratedColumns } from '../table-shape.js';
import type { JobUserIds } from '../users-table.js';
import type { RowChange, WriteBatchInput } from '../types.js';
import { imageTypes } from './decode.js';

export type Outcome = 'inserted' | 'updated' | 'unchanged' | RejectError[];

/** What every statement of one batch shares: the session inside the batch's transaction, and the table. */
export interface ApplyContext {
  client: ClientBase;
  shape: PgShape;
  sql: PgStatements;
  input: WriteBatchInput;
  /** Positions of the key columns. */
  key: number[];
  /** The job as ferry_job_keys identifies it (`jobHash`). */
  jobId: string;
  generated: GeneratedColumns;
  /** The user_ids this job generates, and the source row of one it generated. */
  ids: JobUserIds;
  /**
   * True when a row that leaves user_id to Ferry needs no claim in ferry_job_keys (see
   * `apply.ts` `claimKeys`): an insert (not an upsert) into the built-in table, keyed by columns a
   * unique index covers.
   */
  selfIdentifying: boolean;
  /** Each written row's change (the job's backup), filled as the rows are written; per attempt. */
  changes: Map<PreparedRow, RowChange>;
}

/** Runs a prepared statement; `array` returns rows as arrays (no object per row), values read as a backup reads them (postgres/decode.ts) unless `types` says otherwise. */
export async function run(
  ctx: ApplyContext,
  statement: PgStatement,
  values: unknown[],
  array = false,
  types: CustomTypesConfig = imageTypes,
): Promise<{ rows: unknown[][]; rowCount: number }> {
  if (array) {
    const result = await ctx.client.query<unknown[]>({ ...statement, values, rowMode: 'array', types });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }
  const result = await ctx.client.query({ ...statement, values });
  return { rows: [], rowCount: result.rowCount ?? 0 };
}

/** One text[] literal per key column: the rows' key values, for `unnest`. */
export function keyArrays(ctx: ApplyContext, rows: readonly PreparedRow[]): string[] {
  return ctx.key.map((_, k) => textArray(rows.map((r) => r.keyValues[k] ?? null)));
}

const needsEscape = /["\\]/;

/**
 * A text[] literal (`{"a","b\"c",NULL}`), the parameter of an `unnest($n::text[])`. Built here
 * rather than by pg, whose per-element escaping (two regex replaces each) was the largest cost of
 * a batch on the client; every element is quoted, so only `"` and `\` need a backslash.
 */
export function textArray(values: readonly PgText[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    if (value === null || value === undefined) literal += 'NULL';
    else literal += `"${needsEscape.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
  }
  return `${literal}}`;
}
