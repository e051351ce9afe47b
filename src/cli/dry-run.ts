import { join, relative } from 'node:path';
import { dryRun, type DryRunExamples } from '../../activities/dry-run.js';
import { backupPath, rejectsPath } from '../../activities/job-files.js';
import type { JobPlan } from '../plan/job-plan.js';
import { formatDiff, formatKey } from '../plan/row-diff.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED } from './exit-codes.js';
import { createProgress } from './progress.js';
import { wholeNumber } from './usage.js';
import { maskedJson } from './mask-json.js';

/** Example rows shown per kind (would insert, would update, rejected) unless --examples says otherwise. */
export const DEFAULT_EXAMPLES = 3;

/**
 * `ferry run <pipeline> --dry-run`: what the job would do to its target — counts and a few example
 * rows per kind, updates as `column: old → new` (JSON columns by path) — with nothing written.
 * Its files (rejects.ndjson, and backup.ndjson holding every change's before and after) go to
 * `<state_dir>/dry-runs/<id>/`. Exit 0 when the job would succeed, 1 when it would fail.
 */
export async function dryRunCommand(ctx: CliContext, planned: JobPlan, options: { json?: boolean; examples?: string }): Promise<void> {
  const { project, deps } = ctx.app();
  const limit = exampleCount(options.examples);
  const plan = { ...planned, jobDir: join(project.stateDir, 'dry-runs', planned.jobId) };
  const progress = createProgress(process.stderr, !options.json);
  let result;
  try {
    result = await dryRun(deps, plan, limit, { progress: (p) => progress.update(p) });
  } catch (err) {
    throw new CliExit(EXIT_FAILED, project.masker.mask(`dry run failed: ${err instanceof Error ? err.message : String(err)}`));
  } finally {
    progress.stop();
  }
  const { outcome, examples } = result;
  const s = outcome.summary;
  const files = {
    dir: relative(ctx.cwd, plan.jobDir),
    rejects: relative(ctx.cwd, rejectsPath(plan.jobDir)),
    changes: relative(ctx.cwd, backupPath(plan.jobDir)),
  };
  const report = {
    dry_run: true,
    pipeline: plan.pipeline,
    status: outcome.status,
    ...(outcome.error ? { error: project.masker.mask(outcome.error) } : {}),
    summary: { total: s.total, would_insert: s.inserted, would_update: s.updated, unchanged: s.unchanged, rejected: s.rejected },
    examples,
    artifacts: files,
  };
  if (options.json) ctx.stdout(maskedJson(report, (text) => project.masker.mask(text)));
  else for (const line of describe(plan, report.summary, examples, files)) ctx.stdout(project.masker.mask(line));
  if (outcome.status !== 'succeeded')
    throw new CliExit(EXIT_FAILED, options.json ? undefined : `the job would fail: ${project.masker.mask(outcome.error ?? outcome.status)}`);
}

function describe(plan: JobPlan, s: Record<string, number>, examples: DryRunExamples, files: Record<string, string>): string[] {
  const out = [
    `dry run of ${plan.pipeline}: nothing was written`,
    `  would insert ${s['would_insert']}, would update ${s['would_update']}, unchanged ${s['unchanged']}, rejected ${s['rejected']} (of ${s['total']})`,
  ];
  for (const e of examples.insert) out.push(`  insert row ${e.row} ${formatKey(e.key)}`);
  for (const e of examples.update) {
    out.push(`  update row ${e.row} ${formatKey(e.key)}`);
    for (const d of e.diffs) out.push(`    ${formatDiff(d)}`);
  }
  for (const e of examples.reject) out.push(`  reject row ${e.row}: ${e.errors.map((x) => `${x.code} ${x.path}: ${x.message}`).join('; ')}`);
  out.push(`  every change (before and after): ${files['changes']}; every reject: ${files['rejects']}`);
  return out;
}

function exampleCount(value: string | undefined): number {
  return value === undefined ? DEFAULT_EXAMPLES : wholeNumber(value, '--examples', 0);
}
