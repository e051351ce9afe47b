import type { RestoreBatchOutput, RowChange, WriteBatchOutput } from './types.js';
import { ConnectionError } from './errors.js';

/**
 * The (job, batch) marker every driver commits with a batch, in one transaction: its text is the
 * batch's output, so a batch run again after a crash changes nothing and returns what it did.
 * The one format both drivers write and read; each driver stores it in its own `ferry_batches`.
 *
 * A write's marker keeps the changes (the job's backup) without after images, until finishJob
 * removes them once they are in the job's backup.ndjson: a replay then returns no changes.
 */
export function writeMarker(output: WriteBatchOutput): string {
  // Only a preview's changes have after images: an import's are written as they are, with no copy
  // of each change (the JSON is the same: a change without `after` is what the copy kept).
  if (!output.changes.some(hasAfter)) return JSON.stringify(output);
  return JSON.stringify({ ...output, changes: output.changes.map(({ after: _after, ...kept }) => kept) });
}

function hasAfter(change: RowChange): boolean {
  return change.after !== undefined;
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

/**
 * The rows one of a job's committed batches wrote, from its marker: the job's proof that the table
 * it writes to still holds its earlier batches. The markers outlive the table and do not name it:
 * after the table was dropped (and created again, by Ferry or by hand), renamed or emptied, a resume
 * counted the batches done before from their markers, over a table that no longer held their rows.
 * The first marker with changes stands for them all: such a table holds none of its rows, while a
 * live table that lost a few (users deleted meanwhile) still holds some.
 *
 * Each driver checks once per job on a connection's writer (a job loads it anew): before the first
 * batch this process writes for the job, or — when it writes none, every batch being done before —
 * before the job is finished. Once is enough: the check is for what happened while no process ran
 * the job. Only a check that passed counts, so a failed one is made again next time.
 */
export interface WrittenRows {
  /** Source rows, for the message (never their keys: emails). */
  rows: number[];
  keys: Record<string, unknown>[];
}

/** A marker's text without the row changes it kept: what a finished job leaves (its backup has them). */
export function withoutChanges(output: string): string {
  const { changes: _dropped, ...rest } = JSON.parse(output) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * The rows of a job's first marker with changes, from its text (PostgreSQL's: read in the store,
 * its json functions refuse a `\u0000` in a changed row's values); undefined for none.
 */
export function writtenRowsOfMarker(output: string | undefined): WrittenRows | undefined {
  if (output === undefined) return undefined;
  const changes = (JSON.parse(output) as { changes?: { row: number; key: Record<string, unknown> }[] }).changes ?? [];
  if (changes.length === 0) return undefined;
  return { rows: changes.map((c) => c.row), keys: changes.map((c) => c.key) };
}

/** The rows of a job's first marker with changes, as its driver reads them: (source row, key as JSON text) each; undefined for none. */
export function writtenRows(found: readonly (readonly unknown[])[]): WrittenRows | undefined {
  if (found.length === 0) return undefined;
  return { rows: found.map((r) => Number(r[0])), keys: found.map((r) => JSON.parse(String(r[1])) as Record<string, unknown>) };
}

/**
 * The batch's failure when a job that committed batches before finds no marker of its own in the
 * store: the store was replaced since (its file deleted, its bookkeeping tables dropped, an older
 * backup restored). Not retryable, as `writtenRowsGone`.
 */
export function markersGone(job: string, table: string): ConnectionError {
  return new ConnectionError(
    `job ${job} wrote batches before it stopped, but the store holds none of its batch markers (table ${table}'s store was deleted, replaced or restored from an older copy since): ` +
      'counting those batches done would report rows the table does not hold. ' +
      'Nothing more was written; run the pipeline as a new job (the rows written before are wherever the old store went)',
    { retryable: false },
  );
}

/**
 * The positions of the written rows' key columns in the table (`position`: name → position), in
 * the keys' order; undefined when the table lacks one (then none of the rows can be there).
 */
export function writtenKeyPositions(written: WrittenRows, position: ReadonlyMap<string, number>): number[] | undefined {
  const positions: number[] = [];
  for (const name of Object.keys(written.keys[0] ?? {})) {
    const at = position.get(name);
    if (at === undefined) return undefined;
    positions.push(at);
  }
  return positions;
}

/** The batch's failure when none of the rows is there: not retryable, since the table will not get them back by itself. */
export function writtenRowsGone(job: string, table: string, written: WrittenRows): ConnectionError {
  // In input order, as a marker keeps its changes.
  const first = written.rows[0];
  const last = written.rows.at(-1);
  return new ConnectionError(
    `the rows job ${job} wrote before are no longer in table ${table} (none of the ${written.rows.length} its first batch wrote, source rows ${first}–${last}, is there): ` +
      'the table was dropped, renamed, re-created or emptied since, and counting those batches done would report rows the table does not hold. ' +
      'Nothing more was written; run the pipeline as a new job (the rows written before are wherever the table went)',
    { retryable: false },
  );
}
