import type { RowChange } from '../src/connections/types.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import { runPipelineJob, type JobOutcome, type OrchestrationHooks } from '../src/plan/orchestrate.js';
import { diffRow, type ValueDiff } from '../src/plan/row-diff.js';
import { MASK, maskRecord } from '../src/validation/mask.js';
import type { Reject } from '../src/validation/reject.js';
import { ConnectionPool, type ActivityDeps } from './deps.js';
import { createActivities } from './index.js';
import { backupPath, readNdjson, rejectsPath } from './job-files.js';

export interface DryRunExamples {
  insert: { row: number; key: Record<string, unknown>; values: Record<string, unknown> }[];
  update: { row: number; key: Record<string, unknown>; diffs: ValueDiff[] }[];
  reject: Pick<Reject, 'row' | 'errors'>[];
}

export interface DryRunResult {
  outcome: JobOutcome;
  examples: DryRunExamples;
}

/**
 * `ferry run --dry-run`: the whole job — plan, read, map, validate, write — inside one transaction
 * of the target store that is rolled back at the end, so what the store would do (inserts,
 * updates, unchanged rows, its own rejects such as DUPLICATED_USER or CONFLICT) is exactly what a
 * real run does, and nothing stays. The writes return each changed row's before and after image;
 * the job folder keeps them (backup.ndjson) with the rejects. Runs in this process whatever the
 * engine: a dry run needs no durability, and must not leave a job to resume.
 */
export async function dryRun(deps: ActivityDeps, plan: JobPlan, examples: number, hooks: OrchestrationHooks = {}): Promise<DryRunResult> {
  if (plan.target.type !== 'connection')
    throw new Error('a dry run previews writes to a store; this pipeline writes a file (run it with --sample to preview an export)');
  // Connections of its own: everything done on the preview's connection while it runs is rolled
  // back with it, so in a process that also runs jobs (`ferry ui`) a job's batch written on a
  // shared connection meanwhile was undone after it had reported committed. On its own connection
  // the dry run holds the store's write lock instead, and such a batch waits or retries.
  const pool = new ConnectionPool(deps.connections, deps.baseDir);
  try {
    const store = await pool.get(plan.target.connection, plan.target.table);
    const acts = createActivities({ ...deps, pool });
    const outcome = await store.preview(() => runPipelineJob({ ...plan, dryRun: true, notify: [] }, acts, hooks));
    // A job that failed before finalizing (at planning: a bad header, an unknown column) wrote no files to take examples from.
    if (outcome.artifacts === null) return { outcome, examples: { insert: [], update: [], reject: [] } };
    return { outcome, examples: await collectExamples(plan.jobDir, examples) };
  } finally {
    await pool.closeAll();
  }
}

async function collectExamples(jobDir: string, limit: number): Promise<DryRunExamples> {
  const examples: DryRunExamples = { insert: [], update: [], reject: [] };
  for await (const change of readNdjson<RowChange>(backupPath(jobDir))) {
    const { row, key, before, after = {} } = change;
    if (before === null && examples.insert.length < limit) examples.insert.push({ row, key, values: maskRecord(after) as Record<string, unknown> });
    if (before !== null && examples.update.length < limit) examples.update.push({ row, key, diffs: diffRow(before, after).map(maskDiff) });
    if (examples.insert.length >= limit && examples.update.length >= limit) break;
  }
  for await (const { row, errors } of readNdjson<Reject>(rejectsPath(jobDir))) {
    if (examples.reject.length >= limit) break;
    examples.reject.push({ row, errors });
  }
  return examples;
}

/** Example rows are printed and shown: password hashes and secrets are masked as in the reject report. */
function maskDiff(diff: ValueDiff): ValueDiff {
  if (!/(^|\.)(password_hash|custom_password_hash|password|secret)(\.|\[|$)/i.test(diff.path)) return diff;
  return { path: diff.path, ...('old' in diff ? { old: MASK } : {}), ...('new' in diff ? { new: MASK } : {}) } as ValueDiff;
}
