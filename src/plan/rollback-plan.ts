import type { JobPlan } from './job-plan.js';

/**
 * The plan of `ferry jobs rollback <job>`: a job whose source is the original job's backup.ndjson
 * (one row change per line) and whose target is the store the job wrote. Pure: the caller gives
 * identity, time and folders. One batch at a time, so restores apply in the backup's order.
 */
export function buildRollbackPlan(original: JobPlan, ctx: Pick<JobPlan, 'jobId' | 'startedAt' | 'jobDir'> & { backupFile: string; force: boolean }): JobPlan {
  if (original.target.type !== 'connection') throw new Error(`job ${original.jobId} wrote a file, not a store: there is nothing to roll back`);
  return {
    version: 1,
    jobId: ctx.jobId,
    pipeline: original.pipeline,
    pipelineFile: original.pipelineFile,
    pipelineHash: original.pipelineHash,
    startedAt: ctx.startedAt,
    // The stores the job wrote: a resumed rollback refuses when ferry.yaml points elsewhere since.
    ...(original.stores !== undefined ? { stores: original.stores } : {}),
    jobDir: ctx.jobDir,
    kind: 'rollback',
    rollback: { job: original.jobId, force: ctx.force },
    source: { type: 'file', path: ctx.backupFile, format: 'ndjson', csv: { delimiter: ',', header: true, encoding: 'utf8' } },
    target: original.target,
    columns: null,
    validate: { schema: 'none', rules: [], maxRejects: null },
    batch: { size: 1000, parallelism: 1 },
    retry: original.retry,
    notify: [],
  };
}
