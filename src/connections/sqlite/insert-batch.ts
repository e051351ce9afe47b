import type { Statement } from 'better-sqlite3';
import { constraintReject } from './constraints.js';
import { predictStoredRow } from './predict.js';
import { changeOf, ownedOrExisting, recordKept, RowNotKept, transactionEnded, withGeneratedValues, type PreparedRow, type RowContext } from './row.js';
import type { TableShape } from './schema.js';
import type { SqliteStatements } from './statements.js';
import type { SqliteValue } from './values.js';
import type { RowChange, WriteBatchOutput } from '../types.js';
import { storeRejects } from '../write-rules.js';

/**
 * Thrown when a multi-row INSERT hits a constraint: the rows after it were already judged as if it
 * had gone in. SQLite has undone the statement (`abort`) or the whole transaction (`rollback`); the
 * caller undoes the rest of the attempt and writes the batch row by row, which tells exactly which
 * row the constraint hit.
 */
export class InsertOneByOne extends Error {}

/**
 * Whether a batch can take the set-based insert: insert mode, and every key a text (what one
 * JSON array carries to the lookup unchanged). Otherwise the batch goes row by row.
 */
export function canInsertInBulk(ctx: Pick<RowContext, 'input'>, prepared: readonly PreparedRow[]): boolean {
  if (ctx.input.upsert) return false;
  return prepared.every((p) => p.errors.length > 0 || p.key.params.every((v) => typeof v === 'string'));
}

/** A row's insert, worked out before the write lock is taken: only the key checks are left for inside it. */
export interface PlannedInsert {
  columns: number[];
  values: SqliteValue[];
  generatedId: boolean;
  /** The change of the row as SQLite will store it; absent when that must be read back after the insert. */
  change?: RowChange;
}

/** What planning an insert needs of the batch: no statements, no database. */
export type InsertPlanContext = Pick<RowContext, 'shape' | 'key' | 'input' | 'generated' | 'ids'>;

/** The inserts of a batch that can go in bulk (by row index; a rejected row has none). */
export function planInserts(ctx: InsertPlanContext, prepared: readonly PreparedRow[]): (PlannedInsert | undefined)[] {
  return prepared.map((row) => (row.errors.length > 0 ? undefined : planInsert(ctx, row)));
}

function planInsert(ctx: InsertPlanContext, row: PreparedRow): PlannedInsert {
  const { columns, values, generatedId } = withGeneratedValues(ctx, row.encoded, row.key);
  const predicted = predictStoredRow(ctx.shape, columns, values);
  // `change` set only when predicted (absent, not undefined), without a spread copy per row.
  const planned: PlannedInsert = { columns, values, generatedId };
  if (predicted !== undefined) planned.change = changeOf(ctx, row.key, null, predicted);
  return planned;
}

/** Rows per multi-row INSERT: a few dozen already spread the per-statement cost thin. */
const GROUP = 64;

/**
 * The most values one statement may bind (SQLITE_MAX_VARIABLE_NUMBER of the SQLite better-sqlite3
 * bundles). 64 rows of more than 511 columns would pass it: "too many SQL variables" failed every
 * batch of such a wide table, whatever batch.size. Fewer rows go in one statement instead.
 */
const MAX_VARIABLES = 32_766;

/** Rows per multi-row INSERT of `width` columns: GROUP, or as many as fit in MAX_VARIABLES. */
export function groupSize(width: number): number {
  return Math.max(1, Math.min(GROUP, Math.floor(MAX_VARIABLES / Math.max(1, width))));
}

/**
 * Insert mode over a whole batch, with the row-by-row path's outcomes (sqlite/row.ts `writeRow`),
 * each row's insert planned beforehand (`planInserts`, outside the write lock):
 * the stored users with the batch's keys are read in one statement, and the new rows go in
 * GROUP at a time, one statement each, instead of a lookup and an insert per row.
 */
export function insertBatch(
  ctx: RowContext,
  prepared: readonly PreparedRow[],
  output: WriteBatchOutput,
  planned: readonly (PlannedInsert | undefined)[],
  onConflict: 'abort' | 'rollback',
): void {
  const userId = ctx.generated.userId;
  const stored = storedKeys(ctx, prepared);
  const pending = new PendingInserts(ctx.statements, ctx.shape, onConflict);
  prepared.forEach((row, index) => {
    if (row.errors.length > 0) return output.rejects.push({ row: row.row.row, errors: row.errors });
    const first = ctx.keys.firstRow(row.jobKey);
    if (first !== undefined) return output.rejects.push({ row: row.row.row, errors: [storeRejects.duplicateInSource(ctx.input.key, first)] });
    if (stored.has(index))
      return output.rejects.push({ row: row.row.row, errors: [ownedOrExisting(ctx, userId === undefined ? undefined : stored.get(index))] });
    const insert = planned[index];
    if (insert === undefined) throw new Error(`row ${row.row.row} has no planned insert (planInserts plans every row without errors)`);
    const { columns, values, generatedId, change } = insert;
    if (change === undefined) {
      // The stored row must be read back: this one goes in alone, as on the row-by-row path.
      pending.flush();
      try {
        recordKept(ctx, row.key, null, 'insert', () => ctx.statements.insert(columns, true).raw(true).get(values) as unknown[] | undefined);
      } catch (err) {
        if (!ctx.statements.inTransaction) throw transactionEnded(ctx, err);
        const reject = err instanceof RowNotKept ? err.reject : constraintReject(err, ctx.shape);
        if (reject === undefined) throw err;
        return output.rejects.push({ row: row.row.row, errors: [reject] });
      }
    } else {
      pending.add(columns, values);
      ctx.changes.push(change);
    }
    ctx.keys.accept(row.jobKey, row.row.row, !generatedId);
    output.inserted += 1;
    return undefined;
  });
  pending.flush();
}

/**
 * The batch's rows (by index) whose key a stored user already has, with that user's generated-id
 * column: one lookup for the batch. Where several users match, one this job inserted wins, so
 * the row is its DUPLICATE_IN_SOURCE.
 */
function storedKeys(ctx: RowContext, prepared: readonly PreparedRow[]): Map<number, unknown> {
  const keys = prepared.map((p) => (p.errors.length > 0 ? null : p.key.params.length === 1 ? p.key.params[0] : p.key.params));
  const found = new Map<number, unknown>();
  for (const [index, column] of ctx.statements.existingKeys(ctx.key, ctx.generated.userId).all(JSON.stringify(keys))) {
    if (!found.has(index) || ctx.ids.rowOf(column) !== undefined) found.set(index, column);
  }
  return found;
}

/** Rows waiting for their multi-row INSERT: consecutive rows with the same columns share one. */
class PendingInserts {
  private columns: readonly number[] = [];
  /**
   * The waiting rows' values, row after row: made for a whole GROUP when its first row comes, so
   * it neither grows by push nor is copied for a full group's statement.
   */
  private values: SqliteValue[] = [];
  private rows = 0;
  /** Rows per statement for the waiting rows' columns (groupSize). */
  private group = GROUP;

  constructor(
    private readonly statements: SqliteStatements,
    private readonly shape: TableShape,
    private readonly onConflict: 'abort' | 'rollback',
  ) {}

  add(columns: readonly number[], values: readonly SqliteValue[]): void {
    if (this.rows > 0 && !sameColumns(this.columns, columns)) this.flush();
    this.columns = columns;
    const width = columns.length;
    if (this.rows === 0) {
      this.group = groupSize(width);
      this.values = new Array<SqliteValue>(this.group * width);
    }
    let at = this.rows * width;
    for (let i = 0; i < width; i++) this.values[at++] = values[i] as SqliteValue;
    this.rows += 1;
    if (this.rows === this.group) this.flush();
  }

  /** Inserts what is waiting: a group of rows in one statement, a remainder in halving sizes (few distinct statements). */
  flush(): void {
    const width = this.columns.length;
    let offset = 0;
    for (let size = this.group; this.rows > 0; size >>= 1) {
      while (this.rows >= size) {
        const group = offset === 0 && size * width === this.values.length ? this.values : this.values.slice(offset, offset + size * width);
        run(this.statements.insertMany(this.columns, size, this.onConflict), group, this.shape, size);
        offset += size * width;
        this.rows -= size;
      }
    }
    this.values = [];
  }
}

function run(statement: Statement, values: SqliteValue[], shape: TableShape, rows: number): void {
  let stored: number;
  try {
    stored = statement.run(values).changes;
  } catch (err) {
    if (constraintReject(err, shape) !== undefined) throw new InsertOneByOne('a constraint stopped a multi-row insert', { cause: err });
    throw err;
  }
  // Fewer rows stored than given, without an error: a trigger made since the shape was read (it
  // says none) skipped some (RAISE(IGNORE)). Row by row, each is told apart and becomes its reject.
  if (stored !== rows) throw new InsertOneByOne('a multi-row insert stored fewer rows than it was given');
}

function sameColumns(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
