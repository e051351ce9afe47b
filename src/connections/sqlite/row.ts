import { isUtf8 } from 'node:buffer';
import { ConnectionError } from '../errors.js';
import type { RejectError } from '../../validation/reject.js';
import { constraintReject } from './constraints.js';
import { predictStoredRow } from './predict.js';
import type { TableShape } from './schema.js';
import type { SqliteStatements } from './statements.js';
import { decodeJson, encodeValue, invalid, invalidReason, sameStored, type SqliteValue } from './values.js';
import { storedForm, type GeneratedColumns } from '../table-shape.js';
import { decodeRow } from '../decode-row.js';
import { decodeValue, imageValue } from './read.js';
import type { ColumnInfo, RowChange, RowToWrite, WriteBatchInput } from '../types.js';
import { isUpsertable, type JobUserIds } from '../users-table.js';
import type { BatchKeys } from './job-keys.js';
import { storedRowHash } from './values.js';
import { setOwnField } from '../../validation/own-field.js';
import { jsonEqual } from '../../plan/json-values.js';
import { imageTextBytesKey, inexactDocument, mergeRejects } from '../inexact-json.js';
import { isMergedColumn, keyPart, keySeparator, mergeJson, passwordHashClash, storeRejects, verificationReset } from '../write-rules.js';

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
  /** The user_ids this job generates (when `generated.userId` is set). */
  ids: JobUserIds;
  /** The keys the job has accepted so far: DUPLICATE_IN_SOURCE. */
  keys: BatchKeys;
}

export type RowOutcome = 'inserted' | 'updated' | 'unchanged' | RejectError[];

/** A row's present values, encoded for SQLite, by ascending column position. */
interface EncodedRow {
  columns: number[];
  values: SqliteValue[];
}

/** The columns an upsert may change, with their values as mapped (before encoding) for JSON merge and comparison. */
interface UpdatableRow extends EncodedRow {
  logical: unknown[];
}

export interface RowKey {
  /** The record's row in the source: with the job, what a generated user_id is made of. */
  row: number;
  /** Normalized key values: the job-key string. */
  parts: string[];
  /** Lookup parameters, encoded like the stored column. */
  params: SqliteValue[];
}

/** A row encoded with its key, before anything is written: see `prepareRow`. */
export interface PreparedRow {
  row: RowToWrite;
  encoded: EncodedRow;
  key: RowKey;
  /** The key as the job compares it across rows (normalized parts joined). */
  jobKey: string;
  errors: RejectError[];
}

/** Encodes a row and reads its key; a batch prepares every row first, to look their keys up at once. */
export function prepareRow(ctx: Pick<RowContext, 'shape' | 'key'>, row: RowToWrite): PreparedRow {
  const { encoded, errors } = encodeRow(ctx.shape, row.values);
  const key = readKey(ctx, row, encoded, errors);
  // One key column (the usual case) is its own job key: no joined copy of it. Parts holding the
  // separator (a JSON source's U+0000) would join ambiguously: they go as JSON, which never holds a
  // raw U+0000, so it equals no joined key, and the joined form of every other key stays as it was.
  const jobKey =
    key.parts.length === 1
      ? (key.parts[0] as string)
      : key.parts.some((p) => p.includes(keySeparator))
        ? JSON.stringify(key.parts)
        : key.parts.join(keySeparator);
  return { row, encoded, key, jobKey, errors };
}

/**
 * Writes one row inside the batch's transaction. A key the job already accepted (in this batch or
 * an earlier one) is DUPLICATE_IN_SOURCE; only accepted rows take their key, so a rejected row
 * leaves it to a later one.
 */
export function writeRow(ctx: RowContext, prepared: PreparedRow): RowOutcome {
  if (prepared.errors.length > 0) return prepared.errors;
  const first = ctx.keys.firstRow(prepared.jobKey);
  if (first !== undefined) return [storeRejects.duplicateInSource(ctx.input.key, first)];
  const { outcome, recognisable } = applyRow(ctx, prepared.row, prepared.encoded, prepared.key);
  if (typeof outcome === 'string') ctx.keys.accept(prepared.jobKey, prepared.row.row, !recognisable);
  return outcome;
}

/** The row's outcome, and whether the table itself tells later batches that this job took the key (an id it generated). */
interface Applied {
  outcome: RowOutcome;
  recognisable: boolean;
}

function applyRow(ctx: RowContext, row: RowToWrite, encoded: EncodedRow, key: RowKey): Applied {
  const userId = ctx.generated.userId;
  if (!ctx.input.upsert) {
    const found = ctx.statements.exists(ctx.key, userId).get(...key.params);
    if (found !== undefined) return { outcome: [ownedOrExisting(ctx, userId === undefined ? undefined : found)], recognisable: false };
    return insertRow(ctx, encoded, key);
  }
  const updatable = upsertablePart(ctx, row, encoded);
  // The stored user_id comes last, after the updatable columns: whether this job inserted the match.
  const read = userId === undefined ? updatable.columns : [...updatable.columns, userId];
  const matches = ctx.statements.findByKey(ctx.key, read).all(...key.params);
  const existing = matches[0];
  if (matches.length > 1) return { outcome: [storeRejects.ambiguousKey(ctx.input.key)], recognisable: false };
  if (existing === undefined) return insertRow(ctx, encoded, key);
  const inserted = userId === undefined ? undefined : ctx.ids.rowOf(existing[updatable.columns.length]);
  if (inserted !== undefined) return { outcome: [storeRejects.duplicateInSource(ctx.input.key, inserted)], recognisable: false };
  return { outcome: updateRow(ctx, updatable, existing, key), recognisable: false };
}

/** A stored user with the row's key: one this job inserted earlier (its user_id says so), or one that was there before. */
export function ownedOrExisting(ctx: RowContext, storedId: unknown): RejectError {
  const first = ctx.ids.rowOf(storedId);
  return first === undefined ? storeRejects.duplicatedUser(ctx.input.key) : storeRejects.duplicateInSource(ctx.input.key, first);
}

function insertRow(ctx: RowContext, encoded: EncodedRow, key: RowKey): Applied {
  const { columns, values, generatedId } = withGeneratedValues(ctx, encoded, key);
  const stored = predictStoredRow(ctx.shape, columns, values);
  if (stored === undefined) {
    const outcome = runGuarded(
      ctx,
      () => recordKept(ctx, key, null, 'insert', () => ctx.statements.insert(columns, true).raw(true).get(values) as unknown[] | undefined),
      'inserted',
    );
    return { outcome, recognisable: generatedId };
  }
  const insert = ctx.statements.insert(columns);
  const outcome = runGuarded(
    ctx,
    () => {
      // No row stored, without an error: a trigger's RAISE(IGNORE) — one made since the shape was read (it says none).
      if (insert.run(values).changes === 0) throw new RowNotKept(notKept(ctx, 'insert'));
      record(ctx, key, null, stored);
    },
    'inserted',
  );
  return { outcome, recognisable: generatedId };
}

/**
 * Writes one row with `write` (its statement's RETURNING row, undefined when it returned none) and
 * records its change. On a table with triggers the row is read back by its key, inside a savepoint:
 * a trigger can skip it (RAISE(IGNORE), an INSTEAD OF trigger that writes nothing), delete it, change
 * its key or its values after the statement returned it. A row not there is undone with all the
 * trigger did and becomes the row's reject (RowNotKept): counted written, it was a row the store
 * never took. A row there is recorded as stored, so its hash matches what a rollback finds.
 */
export function recordKept(ctx: RowContext, key: RowKey, before: unknown[] | null, verb: 'insert' | 'update', write: () => unknown[] | undefined): void {
  if (!ctx.shape.hasTriggers) {
    const returned = write();
    if (returned === undefined) throw new RowNotKept(notKept(ctx, verb));
    record(ctx, key, before, returned);
    return;
  }
  ctx.statements.savepoint(() => {
    const returned = write();
    const found = returned === undefined ? [] : ctx.statements.rows(ctx.key).all(...key.params);
    if (found.length !== 1) throw new RowNotKept(notKept(ctx, verb));
    record(ctx, key, before, found[0] as unknown[]);
  });
}

/** A row the table did not keep after its write (`recordKept`): that row's reject. */
export class RowNotKept extends Error {
  constructor(readonly reject: RejectError) {
    super(reject.message);
  }
}

function notKept(ctx: Pick<RowContext, 'shape'>, verb: 'insert' | 'update'): RejectError {
  return {
    code: 'INVALID_TYPE',
    path: '',
    message:
      `rejected by the database: after its ${verb}, table ${ctx.shape.table} holds no row with this key ` +
      '(a trigger skipped it with RAISE(IGNORE), wrote nothing instead of it, deleted it or changed its key); nothing of it was kept',
  };
}

/**
 * A trigger's RAISE(ROLLBACK) ends the batch's transaction under the writer: what the batch wrote
 * before is undone, and a statement after it would commit alone. The batch fails whole, not retried
 * (the same row ends it again).
 */
export function transactionEnded(ctx: Pick<RowContext, 'shape'>, err: unknown): ConnectionError {
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectionError(
    `a trigger on table ${ctx.shape.table} ended the batch's transaction (RAISE(ROLLBACK)): ${message}. Nothing of the batch was written. ` +
      'Hint: make the trigger RAISE(ABORT, …) for a row it refuses, which makes that row a reject',
    { retryable: false, cause: err },
  );
}

/**
 * Records a written row's change: its image before (null for an insert) and the hash of the row as
 * now stored. The hash is of the stored values as SQLite returns them, not decoded: decoding every
 * inserted row (JSON parsing included) doubled the CPU time of an import.
 */
export function record(ctx: RowContext, key: RowKey, before: unknown[] | null, after: unknown[]): void {
  ctx.changes.push(changeOf(ctx, key, before, after));
}

/** A written row's change (see `record`), for a caller that works it out before writing. */
export function changeOf(ctx: Pick<RowContext, 'key' | 'shape' | 'input'>, key: RowKey, before: unknown[] | null, after: unknown[]): RowChange {
  // Built field by field, as Object.fromEntries would (own data fields, `__proto__` too), without a pair per key column.
  const changeKey: Record<string, unknown> = {};
  for (const p of ctx.key) {
    const column = ctx.shape.columns[p] as ColumnInfo;
    setOwnField(changeKey, column.name, decodeValue(column, after[p]));
  }
  const change: RowChange = {
    row: key.row,
    key: changeKey,
    before: before === null ? null : decodeRow(ctx.shape.columns, before, imageValue),
    afterHash: storedRowHash(after),
  };
  if (ctx.input.preview) change.after = decodeRow(ctx.shape.columns, after, decodeValue);
  return change;
}

/**
 * Only mapped, upsertable columns whose value actually changes are written; when none does the row
 * is `unchanged` and not touched, so updated_at keeps telling when the user last really changed.
 * `stored` holds the stored values of `updatable.columns`, in the same order.
 */
function updateRow(ctx: RowContext, updatable: UpdatableRow, stored: unknown[], key: RowKey): RowOutcome {
  const unmergeable = inexactMerges(ctx, updatable, stored);
  if (unmergeable.length > 0) return unmergeable;
  const changes = diffRow(ctx, updatable, stored);
  if (changes.columns.length === 0) return 'unchanged';
  // the import format's rules are the built-in users table's: a custom table's email_verified or
  // custom_password_hash columns are its own (docs/users-table.md)
  const reset = ctx.shape.usersTable ? verificationReset(ctx.shape.columns, changes.columns, updatable.columns) : undefined;
  if (reset !== undefined) {
    changes.columns.push(reset);
    changes.values.push(0);
  }
  const updatedAt = ctx.generated.updatedAt;
  if (updatedAt !== undefined && !updatable.columns.includes(updatedAt)) {
    changes.columns.push(updatedAt);
    changes.values.push(ctx.input.now);
  }
  const before = keepTextBytes(ctx, ctx.statements.imageRow(ctx.key).get(...key.params) as unknown[], key);
  const clash = ctx.shape.usersTable ? passwordHashClash(ctx.shape.columns, changes.columns, before[ctx.shape.position.get('password_hash') ?? -1]) : undefined;
  if (clash !== undefined) return [clash];
  return runGuarded(
    ctx,
    () =>
      recordKept(
        ctx,
        key,
        before,
        'update',
        () =>
          ctx.statements
            .update(changes.columns, ctx.key, true)
            .raw(true)
            .get(...changes.values, ...key.params) as unknown[] | undefined,
      ),
    'updated',
  );
}

/**
 * A stored text holding U+FFFD may be bytes that are not UTF-8, which the driver decoded so: read
 * again as bytes, such a value goes in the image as `imageTextBytes`, so a rollback puts the bytes
 * back, not U+FFFD. Other rows cost one search per string.
 */
function keepTextBytes(ctx: RowContext, row: unknown[], key: RowKey): unknown[] {
  row.forEach((value, position) => {
    if (typeof value !== 'string' || !value.includes('\uFFFD')) return;
    const bytes = ctx.statements.storedBytes(position, ctx.key).get(...key.params);
    if (Buffer.isBuffer(bytes) && !isUtf8(bytes)) row[position] = { [imageTextBytesKey]: bytes.toString('base64') };
  });
  return row;
}

/** A merge into a stored document holding a number a double would round is a reject (inexact-json.ts `mergeRejects`). */
function inexactMerges(ctx: RowContext, updatable: UpdatableRow, stored: unknown[]): RejectError[] {
  if (ctx.input.metadata !== 'merge') return [];
  const errors: RejectError[] = [];
  updatable.columns.forEach((position, i) => {
    const column = ctx.shape.columns[position] as ColumnInfo;
    const text = stored[i];
    const document = column.type === 'json' && isMergedColumn(column) && typeof text === 'string' ? inexactDocument(text) : undefined;
    if (document !== undefined) for (const e of mergeRejects(document, column.name)) errors.push(e);
  });
  return errors;
}

/**
 * The columns an upsert may change. Never-upsertable ones keep the stored value silently: the rest of the row still applies.
 * Each value as mapped is worked out again here (encodeRow keeps only the encoded one: an insert never reads it).
 */
function upsertablePart(ctx: RowContext, row: RowToWrite, encoded: EncodedRow): UpdatableRow {
  const part: UpdatableRow = { columns: [], values: [], logical: [] };
  encoded.columns.forEach((position, i) => {
    const name = (ctx.shape.columns[position] as ColumnInfo).name;
    if (!isUpsertable(name, ctx.input.key)) return;
    part.columns.push(position);
    part.values.push(encoded.values[i] ?? null);
    part.logical.push(storedForm(ctx.shape, name, row.values[name]));
  });
  return part;
}

function diffRow(ctx: RowContext, updatable: UpdatableRow, stored: unknown[]): EncodedRow {
  const changes: EncodedRow = { columns: [], values: [] };
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
  // Bytes another tool stored that are no text: replaced whole, as stored text that is not JSON
  // is (the backup keeps them byte for byte), never merged into as if they were an object.
  if (Buffer.isBuffer(current)) return value;
  const merge = ctx.input.metadata === 'merge' && isMergedColumn(column);
  const next = merge ? mergeJson(current, logical) : logical;
  if (jsonEqual(current, next)) return unchangedValue;
  return next === logical ? value : JSON.stringify(next);
}

/**
 * Encodes the present values; unknown columns and values of the wrong type become the row's errors.
 * Walks the table's columns (already in position order) rather than the row's entries: no pair
 * array and no sort per row, which were a tenth of an import's allocation.
 */
function encodeRow(shape: TableShape, values: Record<string, unknown>): { encoded: EncodedRow; errors: RejectError[] } {
  const errors: RejectError[] = [];
  const present = knownColumns(shape, values, errors);
  const { columns } = shape;
  // Made at their size (counted by knownColumns): grown by push, each had room for 17 values.
  const encoded: EncodedRow = { columns: new Array<number>(present), values: new Array<SqliteValue>(present) };
  let i = 0;
  for (let position = 0; position < columns.length; position++) {
    const column = columns[position] as ColumnInfo;
    if (!isPresent(values, column.name)) continue;
    const logical = storedForm(shape, column.name, values[column.name]);
    const value = encodeValue(column.type, logical);
    if (value === invalid) {
      const reason = invalidReason(column.type, logical);
      errors.push(
        reason === undefined ? storeRejects.invalidType(column.name, column.type, logical) : { code: 'INVALID_TYPE', path: column.name, message: reason },
      );
    }
    encoded.columns[i] = position;
    encoded.values[i] = value === invalid ? null : value;
    i++;
  }
  return { encoded, errors };
}

/** Whether the row gives the column a value (undefined is no value: the column is left out). */
function isPresent(values: Record<string, unknown>, name: string): boolean {
  return Object.hasOwn(values, name) && values[name] !== undefined;
}

/**
 * How many of the row's fields the table has a column for; an UNKNOWN_COLUMN error in `errors`
 * for each other one, in the row's order.
 */
function knownColumns(shape: TableShape, values: Record<string, unknown>, errors: RejectError[]): number {
  let known = 0;
  for (const name in values) {
    if (!Object.hasOwn(values, name) || values[name] === undefined) continue;
    if (shape.position.has(name)) known++;
    else if (shape.computed.has(name)) errors.push(storeRejects.computedColumn(name, shape.table));
    else errors.push(storeRejects.unknownColumn(name, shape.table));
  }
  return known;
}

function readKey(ctx: Pick<RowContext, 'shape' | 'key'>, { row, values }: RowToWrite, encoded: EncodedRow, errors: RejectError[]): RowKey {
  // Sized to the key up front: grown by push, each array got room for 17 values.
  const parts = new Array<string>(ctx.key.length);
  const params = new Array<SqliteValue>(ctx.key.length);
  for (let k = 0; k < ctx.key.length; k++) {
    const position = ctx.key[k] as number;
    const name = (ctx.shape.columns[position] as ColumnInfo).name;
    const part = keyPart(name, values[name]);
    if (part === undefined) errors.push(storeRejects.required(name));
    parts[k] = part ?? '';
    params[k] = encoded.values[encoded.columns.indexOf(position)] ?? null;
  }
  return { row, parts, params };
}

/**
 * Adds what Ferry fills on insert when the row leaves it out (or null): user_id from the job and
 * row (deterministic, see generateUserId) and created_at/updated_at from the job's `now`. They go last,
 * in a fixed order, so a given column set always yields the same statement.
 */
export function withGeneratedValues(
  ctx: Pick<RowContext, 'generated' | 'ids' | 'input'>,
  encoded: EncodedRow,
  key: RowKey,
): EncodedRow & { generatedId: boolean } {
  // A bit per FILLS entry whose column the row leaves missing: no array or closure per row (a pair
  // per generated column, iterated with `some`, was 7% of an import's allocation).
  let missing = 0;
  let replaced = 0;
  for (let i = 0; i < FILLS.length; i++) {
    const position = ctx.generated[FILLS[i]!.column];
    if (!isMissing(encoded, position)) continue;
    missing |= 1 << i;
    // Present but null: replaced, not written twice.
    if (encoded.columns.includes(position as number)) replaced += 1;
  }
  const generatedId = (missing & 1) === 1;
  if (missing === 0) return { columns: encoded.columns, values: encoded.values, generatedId };
  let added = 0;
  for (let bits = missing; bits !== 0; bits &= bits - 1) added += 1;
  const size = encoded.columns.length - replaced + added;
  const columns = new Array<number>(size);
  const values = new Array<SqliteValue>(size);
  let at = 0;
  for (let i = 0; i < encoded.columns.length; i++) {
    const position = encoded.columns[i] as number;
    if (filledHere(ctx.generated, missing, position)) continue;
    columns[at] = position;
    values[at++] = encoded.values[i] ?? null;
  }
  for (let i = 0; i < FILLS.length; i++) {
    if ((missing & (1 << i)) === 0) continue;
    const fill = FILLS[i]!;
    columns[at] = ctx.generated[fill.column] as number;
    values[at++] = fill.value(ctx, key);
  }
  return { columns, values, generatedId };
}

/**
 * What a new row gets in each generated column it leaves missing, in the order they are appended.
 * user_id first: `withGeneratedValues` reads bit 0 as "the id was generated".
 */
const FILLS: readonly { column: keyof GeneratedColumns; value: (ctx: Pick<RowContext, 'ids' | 'input'>, key: RowKey) => SqliteValue }[] = [
  { column: 'userId', value: (ctx, key) => ctx.ids.id(key.row) },
  { column: 'createdAt', value: (ctx) => ctx.input.now },
  { column: 'updatedAt', value: (ctx) => ctx.input.now },
  // false, as SQLite stores a boolean (sqlite/values.ts)
  { column: 'emailVerified', value: () => 0 },
  { column: 'phoneVerified', value: () => 0 },
];

/** Whether `position` is a generated column this row gets filled (`missing`: withGeneratedValues' bits). */
function filledHere(generated: GeneratedColumns, missing: number, position: number): boolean {
  for (let i = 0; i < FILLS.length; i++) if ((missing & (1 << i)) !== 0 && generated[FILLS[i]!.column] === position) return true;
  return false;
}

/** Whether the table has the generated column at `position` and the row leaves it out or null. */
function isMissing(encoded: EncodedRow, position: number | undefined): boolean {
  return position !== undefined && (encoded.values[encoded.columns.indexOf(position)] ?? null) === null;
}

function runGuarded(ctx: RowContext, run: () => unknown, success: 'inserted' | 'updated'): RowOutcome {
  try {
    run();
    return success;
  } catch (err) {
    if (!ctx.statements.inTransaction) throw transactionEnded(ctx, err);
    if (err instanceof RowNotKept) return [err.reject];
    const reject = constraintReject(err, ctx.shape);
    if (reject === undefined) throw err;
    return [reject];
  }
}
