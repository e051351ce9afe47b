import type { RestoreBatchOutput, WriteBatchOutput } from './types.js';

/**
 * The (job, batch) marker every driver commits with a batch, in one transaction: its text is the
 * batch's output, so a batch run again after a crash changes nothing and returns what it did.
 * The one format both drivers write and read; each driver stores it in its own `ferry_batches`.
 *
 * A write's marker keeps the changes (the job's backup) without after images, until finishJob
 * removes them once they are in the job's backup.ndjson: a replay then returns no changes.
 */
export function writeMarker(output: WriteBatchOutput): string {
  return JSON.stringify({ ...output, changes: output.changes.map(({ after: _after, ...kept }) => kept) });
}

/** A committed write's output, from its marker, as a replay returns it. */
export function replayedWrite(marker: string): WriteBatchOutput {
  return { changes: [], ...(JSON.parse(marker) as Partial<WriteBatchOutput>), replayed: true } as WriteBatchOutput;
}

/** A rollback batch's marker: its whole output. */
export function restoreMarker(output: RestoreBatchOutput): string {
  return JSON.stringify(output);
}

/** A committed rollback batch's output, from its marker, as a replay returns it. */
export function replayedRestore(marker: string): RestoreBatchOutput {
  return { ...(JSON.parse(marker) as RestoreBatchOutput), replayed: true };
}
