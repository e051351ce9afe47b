import type { JobInfo } from '../engine/engine.js';
import type { JobFailure } from '../plan/orchestrate.js';

/**
 * What a failed job's last line says when its error is one another attempt meets again (the
 * engine keeps whether it was retryable, and in which step), so "ferry jobs resume <id> continues
 * it" would send the user round in a circle. Undefined for a retryable failure, and for one not
 * known (a job that failed on its rejects, or journaled before the field): the resume hint stays.
 *
 * A planning step is done again by a resume, which then meets what was fixed (a source file, a
 * table's column). A batch's was planned as things were: a fixed source is a changed source, and a
 * store that lost the job's rows does not get them back, so the pipeline runs as a new job.
 */
export function unresumableFailure(job: JobInfo, failure: JobFailure | undefined, shown: (path: string) => string): string | undefined {
  if (failure === undefined || failure.retryable) return undefined;
  if (failure.step === 'batch') {
    return `job ${job.id} failed, and a resume would fail the same way: ferry run ${shown(job.plan.pipelineFile)} runs the pipeline as a new job, after any fix the error asks for`;
  }
  const step = failure.step === 'plan' ? 'planning' : 'finishing';
  return `job ${job.id} failed ${step}, and a resume as things are would fail the same way: fix what the error says, then ferry jobs resume ${job.id} continues it`;
}
