import type { JobInfo } from '../engine/engine.js';
import type { JobFailure } from '../plan/orchestrate.js';

/**
 * What a failed job's last line says when its error is one another attempt meets again (the
 * engine keeps whether it was retryable, and in which step), so "ferry jobs resume <id> continues
 * it" would send the user round in a circle. Undefined for a retryable failure, and for one not
 * known (a job that failed on its rejects, or journaled before the field): the resume hint stays.
 *
 * A planning step is done again by a resume, which then meets what was fixed (a source file, a
 * table's column). A batch's error may be fixed outside the job (a permission granted, a password
 * renewed: not retryable, yet a resume then goes on), or not at all (a store that lost the job's
 * rows, a changed source: its error says to run the pipeline as a new job), so the line names both.
 */
export function unresumableFailure(job: JobInfo, failure: JobFailure | undefined, shown: (path: string) => string): string | undefined {
  if (failure === undefined || failure.retryable) return undefined;
  if (failure.step === 'batch') {
    return `job ${job.id} failed, and a resume as things are would fail the same way: do what the error says (fix its cause, then ferry jobs resume ${job.id} continues it; where it says the job cannot go on, ferry run ${shown(job.plan.pipelineFile)} runs the pipeline as a new job)`;
  }
  const step = failure.step === 'plan' ? 'planning' : 'finishing';
  return `job ${job.id} failed ${step}, and a resume as things are would fail the same way: fix what the error says, then ferry jobs resume ${job.id} continues it`;
}
