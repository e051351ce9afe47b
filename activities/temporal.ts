import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { isRetryable } from '../src/connections/errors.js';
import type { PipelineActivities } from '../src/plan/activity-types.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import type { ProjectIdentity } from '../src/engine/temporal/project-identity.js';
import type { ActivityDeps } from './deps.js';
import { createActivities } from './index.js';
import { planPath, readPlanFile } from './job-files.js';
import type { ActivityProgress } from './progress.js';
import { ForeignJobError, refuseForeignProject } from './project-check.js';

/**
 * The activities as a Temporal worker registers them: createActivities with heartbeats, heartbeat
 * details and cancellation taken from the activity Context, and errors translated so that the
 * server retries only what may succeed on a second attempt.
 */
export function createTemporalActivities(deps: Omit<ActivityDeps, 'progress'>): PipelineActivities {
  const acts = createActivities({ ...deps, progress: temporalProgress });
  const mask = (text: string): string => deps.masker.mask(text);
  const own = ownJobs(deps.project);
  return {
    planJob: (input) => translated(() => whileAlive(() => acts.planJob(input)), mask),
    runBatch: (input) => translated(() => (requirePlan(input.jobDir), own.refuseForeign(input.jobDir), acts.runBatch(input)), mask),
    finalizeJob: (input) => translated(() => whileAlive(() => (own.refuseForeign(input.jobDir), acts.finalizeJob(input))), mask),
    notify: (input) => translated(() => whileAlive(() => (own.refuseForeignPlan(input.plan), acts.notify(input))), mask),
  };
}

/**
 * planJob refuses a job another project put on this task queue, but the job's later steps go to
 * any worker of the queue: one of another project that shares the state dir (as workers on several
 * machines do) would read the job's plan.json and write its batch into that project's stores, and
 * the job would succeed with rows in another database. So every step compares the project that
 * submitted the job (in plan.json, written by planJob) with this worker's: where the rows go (the
 * stores, the state dir), not the pipeline's bytes — a resume may follow an edit that leaves the plan
 * as it was. A job folder that has no plan.json here is left to the step itself (planning failed,
 * or the state dir is not shared and the step says which file it misses). Checked once per job.
 */
function ownJobs(own: ProjectIdentity | undefined): {
  refuseForeign(jobDir: string): void;
  refuseForeignPlan(plan: JobPlan): void;
} {
  const checked = new Set<string>();
  const refuseForeignPlan = (plan: JobPlan): void => {
    if (!own || !plan.project || plan.project.config === own.config) return;
    // The pipeline is not compared here (see above): the check of the stores and state dir only.
    const { pipeline: _pipeline, ...project } = plan.project;
    try {
      refuseForeignProject(own, { ...plan, project });
    } catch (err) {
      if (!(err instanceof ForeignJobError)) throw err;
      // Planned elsewhere: what this step did not do is write.
      throw new ForeignJobError(err.message.replace('Nothing was planned or written.', 'This worker wrote nothing of it.'));
    }
  };
  return {
    refuseForeignPlan,
    refuseForeign(jobDir) {
      if (!own || checked.has(jobDir) || !existsSync(planPath(jobDir))) return;
      refuseForeignPlan(readPlanFile(jobDir).plan);
      checked.add(jobDir);
    },
  };
}

/**
 * A batch runs only once planJob has written plan.json into the job's folder, in the state dir
 * every worker of the task queue shares: a worker that has none there does not share it (a copy
 * of the project with a state dir of its own), and says so rather than ENOENT.
 */
function requirePlan(jobDir: string): void {
  if (existsSync(planPath(jobDir))) return;
  throw Object.assign(
    new Error(
      `job ${basename(jobDir)} was planned on a worker whose state dir this worker does not share: its plan ${resolve(planPath(jobDir))} is not here. ` +
        'Every worker of a task queue needs the same state_dir (one folder on a shared volume); this worker wrote nothing of the job.',
    ),
    { retryable: false },
  );
}

/**
 * Heartbeats while `run` works, for the steps that have no cursor to report (plan, finalize, notify):
 * the workflow gives them a heartbeat timeout, so that a worker that dies in one is noticed within
 * it — without heartbeats the server waited out their start-to-close timeout (hours) before another
 * worker took the step over. A beat every quarter of the timeout (the SDK throttles them anyway);
 * the process's event loop beats, so a step that stalls on I/O still counts as alive, as it would
 * have until its start-to-close timeout. Outside an activity (tests calling the steps), just runs.
 */
async function whileAlive<T>(run: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    // Not in an activity.
  }
  const timeout = context?.info.heartbeatTimeoutMs;
  if (!context || !timeout) return run();
  const beat = setInterval(() => context.heartbeat(), Math.max(100, Math.floor(timeout / 4)));
  try {
    return await run();
  } finally {
    clearInterval(beat);
  }
}

/** ActivityProgress backed by the current activity's Context (an AsyncLocalStorage lookup per call). */
export const temporalProgress: ActivityProgress = {
  heartbeat: (details) => Context.current().heartbeat(details),
  lastDetails: () => Context.current().info.heartbeatDetails as unknown,
  throwIfCancelled: () => {
    const signal = Context.current().cancellationSignal;
    if (!signal.aborted) return;
    // The worker aborts with a CancelledFailure; rethrowing it reports the attempt as cancelled.
    throw signal.reason instanceof CancelledFailure ? signal.reason : new CancelledFailure('activity cancelled');
  },
};

async function translated<T>(run: () => Promise<T>, mask: (text: string) => string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toTemporalFailure(err, mask);
  }
}

/**
 * Temporal failures pass through; anything else becomes an ApplicationFailure with the masked
 * message only (no stack, no cause: a driver error may quote a connection string), retryable only
 * when isRetryable says so (lost connections, lock timeouts) — bad input fails the step at once.
 */
export function toTemporalFailure(err: unknown, mask: (text: string) => string = (t) => t): Error {
  if (err instanceof TemporalFailure) return err;
  const message = mask(err instanceof Error ? err.message : String(err));
  const type = err instanceof Error ? err.name : 'Error';
  return isRetryable(err) ? ApplicationFailure.retryable(message, type) : ApplicationFailure.nonRetryable(message, type);
}
