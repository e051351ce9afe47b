import { addCounts, type JobSummary, type PlanJobOutput, type RunBatchOutput } from '../../plan/activity-types.js';
import { emptySummary } from '../../plan/orchestrate.js';
import type { Journal } from './journal.js';

/**
 * A job's counts as its journal proves them: the plan's totals plus every recorded batch (with
 * `before`, only those recorded before that instant). The summary column is saved at most once a
 * second while a job runs, so a process killed mid-job leaves it behind the batches it committed;
 * an interrupted job is shown from this instead. Undefined before the plan step is recorded.
 */
export function journaledSummary(journal: Journal, id: string, before?: string): JobSummary | undefined {
  const planned = journal.getStep(id, 'planJob') as PlanJobOutput | undefined;
  if (!planned) return undefined;
  const summary = emptySummary();
  summary.total = planned.total;
  summary.batches.total = planned.batches;
  for (const step of journal.stepsStartingWith(id, 'runBatch:')) {
    if (before !== undefined && step.recordedAt >= before) continue;
    addCounts(summary, step.output as RunBatchOutput);
    summary.batches.done += 1;
  }
  return summary;
}
