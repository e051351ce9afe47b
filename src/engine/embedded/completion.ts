import type { JobRecord, Journal } from './journal.js';

/**
 * Which ending of the job a run brings (`OrchestrationHooks.completion`, src/plan/delivery-id.ts):
 * the number of the run that began it. A run that follows one that ended (failed, cancelled) begins
 * a new one; a run that follows one a crash interrupted (its record still says running or pending)
 * continues that one's, so the notifications the crashed run may have sent before the journal
 * recorded them go out again with the same delivery ids. Kept as the step `completion@<run>`,
 * recorded under the job's lease, since the crashed run's record is overwritten by this one.
 * `job` is the record as it was before this run took it.
 */
export function runCompletion(journal: Journal, job: JobRecord, lease: number): string {
  const key = `completion@${job.run}`;
  const recorded = journal.getStep(job.id, key);
  if (typeof recorded === 'string') return recorded;
  const interrupted = job.run > 1 && (job.status === 'running' || job.status === 'pending');
  const completion = interrupted ? previousCompletion(journal, job) : String(job.run);
  journal.recordStep(job.id, key, completion, new Date().toISOString(), lease);
  return completion;
}

/** The crashed run's completion; a run journaled before completions were kept began its own. */
function previousCompletion(journal: Journal, job: JobRecord): string {
  const recorded = journal.getStep(job.id, `completion@${job.run - 1}`);
  return typeof recorded === 'string' ? recorded : String(job.run - 1);
}
