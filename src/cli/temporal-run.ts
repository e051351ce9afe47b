import type { Client } from '@temporalio/client';
import { cancelJob, resumeJob, TemporalRefused } from '../engine/temporal/control.js';
import { withClient } from '../engine/temporal/client.js';
import { outcomeOf, queryView } from '../engine/temporal/results.js';
import { temporalSettings } from '../engine/temporal/settings.js';
import { submitJob } from '../engine/temporal/submit.js';
import { toJob } from '../engine/temporal/visibility.js';
import type { JobView } from '../../workflows/definitions.js';
import type { JobOutcome } from '../plan/orchestrate.js';
import type { JobPlan } from '../plan/job-plan.js';
import type { Project } from '../project/load-config.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED } from './exit-codes.js';
import { onInterrupt } from './interrupt.js';
import { endRun } from './job-report.js';
import { createProgress } from './progress.js';
import { temporalReport } from './temporal-report.js';

export interface TemporalRunOptions {
  json?: boolean;
  detach?: boolean;
  /** Start a workflow even when one is running the same submission. */
  forceNew?: boolean;
}

/** How often the progress bar asks the workflow for its summary. */
const POLL_MS = 1000;

/** `ferry run` on Temporal: start (or join the running same submission), then follow it unless --detach. */
export async function temporalRun(ctx: CliContext, project: Project, plan: JobPlan, options: TemporalRunOptions): Promise<void> {
  await withClient(temporalSettings(project, ctx.env), async (client) => {
    const { jobId, existing } = await submitJob(client, temporalSettings(project, ctx.env), plan, { forceNew: options.forceNew ?? false, rootDir: project.rootDir });
    const note = existing ? `job ${jobId} is already running this submission (same pipeline and source); following it` : `job ${jobId} started on Temporal`;
    if (options.detach) {
      if (options.json) ctx.stdout(JSON.stringify({ job: jobId, pipeline: plan.pipeline, engine: 'temporal', status: 'running', existing }));
      else ctx.stdout(`${note}; ferry jobs show ${jobId} for its progress`);
      return;
    }
    if (!options.json) ctx.stderr(note);
    await follow(ctx, project, client, jobId, options);
  });
}

/**
 * `ferry jobs resume <id>` on Temporal: take the job's table again (waiting while another job
 * writes it; Ctrl-C stops waiting), reset the workflow to the task before its failed step, follow it.
 */
export async function temporalResume(ctx: CliContext, project: Project, id: string, options: TemporalRunOptions): Promise<void> {
  const settings = temporalSettings(project, ctx.env);
  await withClient(settings, async (client) => {
    const interrupt = onInterrupt(ctx);
    const log = (line: string): void => ctx.stderr(project.masker.mask(line));
    const retake = { taskQueue: settings.taskQueue, connections: project.config.connections, log, cancelled: interrupt.requested };
    const { runId, point } = await resumeJob(client, id, retake).catch(refused).finally(() => interrupt.dispose());
    if (!options.json) ctx.stderr(`job ${id} reset to event ${point.eventId} (${point.reason}); new run ${runId}`);
    if (options.detach) return;
    await follow(ctx, project, client, id, options);
  });
}

/** `ferry jobs cancel <id>` on Temporal: request cancellation and wait for the workflow to end. */
export async function temporalCancel(ctx: CliContext, project: Project, id: string): Promise<void> {
  await withClient(temporalSettings(project, ctx.env), async (client) => {
    await cancelJob(client, id).catch(refused);
    ctx.stderr(`cancel requested; job ${id} stops after its batches in flight…`);
    const outcome = await outcomeOf(client, client.workflow.getHandle(id));
    ctx.stdout(`job ${id} ${outcome.status}`);
  });
}

/**
 * Progress bar from the `progress` query until the workflow ends; Ctrl-C requests cancellation
 * once. A job waiting for another's table says so once (again if whom it waits for changes).
 */
async function follow(ctx: CliContext, project: Project, client: Client, id: string, options: TemporalRunOptions): Promise<void> {
  const handle = client.workflow.getHandle(id);
  const progress = createProgress(process.stderr, !options.json);
  const interrupt = onInterrupt(ctx);
  const started = Date.now();
  let said: string | undefined;
  const onView = (view: Pick<JobView, 'status' | 'summary' | 'waiting'>): void => {
    if (view.waiting && view.waiting !== said) ctx.stderr(project.masker.mask((said = view.waiting)));
    if (view.status !== 'pending') progress.update({ summary: view.summary });
  };
  try {
    const outcome = await untilEnded(client, id, onView, interrupt.requested);
    progress.stop();
    const job = toJob(await handle.describe());
    if (!job) throw new CliExit(EXIT_FAILED, `workflow ${id} is not a Ferry job`);
    const report = temporalReport(job, ctx.cwd, outcome);
    endRun(ctx, project.masker, report, started, outcome, options.json);
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

async function untilEnded(client: Client, id: string, onView: (view: Pick<JobView, 'status' | 'summary' | 'waiting'>) => void, interrupted: () => boolean): Promise<JobOutcome> {
  const handle = client.workflow.getHandle(id);
  let ended = false;
  const result = outcomeOf(client, handle).finally(() => (ended = true));
  let cancelSent = false;
  while (!ended) {
    const view = await queryView(client, handle);
    if (view && !ended) onView(view);
    if (interrupted() && !cancelSent) {
      cancelSent = true;
      await handle.cancel().catch(() => undefined);
    }
    await Promise.race([result, new Promise((r) => setTimeout(r, POLL_MS))]);
  }
  const outcome = await result;
  onView({ status: outcome.status, summary: outcome.summary });
  return outcome;
}

function refused(err: unknown): never {
  if (err instanceof TemporalRefused) throw new CliExit(EXIT_FAILED, err.message);
  throw err;
}
