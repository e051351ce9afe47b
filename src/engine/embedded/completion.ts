import type { NotifyInput, NotifyOutput } from '../../plan/activity-types.js';
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

/** What a run records of a notification it sent: its output, and the delivery id it was sent under. */
export type RecordedNotification = NotifyOutput & { delivery?: string };

/**
 * A notification an earlier run of the job delivered under the same delivery id (same completion,
 * index and status) and recorded, with the step that recorded it: a run resumed after a crash
 * replays it instead of sending it again. One that failed is sent again (the receiver did not take
 * it); one recorded before delivery ids were journaled is not found, so it is sent again as before.
 */
export function deliveredBefore(journal: Journal, jobId: string, input: NotifyInput): { key: string; output: NotifyOutput } | undefined {
  if (input.delivery === undefined) return undefined;
  // The run that sent it, not one that replayed it: the lowest run number (keys sort `@10` before `@2`).
  const runOf = (key: string): number => Number(key.slice(key.lastIndexOf('@') + 1));
  const delivered = journal.stepsStartingWith(jobId, `notify:${input.index}@`).filter((step) => {
    const recorded = step.output as Partial<RecordedNotification> | null;
    return recorded?.delivery === input.delivery && recorded?.ok === true;
  });
  const first = delivered.sort((a, b) => runOf(a.key) - runOf(b.key))[0];
  return first && { key: first.key, output: notifyOutput(first.output as RecordedNotification) };
}

/** A recorded notification as the job's outcome lists it, without the delivery id the journal keeps. */
export function notifyOutput(recorded: RecordedNotification): NotifyOutput {
  const { index, ok, detail } = recorded;
  return { index, ok, detail };
}
