import { ConnectionError } from './errors.js';
import { formatKey } from '../plan/row-diff.js';
import { shownName } from '../spec/diagnostics.js';
import { clip } from '../validation/clip.js';
import type { RestoreBatchInput, RestoreBatchOutput, RestoreEntry } from './types.js';

/** What a rollback does with one backup row: put its image back, delete it, leave it, or report it. */
export type RestoreStep = 'restore' | 'delete' | 'skip' | RestoreBatchOutput['changed'][number]['reason'];

/**
 * The rule both drivers follow, given the row's current hash in the store (undefined when it is
 * gone). A hash equal to the job's after-hash means nobody changed the row since: an updated row
 * gets its previous image back, an inserted one is deleted. A row changed or deleted since is
 * reported and left alone, unless `force`; an inserted row already gone needs nothing.
 */
export function restoreStep(entry: RestoreEntry, currentHash: string | undefined, input: Pick<RestoreBatchInput, 'force' | 'check'>): RestoreStep {
  if (currentHash === undefined && entry.before === null) return 'skip';
  const reason = currentHash === undefined ? 'missing' : currentHash === entry.afterHash ? undefined : 'changed';
  if (reason !== undefined && !input.force) return reason;
  if (input.check) return reason ?? 'skip';
  return entry.before === null ? 'delete' : 'restore';
}

/** How much of a row's key a rollback's message shows: a key is source data, of any length. */
const KEY_WIDTH = 200;

/** A backup row's key as a rollback's message names it (`email="a@x.io"`), clipped: twenty keys of 400 kB made an 8 MB refusal. */
export function shownKey(key: Record<string, unknown>): string {
  return clip(formatKey(key), KEY_WIDTH);
}

export function emptyRestoreOutput(): RestoreBatchOutput {
  return { restored: 0, deleted: 0, changed: [], replayed: false };
}

/** Counts one row's step in the batch's output. */
export function countStep(output: RestoreBatchOutput, entry: RestoreEntry, step: RestoreStep): void {
  if (step === 'restore') output.restored += 1;
  else if (step === 'delete') output.deleted += 1;
  else if (step !== 'skip') output.changed.push({ row: entry.row, key: entry.key, reason: step });
}

/**
 * Refuses a batch holding a row image with a value in a column the table no longer has (dropped or
 * renamed since the job wrote it): put back, the row would silently lose that value — a renamed
 * column got NULL, its old value went nowhere — with --force, which skips the rows' hashes. A
 * check refuses it too, before any batch. Values that were NULL lose nothing: no refusal.
 */
export function refuseLostColumns(input: Pick<RestoreBatchInput, 'entries' | 'check'>, columns: readonly { name: string }[], table: string): void {
  const known = new Set(columns.map((c) => c.name));
  for (const entry of input.entries) {
    if (entry.before === null) continue;
    const lost = Object.keys(entry.before).filter((name) => !known.has(name) && entry.before![name] !== null && entry.before![name] !== undefined);
    if (lost.length === 0) continue;
    const names = lost.slice(0, 5).map(shownName).join(', ');
    const more = lost.length > 5 ? ` and ${lost.length - 5} more` : '';
    throw new ConnectionError(
      `row ${entry.row} ${shownKey(entry.key)}: the backup holds its value${lost.length === 1 ? '' : 's'} of column${lost.length === 1 ? '' : 's'} ${names}${more}, ` +
        `which table ${table} no longer has (dropped or renamed since the job wrote the row): putting the row back would lose ${lost.length === 1 ? 'it' : 'them'}` +
        `${input.check ? '' : ', so nothing of this batch was restored'}. Hint: give the table back its columns as the job found them, or put the rows back by hand`,
      { retryable: false },
    );
  }
}
