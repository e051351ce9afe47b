import type { RestoreBatchOutput, WriteBatchOutput } from './types.js';
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

/**
 * A row one of a job's committed batches wrote, from its marker: the job's proof that the table it
 * writes to still holds its earlier batches. The markers outlive the table and do not name it: after
 * the table was dropped (and created again, by Ferry or by hand), renamed or emptied, a resume
 * counted the batches done before from their markers, over a table that no longer held their rows.
 * One row of the job's first batch that changed any stands for them all: a table dropped, re-created,
 * renamed or emptied no longer has it. Looked up once per batch, by the key, through its index.
 */
export interface WrittenRow {
  /** The source row it was written from: what a message names (never its key: an email). */
  row: number;
  key: Record<string, unknown>;
}

/** The first row a committed write inserted or updated, if any. */
export function firstWritten(output: WriteBatchOutput): WrittenRow | undefined {
  const first = output.changes[0];
  return first === undefined ? undefined : { row: first.row, key: first.key };
}

/**
 * What each driver keeps per job, for the connection's life: the row found (or first written) by
 * this process, `null` when the job had written none when it looked, absent before it looked.
 */
export class WrittenRows {
  private readonly rows = new Map<string, WrittenRow | null>();

  /** The row to check for `job`, reading it from the markers (`read`) the first time only. */
  async of(job: string, read: () => Promise<WrittenRow | undefined> | WrittenRow | undefined): Promise<WrittenRow | null> {
    const known = this.rows.get(job);
    if (known !== undefined) return known;
    const found = (await read()) ?? null;
    this.rows.set(job, found);
    return found;
  }

  /** The same, for a driver whose reads return at once (SQLite). */
  ofSync(job: string, read: () => WrittenRow | undefined): WrittenRow | null {
    const known = this.rows.get(job);
    if (known !== undefined) return known;
    const found = read() ?? null;
    this.rows.set(job, found);
    return found;
  }

  /** After a commit: the job's first row to check, when it had none. Never before: a rolled-back batch's row is not there. */
  committed(job: string, output: WriteBatchOutput): void {
    if (this.rows.get(job) !== null) return;
    const first = firstWritten(output);
    if (first !== undefined) this.rows.set(job, first);
  }
}

/** The batch's failure when the job's row is gone: not retryable, since the table will not get it back by itself. */
export function writtenRowGone(job: string, table: string, row: WrittenRow): ConnectionError {
  return new ConnectionError(
    `the rows job ${job} wrote before are no longer in table ${table} (its first, source row ${row.row}, is not there): ` +
      'the table was dropped, renamed, re-created or emptied since, and counting those batches done would report rows the table does not hold. ' +
      'Nothing more was written; run the pipeline as a new job (its earlier rows are wherever the table went)',
    { retryable: false },
  );
}
