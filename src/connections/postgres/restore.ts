import type { ClientBase } from 'pg';
import { ConnectionError } from '../errors.js';
import { isRowError } from './errors.js';
import { encodeImage } from './backup.js';
import { textArray } from './context.js';
import { imageTypes } from './decode.js';
import type { PgShape } from './schema.js';
import type { PgStatements } from './sql.js';
import { countStep, emptyRestoreOutput, refuseLostColumns, restoreStep, shownKey } from '../restore-rules.js';
import { keyPositions } from '../table-shape.js';
import type { RestoreBatchInput, RestoreBatchOutput, RestoreEntry } from '../types.js';

type Image = Record<string, unknown>;

/**
 * Puts one batch of a backup back, inside the caller's transaction, set-based like a write: one
 * locking lookup of every key with the stored row's hash, then at most one DELETE, one UPDATE and
 * one INSERT. The decision per row is restore-rules.ts's, as on SQLite.
 */
export async function restoreRows(client: ClientBase, shape: PgShape, sql: PgStatements, input: RestoreBatchInput): Promise<RestoreBatchOutput> {
  const output = emptyRestoreOutput();
  const first = input.entries[0];
  if (first === undefined) return output;
  refuseLostColumns(input, shape.columns, shape.readName);
  const key = keyPositions(shape, Object.keys(first.key));
  const found = await locate(client, shape, sql, key, input);
  const hidden = await hiddenRows(client, shape, input, found);
  const deletes: string[] = [];
  const updates: { tid: string; before: Image }[] = [];
  const inserts: Image[] = [];
  input.entries.forEach((entry, i) => {
    if (hidden.has(i)) return countStep(output, entry, 'hidden');
    const current = found.get(i);
    // Two rows with the key (one another writer added since, on a table whose key is not unique):
    // which one the job wrote cannot be told, and --force put back (or deleted) whichever came first.
    if (current === 'ambiguous') {
      if (input.force && !input.check) throw ambiguousRow(shape, entry);
      return countStep(output, entry, 'changed');
    }
    const step = restoreStep(entry, current?.hash, input);
    if (step === 'delete' && current !== undefined) deletes.push(current.tid);
    if (step === 'restore' && entry.before !== null) {
      if (current === undefined) inserts.push(entry.before);
      else updates.push({ tid: current.tid, before: entry.before });
    }
    countStep(output, entry, step);
  });
  if (deletes.length > 0) {
    const { rowCount } = await refusedValue(shape, 'DELETE', client.query({ ...sql.deleteAt(), values: [textArray(deletes)] }));
    if (rowCount !== deletes.length) throw skipped(shape, 'DELETE', `deleted ${rowCount ?? 0} of ${deletes.length} rows`);
  }
  if (updates.length > 0) await refusedValue(shape, 'UPDATE', restoreUpdates(client, shape, sql, updates));
  if (inserts.length > 0) await refusedValue(shape, 'INSERT', restoreInserts(client, shape, sql, inserts));
  return output;
}

/**
 * A statement of the rollback the server refused for a row's data (SQLSTATE class 22 or 23: a saved
 * value the column's type no longer takes, a constraint added since). The server's words may end
 * quoting the value (`invalid input syntax for type integer: "…"`), a row's saved value — a password
 * hash — which the job's error would carry to its report, the journal and notifications: said
 * without it, naming the column where the server does.
 */
async function refusedValue<T>(shape: PgShape, statement: 'DELETE' | 'UPDATE' | 'INSERT', work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!isRowError(err)) throw err;
    const { message, code, column } = err as { message?: unknown; code?: string; column?: unknown };
    const said = String(message).replace(/: ".*"$/s, '');
    const where = typeof column === 'string' ? ` (column ${column})` : '';
    throw new ConnectionError(
      `${shape.readName} refused the rollback's ${statement}: ${said}${where}. A value saved in the backup no longer fits the table, or a constraint added since refuses it, ` +
        'so nothing of this batch was restored. Hint: give the table back the columns and constraints the job found, or put the rows back by hand',
      { retryable: false, ...(code !== undefined ? { code } : {}) },
    );
  }
}

/** Each entry's stored row, locked: its ctid and hash; `ambiguous` where more than one row has its key. */
async function locate(
  client: ClientBase,
  shape: PgShape,
  sql: PgStatements,
  key: number[],
  input: RestoreBatchInput,
): Promise<Map<number, { tid: string; hash: string } | 'ambiguous'>> {
  const ordinals = textArray(input.entries.map((_, i) => String(i)));
  const keys = key.map((p) => textArray(input.entries.map((e) => encodeImage(shape, p, e.key[shape.columns[p]!.name]))));
  const { rows } = await client.query<unknown[]>({ ...sql.locate(key), values: [ordinals, ...keys], rowMode: 'array', types: imageTypes });
  const found = new Map<number, { tid: string; hash: string } | 'ambiguous'>();
  for (const [i, tid, hash] of rows) found.set(i as number, found.has(i as number) ? 'ambiguous' : { tid: tid as string, hash: hash as string });
  return found;
}

/** How many rows a refusal over rows it cannot see names; the rest are counted. */
const LISTED_HIDDEN = 5;

/**
 * Rows of the backup the lookup found none for, on a table whose row-level security applies to
 * this session's user (not its owner, unless FORCE ROW LEVEL SECURITY; not a role with BYPASSRLS):
 * a policy's USING may hide them, and whether one was deleted since or is hidden cannot be told.
 * Taken as gone, an updated row was reported "deleted since" and --force inserted its old image
 * again — a second copy of the hidden row where the key is not unique — and a row the job inserted
 * was counted as already gone while it stayed. A check reports them (reason `hidden`, beside the
 * rows changed since); a restore fails its batch, forced or not.
 */
async function hiddenRows(client: ClientBase, shape: PgShape, input: RestoreBatchInput, found: Map<number, unknown>): Promise<Set<number>> {
  const none = new Set<number>();
  if (!shape.rowSecurity) return none;
  const unseen = input.entries.flatMap((_, i) => (found.has(i) ? [] : [i]));
  if (unseen.length === 0) return none;
  const { rows } = await client.query<{ active: boolean; user: string }>('SELECT row_security_active($1::regclass) AS active, current_user AS "user"', [
    shape.qualified,
  ]);
  if (rows[0]?.active !== true) return none;
  if (input.check) return new Set(unseen);
  const entries = unseen.map((i) => input.entries[i]!);
  const listed = entries
    .slice(0, LISTED_HIDDEN)
    .map((e) => `row ${e.row} ${shownKey(e.key)}`)
    .join(', ');
  const more = entries.length > LISTED_HIDDEN ? ` and ${entries.length - LISTED_HIDDEN} more` : '';
  throw new ConnectionError(
    `${entries.length} row${entries.length === 1 ? '' : 's'} of the backup ${entries.length === 1 ? 'is' : 'are'} not visible to database user ${rows[0].user}: ` +
      `row-level security on ${shape.readName} applies to this user, so a policy's USING may hide them, and whether they were deleted since or are hidden cannot be told (${listed}${more}). ` +
      'A rollback restores nothing while it cannot see them, --force included: it would insert a second copy of a hidden row, and leave in place a hidden row the job inserted. ' +
      'Hint: roll back as a database user row-level security does not apply to (the table owner, unless the table forces row-level security, or a role with BYPASSRLS)',
    { retryable: false },
  );
}

/** Every column the server lets us assign back: not computed ones, nor GENERATED ALWAYS identities (they are the row's own). */
async function restoreUpdates(client: ClientBase, shape: PgShape, sql: PgStatements, updates: { tid: string; before: Image }[]): Promise<void> {
  const columns = shape.columns.flatMap((_, p) => (shape.computed.has(p) || shape.identityAlways.has(p) ? [] : [p]));
  const values: string[] = [textArray(updates.map((u) => u.tid))];
  for (const p of columns) {
    values.push(textArray(updates.map(() => 't')));
    values.push(textArray(updates.map((u) => encodeImage(shape, p, u.before[shape.columns[p]!.name]))));
  }
  const { rowCount } = await client.query({ ...sql.update(columns), values });
  // The rows are locked since the lookup, so each ctid still names its row: one missing was skipped by a trigger.
  if (rowCount !== updates.length) throw skipped(shape, 'UPDATE', `restored ${rowCount ?? 0} of ${updates.length} rows`);
}

/** A row deleted since, put back by `force` whole, identity included. */
async function restoreInserts(client: ClientBase, shape: PgShape, sql: PgStatements, inserts: Image[]): Promise<void> {
  const columns = shape.columns.flatMap((_, p) => (shape.computed.has(p) ? [] : [p]));
  const overriding = columns.some((p) => shape.identityAlways.has(p));
  const values = columns.map((p) => textArray(inserts.map((before) => encodeImage(shape, p, before[shape.columns[p]!.name]))));
  const { rowCount } = await client.query({ ...sql.insert(columns, undefined, overriding), values });
  if (rowCount !== inserts.length) throw skipped(shape, 'INSERT', `put back ${rowCount ?? 0} of ${inserts.length} deleted rows`);
}

/** `--force` over a key two rows hold now: putting back whichever came first could overwrite or delete a row the job never wrote. */
function ambiguousRow(shape: PgShape, entry: RestoreEntry): ConnectionError {
  return new ConnectionError(
    `row ${entry.row} ${shownKey(entry.key)}: ${shape.readName} holds more than one row with this key now (another writer added one since the job wrote it), ` +
      'so the rollback cannot tell which to put back: nothing of this batch was restored. Hint: remove the row that was added since, or put the row back by hand',
    { retryable: false },
  );
}

/**
 * Fewer rows deleted, restored or put back than the rollback's batch holds, without an error: a
 * BEFORE trigger returning NULL (or a rule) skipped them. Counted, the rollback would report rows
 * put back that are not; the trigger skips them again on a retry, so the batch fails whole.
 */
function skipped(shape: PgShape, statement: 'DELETE' | 'UPDATE' | 'INSERT', counts: string): ConnectionError {
  // A policy for DELETE (or UPDATE) alone may hide from it a row the locking lookup saw.
  const policy =
    shape.rowSecurity && statement !== 'INSERT' ? `, or a row-level security policy for ${statement} that hides them from this database user,` : '';
  return new ConnectionError(
    `the rollback ${counts}: a BEFORE ${statement} trigger on ${shape.readName} that returns NULL (or a rule)${policy} skipped the others, so nothing of this batch was restored. ` +
      'Hint: disable the trigger for the rollback, or put the rows back by hand',
    { retryable: false },
  );
}
