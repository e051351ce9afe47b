import { ConnectionError } from '../errors.js';
import { countStep, emptyRestoreOutput, refuseLostColumns, restoreStep, shownKey, type RestoreStep } from '../restore-rules.js';
import type { TableShape } from './schema.js';
import type { SqliteStatements } from './statements.js';
import { encodeValue, invalid, matchesRowHash, storedRowHash, type SqliteValue } from './values.js';
import { keyPositions } from '../table-shape.js';
import { imageBlob, imageReal, imageText, imageTextBytes } from '../inexact-json.js';
import type { ColumnInfo, RestoreBatchInput, RestoreBatchOutput, RestoreEntry } from '../types.js';

/**
 * Puts one batch of a backup back, inside the caller's transaction, row by row (restore-rules.ts):
 * the stored row is read whole and hashed as the write hashed it.
 */
export function applyRestore(statements: SqliteStatements, shape: TableShape, input: RestoreBatchInput): RestoreBatchOutput {
  const output = emptyRestoreOutput();
  refuseLostColumns(input, shape.columns, shape.table);
  for (const entry of input.entries)
    countStep(
      output,
      entry,
      refusedRow(shape, entry, () => restoreRow(statements, shape, input, entry)),
    );
  return output;
}

function restoreRow(statements: SqliteStatements, shape: TableShape, input: RestoreBatchInput, entry: RestoreEntry): RestoreStep {
  const key = keyPositions(shape, Object.keys(entry.key));
  const params = key.map((p) => encodeImage(shape.columns[p] as ColumnInfo, entry.key[(shape.columns[p] as ColumnInfo).name]));
  const found = statements.rows(key).all(...params);
  // Two rows with the key (one another writer added since, on a table whose key is not unique): a
  // DELETE or UPDATE by the key would reach both, deleting or overwriting a row the job never wrote.
  if (found.length > 1) {
    if (input.force && !input.check) throw ambiguousRow(shape, entry);
    return 'changed';
  }
  const current = found[0];
  // Compared through matchesRowHash: a backup from before the hash changed still matches its row.
  const currentHash = current === undefined ? undefined : matchesRowHash(entry.afterHash, current) ? entry.afterHash : storedRowHash(current);
  const step = restoreStep(entry, currentHash, input);
  // A statement that changed no row, without an error, was skipped by the store: a BEFORE trigger's
  // RAISE(IGNORE) (a constraint's own ON CONFLICT IGNORE is overridden: statements.ts). The count
  // costs nothing, and holds for a trigger created after the shape was read. A view's INSTEAD OF
  // triggers are never counted: there the row read back tells.
  const skipped = (changes: number) => changes === 0 && !shape.view;
  if (step === 'delete') {
    const { changes } = statements.delete(key).run(...params);
    if (skipped(changes) || (shape.hasTriggers && statements.rows(key).all(...params).length > 0)) throw notRestored(shape, entry, 'delete');
  }
  if (step !== 'restore') return step;
  const all = shape.columns.map((_, i) => i);
  const values = shape.columns.map((c) => encodeImage(c, entry.before?.[c.name] ?? null));
  const verb = current === undefined ? 'insert' : 'update';
  const { changes } = current === undefined ? statements.insert(all).run(values) : statements.update(all, key).run(...values, ...params);
  if (skipped(changes)) throw notApplied(shape, entry, verb);
  if (shape.hasTriggers) {
    const after = statements.rows(key).all(...params);
    if (after.length !== 1) throw notRestored(shape, entry, verb);
    // Still the row the job left (an update only restores a row the job changed): the view's INSTEAD OF UPDATE wrote nothing.
    if (shape.view && verb === 'update' && matchesRowHash(entry.afterHash, after[0] as unknown[])) throw notApplied(shape, entry, verb);
  }
  // Text whose bytes are not UTF-8 went in as those bytes (a BLOB): made TEXT again, byte for byte.
  shape.columns.forEach((c, position) => {
    if (imageTextBytes(entry.before?.[c.name]) !== undefined) statements.asText(position, key).run(...params);
  });
  return step;
}

/**
 * A value read back from the store encodes as it was stored. A timestamp's text goes back exactly
 * as read: the writer's respelling (`sqliteDateTime`) is for new values, and a row another tool
 * wrote with `t…z` must come back so, and be found by that key (also a batch's check of its job's rows, write.ts).
 */
export function encodeImage(column: ColumnInfo, value: unknown): SqliteValue {
  if (column.type === 'timestamp' && typeof value === 'string') return value;
  // A document the image kept as its text (a number a double would round): put back verbatim.
  const text = column.type === 'json' ? imageText(value) : undefined;
  if (text !== undefined) return text;
  // Bytes another tool stored (a BLOB), in any column: put back byte for byte.
  const bytes = imageBlob(value) ?? imageTextBytes(value);
  if (bytes !== undefined) return bytes;
  // ±Infinity, stored as REAL (the driver binds it so).
  const real = imageReal(value);
  if (real !== undefined) return real;
  const encoded = encodeValue(column.type, value ?? null);
  if (encoded === invalid) throw new Error(`backup value of ${column.name} does not fit its ${column.type} column`);
  return encoded;
}

/**
 * A trigger undid a rollback's step (RAISE(IGNORE) on the DELETE, a row deleted or re-keyed after
 * the INSERT): counted, the rollback would report a row put back that is not. The batch fails
 * whole, not retried (the trigger does the same again).
 */
function notRestored(shape: TableShape, entry: RestoreEntry, verb: 'delete' | 'insert' | 'update'): ConnectionError {
  const outcome = verb === 'delete' ? 'still holds it' : 'holds no row with its key';
  return new ConnectionError(
    `row ${entry.row} ${shownKey(entry.key)}: after the rollback's ${verb}, table ${shape.table} ${outcome}: a trigger on it undid the ${verb} (RAISE(IGNORE), or a write of its own), ` +
      'so nothing of this batch was restored. Hint: disable the trigger for the rollback, or put the row back by hand',
    { retryable: false },
  );
}

/**
 * The store skipped a rollback's step without an error (its statement changed no row): counted, the
 * rollback would report a row put back that is not. The batch fails whole, not retried (the store
 * skips it again).
 */
function notApplied(shape: TableShape, entry: RestoreEntry, verb: 'insert' | 'update'): ConnectionError {
  return new ConnectionError(
    `row ${entry.row} ${shownKey(entry.key)}: table ${shape.table} did not apply the rollback's ${verb}, without an error: ` +
      (shape.view
        ? `its INSTEAD OF ${verb.toUpperCase()} trigger wrote nothing for the row, `
        : `a BEFORE ${verb.toUpperCase()} trigger on it skipped the row (RAISE(IGNORE)), `) +
      'so nothing of this batch was restored. Hint: disable the trigger for the rollback, or put the row back by hand',
    { retryable: false },
  );
}

/** `--force` over a key two rows hold now: which one the job wrote cannot be told, and putting it back by the key would reach both. */
function ambiguousRow(shape: TableShape, entry: RestoreEntry): ConnectionError {
  return new ConnectionError(
    `row ${entry.row} ${shownKey(entry.key)}: table ${shape.table} holds more than one row with this key now (another writer added one since the job wrote it), ` +
      'so the rollback cannot tell which to put back, and changing them by the key would reach both: nothing of this batch was restored. ' +
      'Hint: remove the row that was added since, or put the row back by hand',
    { retryable: false },
  );
}

/**
 * A constraint refusing one row's step (a foreign key of another table referring to a row the
 * rollback deletes, a unique value another row took since) fails the batch: SQLite's words
 * ("FOREIGN KEY constraint failed") name neither the row nor the table.
 */
function refusedRow(shape: TableShape, entry: RestoreEntry, step: () => RestoreStep): RestoreStep {
  try {
    return step();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_CONSTRAINT') || !(err instanceof Error)) throw err;
    throw new ConnectionError(
      `row ${entry.row} ${shownKey(entry.key)}: table ${shape.table} refused to have it put back: ${err.message}, so nothing of this batch was restored. ` +
        'Hint: a row of another table may refer to it (a foreign key), or another row may hold one of its unique values now',
      { retryable: false, cause: err, code },
    );
  }
}
