import type { RejectError } from '../validation/reject.js';
import { constraintReject } from './sqlite-constraints.js';
import { predictStoredRow } from './sqlite-predict.js';
import type { TableShape } from './sqlite-schema.js';
import type { SqliteStatements } from './sqlite-statements.js';
import { decodeJson, encodeValue, invalid, sameStored, type SqliteValue } from './sqlite-values.js';
import { storedForm, type GeneratedColumns } from './table-shape.js';
import { decodeRow } from './decode-row.js';
import { decodeValue } from './sqlite-read.js';
import type { ColumnInfo, RowChange, RowToWrite, WriteBatchInput } from './types.js';
import { generateUserId, isUpsertable } from './users-table.js';
import { storedRowHash } from './sqlite-values.js';
import { isMergedColumn, jsonEqual, keyPart, keySeparator, mergeJson, storeRejects } from './write-rules.js';

/** Everything one batch's rows share: resolved once per batch, not per row. */
export interface RowContext {
  statements: SqliteStatements;
  shape: TableShape;
  input: WriteBatchInput;
  /** Positions of the key columns in `shape.columns`. */
  key: number[];
  /** Positions of the columns the writer fills on insert (absent when the table lacks them or does not get them). */
  generated: GeneratedColumns;
  /** Where each inserted or updated row's change is recorded (the job's backup). */
  changes: RowChange[];
}

export type RowOutcome = 'inserted' | 'updated' | 'unchanged' | RejectError[];

/** A row's present values, encoded for SQLite, by ascending column position. */
interface EncodedRow {
  columns: number[];
  values: SqliteValue[];
  /** The values as mapped (before encoding), for JSON merge and comparison. */
  logical: unknown[];
}

interface RowKey {
  /** The record's row in the source: with the job, what a generated user_id is made of. */
  row: number;
  /** Normalized key values: the job-key string. */
  parts: string[];
  /** Lookup parameters, encoded like the stored column. */
  params: SqliteValue[];
}

/**
 * Writes one row inside the batch's transaction. The job key is claimed first (one statement
 * instead of a lookup plus an insert, since rows are rarely duplicates) and released if the row is
 * then rejected, so only accepted rows block later duplicates.
 */
export function writeRow(ctx: RowContext, row: RowToWrite): RowOutcome {
  const { encoded, errors } = encodeRow(ctx.shape, row.values);
  const key = readKey(ctx, row, encoded, errors);
  if (errors.length > 0) return errors;
  const { job } = ctx.input;
  const jobKey = key.parts.join(keySeparator);
  if (ctx.statements.keyClaim.run(job, jobKey, row.row).changes === 0) {
    return [storeRejects.duplicateInSource(ctx.input.key, ctx.statements.keyFirstRow.get(job, jobKey) ?? 0)];
  }
  const outcome = applyRow(ctx, encoded, key);
  if (typeof outcome !== 'string') ctx.statements.keyRelease.run(job, jobKey);
  return outcome;
}

function applyRow(ctx: RowContext, encoded: EncodedRow, key: RowKey): RowOutcome {
  if (!ctx.input.upsert) {
    if (ctx.statements.exists(ctx.key).get(...key.params) !== undefined) return [storeRejects.duplicatedUser(ctx.input.key)];
    return insertRow(ctx, encoded, key);
  }
  const updatable = upsertablePart(ctx, encoded);
  const matches = ctx.statements.findByKey(ctx.key, updatable.columns).all(...key.params);
  const existing = matches[0];
  if (matches.length > 1) return [storeRejects.ambiguousKey(ctx.input.key)];
  return existing === undefined ? insertRow(ctx, encoded, key) : updateRow(ctx, updatable, existing, key);
}

function insertRow(ctx: RowContext, encoded: EncodedRow, key: RowKey): RowOutcome {
  const { columns, values } = withGeneratedValues(ctx, encoded, key);
  const stored = predictStoredRow(ctx.shape, columns, values);
  if (stored === undefined) return runGuarded(ctx, () => record(ctx, key, null, ctx.statements.insert(columns, true).raw(true).get(values) as unknown[]), 'inserted');
  const insert = ctx.statements.insert(columns);
  return runGuarded(ctx, () => {
    insert.run(values);
    record(ctx, key, null, stored);
  }, 'inserted');
}

/**
 * Records a written row's change: its image before (null for an insert) and the hash of the row as
 * now stored. The hash is of the stored values as SQLite returns them, not decoded: decoding every
 * inserted row (JSON parsing included) doubled the CPU time of an import.
 */
function record(ctx: RowContext, key: RowKey, before: unknown[] | null, after: unknown[]): void {
  const change: RowChange = {
    row: key.row,
    key: Object.fromEntries(ctx.key.map((p) => [(ctx.shape.columns[p] as ColumnInfo).name, decodeValue(ctx.shape.columns[p] as ColumnInfo, after[p])])),
    before: before === null ? null : decodeRow(ctx.shape.columns, before, decodeValue),
    afterHash: storedRowHash(after),
  };
  if (ctx.input.preview) change.after = decodeRow(ctx.shape.columns, after, decodeValue);
  ctx.changes.push(change);
}

/**
 * Only mapped, upsertable columns whose value actually changes are written; when none does the row
 * is `unchanged` and not touched, so updated_at keeps telling when the user last really changed.
 * `stored` holds the stored values of `updatable.columns`, in the same order.
 */
function updateRow(ctx: RowContext, updatable: EncodedRow, stored: unknown[], key: RowKey): RowOutcome {
  const changes = diffRow(ctx, updatable, stored);
  if (changes.columns.length === 0) return 'unchanged';
  const updatedAt = ctx.generated.updatedAt;
  if (updatedAt !== undefined && !updatable.columns.includes(updatedAt)) {
    changes.columns.push(updatedAt);
    changes.values.push(ctx.input.now);
  }
  const before = ctx.statements.rows(ctx.key).get(...key.params) as unknown[];
  return runGuarded(ctx, () => record(ctx, key, before, ctx.statements.update(changes.columns, ctx.key, true).raw(true).get(...changes.values, ...key.params) as unknown[]), 'updated');
}

/** The columns an upsert may change. Never-upsertable ones keep the stored value silently: the rest of the row still applies. */
function upsertablePart(ctx: RowContext, encoded: EncodedRow): EncodedRow {
  const part: EncodedRow = { columns: [], values: [], logical: [] };
  encoded.columns.forEach((position, i) => {
    if (!isUpsertable((ctx.shape.columns[position] as ColumnInfo).name, ctx.input.key)) return;
    part.columns.push(position);
    part.values.push(encoded.values[i] ?? null);
    part.logical.push(encoded.logical[i]);
  });
  return part;
}

function diffRow(ctx: RowContext, updatable: EncodedRow, stored: unknown[]): Omit<EncodedRow, 'logical'> {
  const changes: Omit<EncodedRow, 'logical'> = { columns: [], values: [] };
  updatable.columns.forEach((position, i) => {
    const column = ctx.shape.columns[position] as ColumnInfo;
    const next = nextValue(ctx, column, updatable.values[i] ?? null, updatable.logical[i], stored[i]);
    if (next === unchangedValue) return;
    changes.columns.push(position);
    changes.values.push(next);
  });
  return changes;
}

const unchangedValue: unique symbol = Symbol('unchanged');

function nextValue(ctx: RowContext, column: ColumnInfo, value: SqliteValue, logical: unknown, stored: unknown): SqliteValue | typeof unchangedValue {
  if (column.type !== 'json') return sameStored(stored, value) ? unchangedValue : value;
  const current = decodeJson(stored);
  const merge = ctx.input.metadata === 'merge' && isMergedColumn(column);
  const next = merge ? mergeJson(current, logical) : logical;
  if (jsonEqual(current, next)) return unchangedValue;
  return next === logical ? value : JSON.stringify(next);
}

/** Encodes the present values; unknown columns and values of the wrong type become the row's errors. */
function encodeRow(shape: TableShape, values: Record<string, unknown>): { encoded: EncodedRow; errors: RejectError[] } {
  const errors: RejectError[] = [];
  const positions: number[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const position = shape.position.get(name);
    if (position === undefined) errors.push(storeRejects.unknownColumn(name, shape.table));
    else positions.push(position);
  }
  positions.sort((a, b) => a - b);
  const encoded: EncodedRow = { columns: positions, values: [], logical: [] };
  for (const position of positions) {
    const column = shape.columns[position] as ColumnInfo;
    const logical = storedForm(shape, column.name, values[column.name]);
    const value = encodeValue(column.type, logical);
    if (value === invalid) errors.push(storeRejects.invalidType(column.name, column.type, logical));
    encoded.values.push(value === invalid ? null : value);
    encoded.logical.push(logical);
  }
  return { encoded, errors };
}

function readKey(ctx: RowContext, { row, values }: RowToWrite, encoded: EncodedRow, errors: RejectError[]): RowKey {
  const key: RowKey = { row, parts: [], params: [] };
  for (const position of ctx.key) {
    const name = (ctx.shape.columns[position] as ColumnInfo).name;
    const part = keyPart(name, values[name]);
    if (part === undefined) errors.push(storeRejects.required(name));
    key.parts.push(part ?? '');
    key.params.push(encoded.values[encoded.columns.indexOf(position)] ?? null);
  }
  return key;
}

/**
 * Adds what Ferry fills on insert when the row leaves it out (or null): user_id from the job and
 * row (deterministic, see generateUserId) and created_at/updated_at from the job's `now`. They go last,
 * in a fixed order, so a given column set always yields the same statement.
 */
function withGeneratedValues(ctx: RowContext, encoded: EncodedRow, key: RowKey): Omit<EncodedRow, 'logical'> {
  const { userId, createdAt, updatedAt } = ctx.generated;
  const missing = (position: number | undefined): position is number =>
    position !== undefined && (encoded.values[encoded.columns.indexOf(position)] ?? null) === null;
  const extra: [number, SqliteValue][] = [];
  if (missing(userId)) extra.push([userId, generateUserId(ctx.input.job, ctx.input.now, key.row)]);
  if (missing(createdAt)) extra.push([createdAt, ctx.input.now]);
  if (missing(updatedAt)) extra.push([updatedAt, ctx.input.now]);
  if (extra.length === 0) return encoded;
  const row: Omit<EncodedRow, 'logical'> = { columns: [], values: [] };
  encoded.columns.forEach((position, i) => {
    // A present-but-null generated column is replaced, not written twice.
    if (extra.some(([p]) => p === position)) return;
    row.columns.push(position);
    row.values.push(encoded.values[i] ?? null);
  });
  for (const [position, value] of extra) {
    row.columns.push(position);
    row.values.push(value);
  }
  return row;
}

function runGuarded(ctx: RowContext, run: () => unknown, success: 'inserted' | 'updated'): RowOutcome {
  try {
    run();
    return success;
  } catch (err) {
    const reject = constraintReject(err, ctx.shape);
    if (reject === undefined) throw err;
    return [reject];
  }
}
