import type { TableShape } from './sqlite-schema.js';
import type { SqliteStatements } from './sqlite-statements.js';
import { encodeValue, invalid, storedRowHash, type SqliteValue } from './sqlite-values.js';
import { keyPositions } from './table-shape.js';
import type { ColumnInfo, RestoreBatchInput, RestoreBatchOutput, RestoreEntry } from './types.js';

type Step = 'restored' | 'deleted' | 'skip' | RestoreBatchOutput['changed'][number]['reason'];

/**
 * Puts one batch of a backup back, inside the caller's transaction. The stored row is read whole
 * and hashed: equal to the job's after-hash means nobody changed it since, so it gets its previous
 * image back (every column) or, inserted by the job, is deleted.
 */
export function applyRestore(statements: SqliteStatements, shape: TableShape, input: RestoreBatchInput): RestoreBatchOutput {
  const output: RestoreBatchOutput = { restored: 0, deleted: 0, changed: [], replayed: false };
  for (const entry of input.entries) {
    const step = restoreRow(statements, shape, input, entry);
    if (step === 'restored' || step === 'deleted') output[step] += 1;
    else if (step !== 'skip') output.changed.push({ row: entry.row, key: entry.key, reason: step });
  }
  return output;
}

function restoreRow(statements: SqliteStatements, shape: TableShape, input: RestoreBatchInput, entry: RestoreEntry): Step {
  const key = keyPositions(shape, Object.keys(entry.key));
  const params = key.map((p) => encode(shape.columns[p] as ColumnInfo, entry.key[(shape.columns[p] as ColumnInfo).name]));
  const stored = statements.rows(key).all(...params);
  const current = stored[0];
  // Gone already: an inserted row needs nothing more; an updated one was deleted by someone since.
  if (current === undefined && entry.before === null) return 'skip';
  const reason = current === undefined ? 'missing' : storedRowHash(current) === entry.afterHash ? undefined : 'changed';
  if (reason !== undefined && !input.force) return reason;
  if (input.check) return reason ?? 'skip';
  if (entry.before === null) {
    statements.delete(key).run(...params);
    return 'deleted';
  }
  const all = shape.columns.map((_, i) => i);
  const values = shape.columns.map((c) => encode(c, entry.before?.[c.name] ?? null));
  if (current === undefined) statements.insert(all).run(values);
  else statements.update(all, key).run(...values, ...params);
  return 'restored';
}

/** A value read back from the store encodes as it was stored. */
function encode(column: ColumnInfo, value: unknown): SqliteValue {
  const encoded = encodeValue(column.type, value ?? null);
  if (encoded === invalid) throw new Error(`backup value of ${column.name} does not fit its ${column.type} column`);
  return encoded;
}
