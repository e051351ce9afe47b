import { ConnectionError } from '../errors.js';
import { encodeImage, readBefores, recordChange, returningOf } from './backup.js';
import { keyArrays, run, textArray, type ApplyContext, type Outcome } from './context.js';
import { valueAt, type PreparedRow } from './rows.js';
import { planUpsert, type Update } from './upsert.js';
import type { PgText } from './values.js';
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
  const unclaimed = new Set(ctx.selfIdentifying ? firsts.filter((r) => leavesUserId(ctx, r)) : []);
  const claimed = await claimKeys(ctx, firsts, unclaimed, outcomes);
  const planned = ctx.input.upsert ? await planUpsert(ctx, claimed, outcomes) : await planInsert(ctx, claimed, outcomes);
  const { updates } = planned;
  const inserts = refuseIdentityInserts(ctx, planned.inserts, outcomes);
  const orderMatters = orderDependence(ctx, inserts, updates) ?? (await sameKeyAsStored(ctx, inserts));
  if (orderMatters !== undefined) throw new NeedsRowOrder(orderMatters);
  await writeUpdates(ctx, updates);
  for (const update of updates) outcomes.set(update.row, 'updated');
  await writeInserts(ctx, inserts);
  for (const row of inserts) outcomes.set(row, 'inserted');
  await checkKept(ctx, [...updates.map((u) => u.row), ...inserts]);
  await releaseRejected(
    ctx,
    claimed.filter((r) => !unclaimed.has(r)),
    outcomes,
  );
  settleFollowers(ctx, firsts, followers, outcomes);
  return outcomes;
}

/**
 * A row to insert whose key holds a GENERATED ALWAYS identity column: the server refuses a value
 * for it in an INSERT (428C9), which failed the whole batch. It is that row's reject instead; the
 * rows that matched a stored user update it as any upsert does.
 */
function refuseIdentityInserts(ctx: ApplyContext, inserts: PreparedRow[], outcomes: Map<PreparedRow, Outcome>): PreparedRow[] {
  const identity = ctx.key.find((p) => ctx.shape.identityAlways.has(p));
  if (identity === undefined || inserts.length === 0) return inserts;
  const reject = storeRejects.identityKeyNew(ctx.shape.columns[identity]!.name, ctx.shape.table);
  for (const row of inserts) outcomes.set(row, [reject]);
  return [];
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
  const caseless = ctx.key.map((p) => ctx.sql.caseless(p));
  const stored = inserts.map((r) => JSON.stringify(r.keyValues.map((v, k) => (caseless[k] ? v?.toLowerCase() : v))));
  if (new Set(stored).size < inserts.length) return 'two inserted rows have the same key as stored';
  return undefined;
}

/**
 * Where a key column's equality is not that of the encoded text (`PgShape.exactEquality`: citext,
 * a nondeterministic collation, uuid, numeric…), the server counts the inserted rows' different
 * keys: `Bob` and `bob` in a citext column are one key, and row by row the second is DUPLICATED_USER
 * (or, in an upsert, an update of the first) — not a second row, as writing them at once would make.
 */
async function sameKeyAsStored(ctx: ApplyContext, inserts: readonly PreparedRow[]): Promise<string | undefined> {
  if (inserts.length < 2 || ctx.key.every((p) => ctx.shape.exactEquality.has(p) || ctx.sql.caseless(p))) return undefined;
  const { rows } = await run(ctx, ctx.sql.distinctKeys(ctx.key), keyArrays(ctx, inserts), true);
  return rows[0]?.[0] === inserts.length ? undefined : 'two inserted rows have the same key as the column compares it';
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

/**
 * Claims each first row's key for the job; a key an earlier batch claimed is DUPLICATE_IN_SOURCE of
 * that batch's row. Claims serialize two batches writing one key at once: the second waits on the
 * first's claim, then finds it taken.
 *
 * A row inserted with a user_id Ferry generates needs no claim when the key is unique in the table
 * (`selfIdentifying`): the id names the job and the row (`JobUserIds.rowOf`), so a later row's
 * lookup tells it from a user that was there before, and a concurrent insert of the same key fails
 * on the unique index — its batch then goes row by row and finds the committed row. Claiming every
 * inserted key was the largest write of an import after the rows themselves. Such rows still see
 * the claims of the job's other rows (a user_id the mapping gives), when the job has any; `unclaimed`
 * are these rows, left out of the claims and so of their release.
 */
async function claimKeys(
  ctx: ApplyContext,
  firsts: readonly PreparedRow[],
  unclaimed: ReadonlySet<PreparedRow>,
  outcomes: Map<PreparedRow, Outcome>,
): Promise<PreparedRow[]> {
  const toClaim = unclaimed.size === 0 ? firsts : firsts.filter((r) => !unclaimed.has(r));
  const job = ctx.jobId;
  // Rows whose key a claim may hold: the claims refused, and the unclaimed rows when the job has claims at all.
  const held: PreparedRow[] = [];
  if (toClaim.length > 0) {
    const result = await run(ctx, ctx.sql.claim, [job, textArray(toClaim.map((r) => r.jobKey)), textArray(toClaim.map((r) => String(r.row)))], true);
    const claimed = new Set(result.rows.map((r) => r[0] as string));
    for (const r of toClaim) if (!claimed.has(r.jobKey)) held.push(r);
  }
  // One by one, never spread: a batch may hold 100,000 rows, past what a call's arguments can.
  if (unclaimed.size > 0 && (await run(ctx, ctx.sql.anyClaim, [job], true)).rows.length > 0) for (const r of unclaimed) held.push(r);
  const duplicates = new Set<PreparedRow>();
  if (held.length > 0) {
    const earlier = await run(ctx, ctx.sql.claimedRows, [job, textArray(held.map((r) => r.jobKey))], true);
    const firstRow = new Map(earlier.rows.map((r) => [r[0] as string, Number(r[1])]));
    for (const row of held) {
      const first = firstRow.get(row.jobKey);
      if (first === undefined && unclaimed.has(row)) continue; // no claim holds its key: the row's own
      outcomes.set(row, [storeRejects.duplicateInSource(ctx.input.key, first ?? 0)]);
      duplicates.add(row);
    }
  }
  return firsts.filter((r) => !duplicates.has(r));
}

/** True when the row leaves user_id to Ferry, which generates it from the job and the row. */
function leavesUserId(ctx: ApplyContext, row: PreparedRow): boolean {
  const position = ctx.generated.userId;
  return position !== undefined && (valueAt(row, position) ?? null) === null;
}

/** Insert mode: a key that exists is DUPLICATED_USER; the rest are inserted. */
async function planInsert(
  ctx: ApplyContext,
  rows: readonly PreparedRow[],
  outcomes: Map<PreparedRow, Outcome>,
): Promise<{ inserts: PreparedRow[]; updates: Update[] }> {
  if (rows.length === 0) return { inserts: [], updates: [] };
  const id = ctx.generated.userId;
  const result = await run(ctx, ctx.sql.exists(ctx.key, id), [textArray(rows.map((_, i) => String(i))), ...keyArrays(ctx, rows)], true);
  // The matched user's id, when the table has generated ones: one this job generated is the key's first row here.
  const existing = new Map(result.rows.map((r) => [r[0] as number, id === undefined ? undefined : ctx.ids.rowOf(r[1])]));
  const inserts: PreparedRow[] = [];
  rows.forEach((row, i) => {
    if (!existing.has(i)) {
      inserts.push(row);
      return;
    }
    const first = existing.get(i);
    outcomes.set(row, [first === undefined ? storeRejects.duplicatedUser(ctx.input.key) : storeRejects.duplicateInSource(ctx.input.key, first)]);
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
  // The rows are locked since the lookup, so each ctid still names its row: a row missing was skipped by a trigger.
  if (rowCount !== updates.length) throw skippedRows(ctx, 'UPDATE', `updated ${rowCount ?? 0} of ${updates.length} matched rows`);
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
    // Ferry's own values where the row has none: user_id from the job and row, the timestamps from
    // the job's `now`, false for the built-in table's email_verified and phone_verified.
    const fill = (position: number | undefined, value: () => string) => {
      if (position !== undefined && column(position)[i] === null) column(position)[i] = value();
    };
    fill(ctx.generated.userId, () => ctx.ids.id(row.row));
    fill(ctx.generated.createdAt, () => ctx.input.now);
    fill(ctx.generated.updatedAt, () => ctx.input.now);
    fill(ctx.generated.emailVerified, () => 'false');
    fill(ctx.generated.phoneVerified, () => 'false');
  });
  const positions = columns.flatMap((values, position) => (values === undefined ? [] : [position]));
  const { rows } = await run(
    ctx,
    ctx.sql.insert(positions, returningOf(ctx)),
    positions.map((position) => textArray(columns[position] ?? [])),
    true,
  );
  // INSERT … SELECT returns its rows in the order it inserts them, the order of the arrays.
  if (rows.length !== group.length) throw skippedRows(ctx, 'INSERT', `inserted ${rows.length} of ${group.length} rows`);
  group.forEach((row, i) => recordChange(ctx, row, null, rows[i]!));
}

/**
 * Fewer rows written than given, without an error: a BEFORE trigger that returns NULL (or a DO
 * INSTEAD rule) dropped them. The same rows are dropped on every attempt, so not retryable; and
 * a row Ferry did not write is one it cannot count, report or roll back, so the batch fails.
 */
function skippedRows(ctx: ApplyContext, statement: 'INSERT' | 'UPDATE', counts: string): ConnectionError {
  return new ConnectionError(
    `the table ${counts}: a BEFORE ${statement} trigger on ${ctx.shape.readName} that returns NULL (or a rule) skipped the others, which Ferry could neither count nor roll back. ` +
      'Hint: make the trigger RAISE an exception for a row it refuses, which makes that row a reject',
    { retryable: false },
  );
}

/**
 * On a table with triggers or rules, the written rows are looked up again by the key their
 * statement returned: an AFTER trigger runs after RETURNING, so it may have deleted a row or
 * changed its key (a row Ferry would count written that the table does not hold, and a rollback
 * could not find), or changed its values (recorded here as stored, so the rollback finds it unchanged).
 */
async function checkKept(ctx: ApplyContext, written: readonly PreparedRow[]): Promise<void> {
  if (!ctx.shape.rewritten || written.length === 0) return;
  const changes = written.map((row) => {
    const change = ctx.changes.get(row);
    if (change === undefined) throw new Error(`row ${row.row} was written but its change was not recorded`);
    return change;
  });
  const keys = ctx.key.map((p) => textArray(changes.map((c) => encodeImage(ctx.shape, p, c.key[ctx.shape.columns[p]!.name]))));
  const { rows } = await run(ctx, ctx.sql.hashes(ctx.key), [textArray(written.map((_, i) => String(i))), ...keys], true);
  const found = new Map<number, string[]>();
  for (const [i, hash] of rows) found.set(i as number, [...(found.get(i as number) ?? []), hash as string]);
  const lost = written.filter((_, i) => found.get(i)?.length !== 1);
  if (lost.length > 0) throw notKept(ctx, lost.length, written.length);
  changes.forEach((change, i) => (change.afterHash = found.get(i)![0]!));
}

/**
 * Written rows no longer in the table by their key after the statement: as for `skippedRows`, the
 * same trigger does the same on every attempt, so not retryable, and the batch fails whole.
 */
function notKept(ctx: ApplyContext, lost: number, written: number): ConnectionError {
  return new ConnectionError(
    `${lost} of the ${written} rows written are not in ${ctx.shape.readName} by their key once written: an AFTER trigger (or a rule) on it deleted them or changed their key, ` +
      'so Ferry could neither count nor roll them back, and nothing of the batch was written. Hint: make the trigger RAISE an exception for a row it refuses, which makes that row a reject',
    { retryable: false },
  );
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
