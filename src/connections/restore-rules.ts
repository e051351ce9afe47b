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

export function emptyRestoreOutput(): RestoreBatchOutput {
  return { restored: 0, deleted: 0, changed: [], replayed: false };
}

/** Counts one row's step in the batch's output. */
export function countStep(output: RestoreBatchOutput, entry: RestoreEntry, step: RestoreStep): void {
  if (step === 'restore') output.restored += 1;
  else if (step === 'delete') output.deleted += 1;
  else if (step !== 'skip') output.changed.push({ row: entry.row, key: entry.key, reason: step });
}
