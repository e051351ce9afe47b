import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNdjson, rejectsPath } from '../../activities/job-files.js';
import type { PlanJobOutput } from '../plan/activity-types.js';
import { effectiveStatus } from '../engine/job-status.js';
import { Journal, type JobRecord } from '../engine/journal.js';
import { planFor } from '../engine/runtime.js';
import { sha256File } from '../engine/submission.js';
import type { JobPlan } from '../plan/job-plan.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { runPlannedJob, type RunOptions } from './run.js';

/**
 * `ferry jobs retry-rejects <id> [--pipeline FILE]`: a new job over exactly the records job <id>
 * rejected, read again from its source file in their original form (the report's copies are
 * masked) and run through the pipeline as it is now — so a fixed mapping or rule applies. Rows
 * keep their numbers from the source, so the retry's own rejects can be retried in turn.
 */
export async function retryRejectsCommand(ctx: CliContext, id: string, options: RunOptions & { pipeline?: string }): Promise<void> {
  const project = ctx.project();
  const { job, checksum } = retriable(project.stateDir, id);
  if (job.plan.source.type !== 'file') throw new CliExit(EXIT_FAILED, `job ${id} read a store, not a file: retry its rejects with a pipeline whose query selects them`);
  const source = job.plan.source;
  const rows = await rejectedRows(rejectsPath(job.plan.jobDir));
  if (rows.length === 0) throw new CliExit(EXIT_FAILED, `job ${id} has no rejected records to retry`);
  if (!existsSync(source.path)) throw new CliExit(EXIT_FAILED, `the source file ${source.path} of job ${id} is gone`);
  if ((await sha256File(source.path)) !== checksum) {
    throw new CliExit(EXIT_FAILED, `the source file ${source.path} changed since job ${id} read it: its rejected rows can no longer be found by their numbers`);
  }
  const loaded = await loadCheckedPipeline(project, ctx.cwd, options.pipeline ?? job.plan.pipelineFile);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
    throw new CliExit(EXIT_INVALID);
  }
  const fresh = planFor(project, loaded.loaded);
  mkdirSync(fresh.jobDir, { recursive: true });
  const rowsFile = join(fresh.jobDir, 'retry-rows.json');
  writeFileSync(rowsFile, JSON.stringify(rows));
  // The records come from the job's source whatever the pipeline now names: they are its rejects.
  const plan: JobPlan = { ...fresh, source, retryOf: { job: id, rowsFile } };
  if (!options.json) ctx.stderr(`retrying the ${rows.length} rejected record(s) of job ${id} as job ${plan.jobId}`);
  await runPlannedJob(ctx, project, plan, { ...options, forceNew: true });
}

function retriable(stateDir: string, id: string): { job: JobRecord; checksum: string } {
  const journal = new Journal(stateDir);
  try {
    const job = journal.getJob(id);
    if (!job) throw new CliExit(EXIT_FAILED, `no job ${id} (ferry jobs list shows the jobs)`);
    const status = effectiveStatus(job);
    if (status !== 'succeeded' && status !== 'failed' && status !== 'cancelled') throw new CliExit(EXIT_FAILED, `job ${id} has not ended (${status}); its reject report is not complete yet`);
    const planned = journal.getStep(id, 'planJob') as PlanJobOutput | undefined;
    if (!planned) throw new CliExit(EXIT_FAILED, `job ${id} never read its source`);
    return { job, checksum: planned.checksum };
  } finally {
    journal.close();
  }
}

/** The rejected rows, ascending and each once (a record can have several errors but one line). */
async function rejectedRows(path: string): Promise<number[]> {
  if (!existsSync(path)) return [];
  const rows = new Set<number>();
  for await (const { row } of readNdjson<{ row: number }>(path)) rows.add(row);
  return [...rows].sort((a, b) => a - b);
}
