import type { JobInfo } from '../engine/engine.js';

/**
 * What a failed job's last line says when a resume as things are would fail the same way, so
 * "ferry jobs resume <id> continues it" would send the user round in a circle. The engines keep a
 * failure's message, not whether it was retryable (orchestration makes it a string), so these are
 * told by what the message says: undefined for any other failure, which keeps the resume hint.
 *
 * - The store no longer holds what the job wrote before (batch-marker.ts): its message says to run
 *   the pipeline as a new job.
 * - The source file, as the job reads it, is not what the format needs (a JSON file that is no
 *   array, a record over 16 MiB, a UTF-8 file read as latin1): the same bytes fail the same way.
 *   Found while planning, the plan is made again by a resume, which then reads the fixed file;
 *   found by a batch, the file was planned as it is, and a fixed file is a changed source: a new job.
 */
export function unresumableFailure(job: JobInfo, error: string | null, shown: (path: string) => string): string | undefined {
  if (error === null) return undefined;
  const again = `ferry run ${shown(job.plan.pipelineFile)}`;
  if (NEW_JOB.test(error)) return `job ${job.id} failed, and a resume would fail the same way: ${again} runs the pipeline as a new job`;
  const source = SOURCE.exec(error);
  if (source === null) return undefined;
  if (source[1] === undefined)
    return `job ${job.id} failed planning: its source file would fail the same way again; fix the file as the error says, then ferry jobs resume ${job.id} continues it`;
  return `job ${job.id} failed: its source file would fail the same way again; fix the file as the error says, then ${again} reads it anew, as a new job`;
}

/** What the driver's lost-rows checks say (batch-marker.ts `writtenRowsGone`, `markersGone`). */
const NEW_JOB = /wrote (?:before are no longer in table|batches before it stopped, but the store holds none of its batch markers)/;

/**
 * A source's whole-file error, from planning or (`batch N: `) from a batch; not one reading the file
 * (`cannot read`: a busy disk or a descriptor limit may pass), nor a change of the file since planning.
 */
const SOURCE = /^(batch \d+: )?\[source:[a-z]+\] (?!cannot read )(?![^\n]*source changed since the job was planned)/;
