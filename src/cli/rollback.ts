import { planRollback } from '../operator/rollback.js';
import { displayPath } from '../project/load-config.js';
import type { CliContext } from './context.js';
import { engineFor } from './engine.js';
import { pausepoint } from '../failpoints.js';
import { runPlannedJob, type RunOptions } from './run.js';
import { visibleText } from '../spec/visible-text.js';

/** `ferry jobs rollback <id> [--force]`: put back what job <id> wrote, as a new job (src/operator/rollback.ts). */
export async function rollbackCommand(ctx: CliContext, id: string, options: RunOptions & { force?: boolean }): Promise<void> {
  const app = ctx.app();
  const plan = await planRollback(app.project, await engineFor(ctx), app.deps.pool, id, {
    force: options.force ?? false,
    shown: (path) => displayPath(ctx.cwd, path),
  });
  if (!options.json) ctx.stderr(visibleText(`rolling back job ${id} as job ${plan.jobId}`));
  // Tests hold the rollback here, checked but not started, to change the store under it.
  await pausepoint('rollback-checked');
  await runPlannedJob(ctx, plan, options);
}
