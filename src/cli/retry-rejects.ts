import { findRejectedRows, retryPlan } from '../operator/retry-rejects.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { displayPath } from '../project/load-config.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { engineFor } from './engine.js';
import { pausepoint } from '../failpoints.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { runPlannedJob, type RunOptions } from './run.js';
import { visibleText } from '../spec/visible-text.js';

/** `ferry jobs retry-rejects <id> [--pipeline FILE]`: a new job over exactly the records job <id> rejected (src/operator/retry-rejects.ts). */
export async function retryRejectsCommand(ctx: CliContext, id: string, options: RunOptions & { pipeline?: string }): Promise<void> {
  const project = ctx.project();
  const rejected = await findRejectedRows(await engineFor(ctx), id, { stateDir: project.stateDir, shown: (path) => displayPath(ctx.cwd, path) });
  const loaded = await loadCheckedPipeline(project, ctx.cwd, options.pipeline ?? rejected.job.plan.pipelineFile);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
    throw new CliExit(EXIT_INVALID);
  }
  const plan = retryPlan(project, rejected, loaded.loaded);
  if (!options.json) ctx.stderr(visibleText(`retrying the ${rejected.rows.length} rejected record(s) of job ${id} as job ${plan.jobId}`));
  // Tests hold the retry here, its source checked but its job not started, to change the source under it.
  await pausepoint('retry-rejects-checked');
  await runPlannedJob(ctx, plan, { ...options, forceNew: true });
}
