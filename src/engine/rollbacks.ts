import type { Engine } from './engine.js';

/**
 * How many of the pipeline's latest jobs are searched for a rollback of a job. A rollback follows
 * the job it undoes closely, and a listing can cost a query per job on Temporal.
 */
export const ROLLBACK_SEARCH = 50;

export interface RollbackOfJob {
  id: string;
  status: string;
}

/** The rollbacks of job `id` among its pipeline's latest jobs, newest first. */
export async function rollbacksOf(jobs: Pick<Engine, 'get' | 'list'>, pipeline: string, id: string): Promise<RollbackOfJob[]> {
  const found: RollbackOfJob[] = [];
  for (const job of await jobs.list({ limit: ROLLBACK_SEARCH, pipeline })) {
    if (job.kind !== 'rollback') continue;
    if ((await jobs.get(job.id))?.plan.rollback?.job === id) found.push({ id: job.id, status: job.status });
  }
  return found;
}
