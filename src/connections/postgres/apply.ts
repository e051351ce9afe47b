import { ConnectionError } from '../errors.js';
import { readBefores, recordChange, returningOf } from './backup.js';
import { keyArrays, run, textArray, type ApplyContext, type Outcome } from './context.js';
import type { PreparedRow } from './rows.js';
import { planUpsert, type Update } from './upsert.js';
import type { PgText } from './values.js';
import { generateUserId } from '../users-table.js';
import { storeRejects } from '../write-rules.js';

/**
 * Thrown where writing the rows at once could end differently from writing them one by one in
 * source order (the contract's semantics): the caller then rolls back and goes row by row.
 */
export class NeedsRowOrder extends Error {
  override readonly name = 'NeedsRowOrder';
}

/**
 * Applies `rows` with one statement per step — claim the job keys, look the keys up, update, insert,
 * release the keys of rejected rows — and returns each row's outcome. The result equals writing
 * them one at a time in order whenever no statement fails: key-based outcomes (DUPLICATE_IN_SOURCE,
 * DUPLICATED_USER, an ambiguous key) do not depend on order, and a set of inserts and updates that
 * touch no unique column of one another succeeds together exactly when it succeeds row by row. A
 * failing statement (a unique conflict, a CHECK) is the caller's cue to go row by row; so is an
 * update of a unique column in a batch with other writes (NeedsRowOrder).
 */
export async function applyRows(ctx: ApplyContext, rows: readonly PreparedRow[]): Promise<Map<PreparedRow, Outcome>> {
  const outcomes = new Map<PreparedRow, Outcome>();
  const { firsts, followers } = splitDuplicates(rows);
  const claimed = await claimKeys(ctx, firsts, outcomes);
  const { inserts, updates } = ctx.input.upsert ? await planUpsert(ctx, claimed, outcomes) : await planInsert(ctx, claimed, outcomes);
  const orderMatters = orderDependence(ctx, inserts, updates);
  if (orderMatters !== undefined) throw new NeedsRowOrder(orderMatters);
  await writeUpdates(ctx, updates);
  for (const update of updates) outcomes.set(update.row, 'updated');
  await writeInserts(ctx, inserts);
  for (const row of inserts) outcomes.set(row, 'inserted');
  await releaseRejected(ctx, claimed, outcomes);
  settleFollowers(ctx, firsts, followers, outcomes);
  return outcomes;
}

/**
 * Why the planned writes could end differently in source order, if they could: an update that
 * changes a unique column (it may free or take a value another write needs), two rows that reach
 * one stored row (the second would see the first's update), or two inserts whose keys differ as
 * given but not as stored (`007` and `7` in an integer column: the second is DUPLICATED_USER).
 */
function orderDependence(ctx: ApplyContext, inserts: readonly PreparedRow[], updates: readonly Update[]): string | undefined {
  if (inserts.length + updates.length < 2) return undefined;
  if (updates.some((u) => [...u.changes.keys()].some((p) => ctx.shape.uniqueColumns.has(p)))) return 'an update changes a unique column';
  if (new Set(updates.map((u) => u.tid)).size < updates.length) return 'two rows match the same stored row';
  const caseless = ctx.key.map((p) => ctx.shape.columns[p]?.name === 'email' && !ctx.shape.usersTable);
  const stored = inserts.map((r) => JSON.stringify(r.keyValues.map((v, k) => (caseless[k] ? v?.toLowerCase() : v))));
  if (new Set(stored).size < inserts.length) return 'two inserted rows have the same key as stored';
  return undefined;
}

/** The first row of each key in the batch, and the later rows with the same key (their outcome follows the first's). */
function splitDuplicates(rows: readonly PreparedRow[]): { firsts: PreparedRow[]; followers: Map<string, PreparedRow[]> } {
  const firsts: PreparedRow[] = [];
  const followers = new Map<string, PreparedRow[]>();
  const seen = new Set<string>();
  for (const row of rows) {
    if (!seen.has(row.jobKey)) {
      seen.add(row.jobKey);
      firsts.push(row);
    } else {
      const later = followers.get(row.jobKey);
      if (later === undefined) followers.set(row.jobKey, [row]);
      else later.push(row);
    }
  }
  return { firsts, followers };
}

/** Claims each first row's key for the job; a key an earlier batch claimed is DUPLICATE_IN_SOURCE of that batch's row. */
async function claimKeys(ctx: ApplyContext, firsts: readonly PreparedRow[], outcomes: Map<PreparedRow, Outcome>): Promise<PreparedRow[]> {
  if (firsts.length === 0) return [];
  const job = ctx.jobId;
  const result = await run(ctx, ctx.sql.claim, [job, textArray(firsts.map((r) => r.jobKey)), textArray(firsts.map((r) => String(r.row)))], true);
  const claimed = new Set(result.rows.map((r) => r[0] as string));
  const taken = firsts.filter((r) => !claimed.has(r.jobKey));
  if (taken.length > 0) {
    const earlier = await run(ctx, ctx.sql.claimedRows, [job, textArray(taken.map((r) => r.jobKey))], true);
    const firstRow = new Map(earlier.rows.map((r) => [r[0] as string, Number(r[1])]));
    for (const row of taken) outcomes.set(row, [storeRejects.duplicateInSource(ctx.input.key, firstRow.get(row.jobKey) ?? 0)]);
  }
  return firsts.filter((r) => claimed.has(r.jobKey));
}

/** Insert mode: a key that exists is DUPLICATED_USER; the rest are inserted. */
async function planInsert(
  ctx: ApplyContext,
  rows: readonly PreparedRow[],
  outcomes: Map<PreparedRow, Outcome>,
): Promise<{ inserts: PreparedRow[]; updates: Update[] }> {
  if (rows.length === 0) return { inserts: [], updates: [] };
  const result = await run(ctx, ctx.sql.exists(ctx.key), [textArray(rows.map((_, i) => String(i))), ...keyArrays(ctx, rows)], true);
  const existing = new Set(result.rows.map((r) => r[0] as number));
  const inserts: PreparedRow[] = [];
  rows.forEach((row, i) => {
    if (existing.has(i)) outcomes.set(row, [storeRejects.duplicatedUser(ctx.input.key)]);
    else inserts.push(row);
  });
  return { inserts, updates: [] };
}

async function writeUpdates(ctx: ApplyContext, updates: readonly Update[]): Promise<void> {
  if (updates.length === 0) return;
  const columns = [...new Set(updates.flatMap((u) => [...u.changes.keys()]))].sort((a, b) => a - b);
  const values: unknown[] = [textArray(updates.map((u) => u.tid))];
  for (const column of columns) {
    values.push(textArray(updates.map((u) => (u.changes.has(column) ? 't' : 'f'))));
    values.push(textArray(updates.map((u) => u.changes.get(column) ?? null)));
  }
  const befores = await readBefores(
    ctx,
    updates.map((u) => u.tid),
  );
  const { rows, rowCount } = await run(ctx, ctx.sql.update(columns, returningOf(ctx)), values, true);
  // The rows are locked since the lookup, so each ctid still names its row; anything else is a bug or a race worth a retry.
  if (rowCount !== updates.length) throw new ConnectionError(`updated ${rowCount} of ${updates.length} matched rows`, { retryable: true });
  const byTid = new Map(updates.map((u) => [u.tid, u]));
  for (const [tid, ...returned] of rows) {
    const update = byTid.get(tid as string);
    const before = befores.get(tid as string);
    if (update === undefined || before === undefined)
      throw new ConnectionError(`the update returned a row it was not given (${String(tid)})`, { retryable: true });
    recordChange(ctx, update.row, before, returned);
  }
}

/**
 * Inserts, one statement per set of defaulted columns the rows give (a column with a DEFAULT the
 * row leaves out must get the default, not NULL); Ferry's generated values fill user_id and the
 * timestamps first.
 */
async function writeInserts(ctx: ApplyContext, rows: readonly PreparedRow[]): Promise<void> {
  const { defaulted } = ctx.shape;
  const groups = new Map<string, PreparedRow[]>();
  for (const row of rows) {
    // A table without defaults (the built-in one) has a single group: no signature to build per row.
    const signature = defaulted.size === 0 ? '' : row.present.filter((p) => defaulted.has(p)).join(',');
    const group = groups.get(signature);
    if (group === undefined) groups.set(signature, [row]);
    else group.push(row);
  }
  for (const group of groups.values()) await insertGroup(ctx, group);
}

/** One INSERT of rows that leave out the same defaulted columns: a text[] per column any of them sets, NULL where a row does not. */
async function insertGroup(ctx: ApplyContext, group: readonly PreparedRow[]): Promise<void> {
  const columns: (PgText[] | undefined)[] = new Array<PgText[] | undefined>(ctx.shape.columns.length);
  const column = (position: number) => (columns[position] ??= new Array<PgText>(group.length).fill(null));
  group.forEach((row, i) => {
    row.present.forEach((position, j) => (column(position)[i] = row.values[j] ?? null));
    // Ferry's own values where the row has none: user_id from the job and row, the timestamps from the job's `now`.
    const fill = (position: number | undefined, value: () => string) => {
      if (position !== undefined && column(position)[i] === null) column(position)[i] = value();
    };
    fill(ctx.generated.userId, () => generateUserId(ctx.input.job, ctx.input.now, row.row));
    fill(ctx.generated.createdAt, () => ctx.input.now);
    fill(ctx.generated.updatedAt, () => ctx.input.now);
  });
  const positions = columns.flatMap((values, position) => (values === undefined ? [] : [position]));
  const { rows } = await run(
    ctx,
    ctx.sql.insert(positions, returningOf(ctx)),
    positions.map((position) => textArray(columns[position] ?? [])),
    true,
  );
  // INSERT … SELECT returns its rows in the order it inserts them, the order of the arrays.
  if (rows.length !== group.length) throw new ConnectionError(`inserted ${rows.length} of ${group.length} rows`, { retryable: true });
  group.forEach((row, i) => recordChange(ctx, row, null, rows[i]!));
}

/** Rejected rows leave their key free for a later row of the job, as if never claimed. */
async function releaseRejected(ctx: ApplyContext, claimed: readonly PreparedRow[], outcomes: Map<PreparedRow, Outcome>): Promise<void> {
  const rejected = claimed.filter((r) => typeof outcomes.get(r) !== 'string');
  if (rejected.length > 0) await run(ctx, ctx.sql.release, [ctx.jobId, textArray(rejected.map((r) => r.jobKey))]);
}

/**
 * A later row with the key of an accepted row is DUPLICATE_IN_SOURCE of it. A first row refused for
 * its key alone (DUPLICATED_USER, an ambiguous key, a key an earlier batch took) would refuse the
 * later row for the same reason, so it gets the same reject. Any other reject of a first row frees
 * the key for its follower, which only row-by-row order settles.
 */
function settleFollowers(ctx: ApplyContext, firsts: readonly PreparedRow[], followers: Map<string, PreparedRow[]>, outcomes: Map<PreparedRow, Outcome>): void {
  for (const first of firsts) {
    const later = followers.get(first.jobKey);
    if (later === undefined) continue;
    const outcome = outcomes.get(first);
    if (outcome === undefined) throw new Error(`row ${first.row} has no outcome`);
    const keyReject =
      typeof outcome !== 'string' && outcome.every((e) => e.code === 'DUPLICATED_USER' || e.code === 'DUPLICATE_IN_SOURCE' || e.code === 'CONFLICT');
    if (typeof outcome !== 'string' && !keyReject) throw new NeedsRowOrder(`row ${first.row} was rejected and its key is reused by row ${later[0]?.row}`);
    const reject = typeof outcome === 'string' ? [storeRejects.duplicateInSource(ctx.input.key, first.row)] : outcome;
    for (const row of later) outcomes.set(row, reject);
  }
}
