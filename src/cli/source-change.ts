import { statSync } from 'node:fs';
import { readPlanFile } from '../../activities/job-files.js';
import type { JobInfo } from '../engine/engine.js';

/** A job's source file no longer the size it had when the job planned it. */
export interface SourceChange {
  /** The source file, as `shown` gave it. */
  file: string;
  plannedBytes: number;
  bytes: number;
  /** Said to people: `run`'s stderr, `serve`'s log, the console's job page; and in `run --json`. */
  note: string;
}

/**
 * A job reads its source file as planned (byte ranges, each checked against its digest): rows
 * appended after planning are in no batch (a run started now is another submission, which reads
 * them). Nothing in the counts shows that, so it is said once the job has ended. `shown` gives a
 * path as the caller shows it (relative to where it runs).
 */
export function sourceChange(job: JobInfo, shown: (path: string) => string): SourceChange | undefined {
  const source = job.plan.source;
  if (source.type !== 'file') return undefined;
  let planned: number;
  let now: number;
  try {
    planned = readPlanFile(job.jobDir).scan.bytes;
    now = statSync(source.path).size;
  } catch {
    return undefined; // no plan yet (refused before planning), or the source is gone: the job's error says what happened
  }
  if (now === planned) return undefined;
  const file = shown(source.path);
  const again = `ferry run ${shown(job.plan.pipelineFile)}`;
  const note =
    now > planned
      ? `note: ${file} grew by ${now - planned} bytes after job ${job.id} planned it: records added since were not read by this job (${again} reads them, as a new job)`
      : `note: ${file} is ${planned - now} bytes shorter than when job ${job.id} planned it: ${shorterOutcome(job, again)}`;
  return { file, plannedBytes: planned, bytes: now, note };
}

/** The change as `run --json` reports it. */
export function sourceChangeJson(change: SourceChange | undefined): { source_change?: { file: string; planned_bytes: number; bytes: number; note: string } } {
  if (change === undefined) return {};
  return { source_change: { file: change.file, planned_bytes: change.plannedBytes, bytes: change.bytes, note: change.note } };
}

/**
 * What a shrunk file meant for the job: a job that succeeded had read all of it as planned before
 * it shrank; any other stopped at the batch that found its bytes gone (its error says which), or
 * had not read it all yet, so "read as planned" would be untrue.
 */
function shorterOutcome(job: JobInfo, again: string): string {
  if (job.status === 'succeeded') return 'this job read the file as it was planned';
  return `this job did not read all of it (its rows past the file's new end were not written); ${again} reads the file as it is now, as a new job`;
}

/**
 * For a job that failed because its source file changed since planning (read-range.ts says so): a
 * resume reads the file as planned and fails the same way, so the way on is a new job, not
 * `ferry jobs resume`. Undefined for any other failure.
 */
export function sourceChangedFailure(job: JobInfo, error: string | null, shown: (path: string) => string): string | undefined {
  if (error === null || !error.includes('source changed since the job was planned')) return undefined;
  return `job ${job.id} failed: its source changed since it was planned, and a resume would read it as planned and fail again; ferry run ${shown(job.plan.pipelineFile)} reads the file as it is now, as a new job`;
}
