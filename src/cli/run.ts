import { execute, type EmbeddedOptions } from '../engine/embedded.js';
import { effectiveStatus } from '../engine/job-status.js';
import { Journal } from '../engine/journal.js';
import { prepareResume, ResumeRefused } from '../engine/resume.js';
import { openRuntime, planFor, type Runtime } from '../engine/runtime.js';
import { submitJob, untilEnded } from '../engine/submit.js';
import type { JobRecord } from '../engine/journal.js';
import type { JobPlan } from '../plan/job-plan.js';
import { emptySummary, type JobOutcome } from '../plan/orchestrate.js';
import type { Project } from '../project/load-config.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { onInterrupt } from './interrupt.js';
import { endRun, jobReport } from './job-report.js';
import { dryRunCommand } from './dry-run.js';
import { createProgress } from './progress.js';
import { engineOf, temporalCli } from './engine.js';

export interface RunOptions {
  json?: boolean;
  engine?: string;
  /** `--sample [rows]`: true without a number (10 rows). */
  sample?: string | true;
  /** Temporal: start the job and return without following it. */
  detach?: boolean;
  /** Start a new job even when one is already running this submission (same pipeline and source). */
  forceNew?: boolean;
  /** Show what the job would do, writing nothing (dry-run.ts). */
  dryRun?: boolean;
  /** `--dry-run`: example rows per kind. */
  examples?: string;
}

/** How many rows `--sample` alone exports: the size of the identity platforms' export preview. */
export const DEFAULT_SAMPLE = 10;

/** `ferry run <pipeline>`: validate, run the job to its end on the embedded engine, print the summary. */
export async function runCommand(ctx: CliContext, file: string, options: RunOptions): Promise<void> {
  const project = ctx.project();
  engineOf(project, options.engine); // an unknown --engine is a usage error before any other work
  const loaded = await loadCheckedPipeline(project, ctx.cwd, file);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
    throw new CliExit(EXIT_INVALID);
  }
  const plan = planFor(project, loaded.loaded, new Date(), { sample: sampleRows(options.sample) });
  if (plan.sample === undefined && options.sample !== undefined) throw new CliExit(EXIT_INVALID, '--sample applies to exports (a connection source and a file target)');
  if (options.dryRun) return dryRunCommand(ctx, project, plan, options);
  await runPlannedJob(ctx, project, plan, options, `job ${plan.jobId} started (${loaded.loaded.file})`);
}

/**
 * Runs a planned job to its end (run, retry-rejects, rollback) on the project's engine, or follows the
 * running job of the same submission. `started` is said (not with --json) only once the job exists.
 */
export async function runPlannedJob(ctx: CliContext, project: Project, plan: JobPlan, options: RunOptions, started?: string): Promise<void> {
  if (engineOf(project, options.engine) === 'temporal') return (await temporalCli()).temporalRun(ctx, project, plan, options);
  const submitted = await submit(ctx, project, plan, options);
  if (submitted.existing) {
    ctx.stderr(`job ${submitted.jobId} is already running this submission (same pipeline and source); following it`);
    return follow(ctx, project, submitted.jobId, options);
  }
  if (started && !options.json) ctx.stderr(started);
  await drive(ctx, project, plan.jobId, options, (runtime, engine) => execute(runtime.journal.getJob(plan.jobId)!, { ...engine, journal: runtime.journal }));
}

/** One job per submission: the plan's new job, or the running job of the same pipeline and source. */
async function submit(ctx: CliContext, project: Project, plan: JobPlan, options: RunOptions) {
  const journal = new Journal(project.stateDir);
  try {
    return await submitJob(journal, plan, { forceNew: options.forceNew ?? false, log: (line) => ctx.stderr(line) });
  } finally {
    journal.close();
  }
}

/**
 * Follows a job that another process runs until it ends, then reports it as `run` reports its own
 * (`--json`: the same object plus `"existing": true`). Ctrl-C stops following, not the job.
 */
async function follow(ctx: CliContext, project: Project, id: string, options: RunOptions): Promise<void> {
  const journal = new Journal(project.stateDir);
  const started = Date.now();
  try {
    const job = await untilEnded(journal, id);
    endRun(ctx, project.masker, { ...jobReport(job, ctx.cwd), existing: true }, started, outcomeOf(job), options.json);
  } finally {
    journal.close();
  }
}

/** A finished job's record as an outcome; an interrupted one (its process died) counts as failed. */
function outcomeOf(job: JobRecord): JobOutcome {
  const { status, summary, artifacts, notifications } = job;
  const base = { summary: summary ?? emptySummary(), artifacts, notifications };
  if (status === 'succeeded' || status === 'failed' || status === 'cancelled') return { ...base, status, error: job.error };
  return { ...base, status: 'failed', error: job.error ?? 'interrupted: its process is gone (ferry jobs resume continues it)' };
}

/** `ferry jobs resume <id>`: continue a failed, cancelled or interrupted job from its journal. */
export async function resumeCommand(ctx: CliContext, id: string, options: RunOptions): Promise<void> {
  const project = ctx.project();
  if (engineOf(project) === 'temporal') return (await temporalCli()).temporalResume(ctx, project, id, options);
  const journal = new Journal(project.stateDir);
  let job;
  try {
    job = await prepareResume(journal, id, project, ctx.cwd);
  } catch (err) {
    if (err instanceof ResumeRefused) throw new CliExit(EXIT_FAILED, project.masker.mask(err.message));
    throw err;
  } finally {
    journal.close();
  }
  if (!options.json) ctx.stderr(`job ${id} resumed (run ${job.run})`);
  await drive(ctx, project, id, options, (runtime, engine) => execute(runtime.journal.getJob(id)!, { ...engine, journal: runtime.journal }));
}

/** `ferry jobs cancel <id>`: a running job stops after its batches in flight; any other unfinished job is marked cancelled. */
export async function cancelCommand(ctx: CliContext, id: string): Promise<void> {
  if (engineOf(ctx.project()) === 'temporal') return (await temporalCli()).temporalCancel(ctx, ctx.project(), id);
  const journal = new Journal(ctx.project().stateDir);
  try {
    const job = journal.getJob(id);
    if (!job) throw new CliExit(EXIT_FAILED, `no job ${id}`);
    const status = effectiveStatus(job);
    if (status === 'succeeded' || status === 'failed' || status === 'cancelled') throw new CliExit(EXIT_FAILED, `job ${id} already ended (${status})`);
    if (status === 'interrupted') {
      journal.update(id, { status: 'cancelled', endedAt: new Date().toISOString() });
      return ctx.stdout(`job ${id} cancelled (it was interrupted; ferry jobs resume ${id} continues it)`);
    }
    journal.requestCancel(id);
    ctx.stderr(`cancel requested; job ${id} stops after its batches in flight…`);
    for (let waited = 0; waited < 600_000; waited += 250) {
      const now = journal.getJob(id)!;
      // A pending job is waiting for another's table (target gate): it stops waiting and ends cancelled.
      if (!['running', 'pending'].includes(effectiveStatus(now))) return ctx.stdout(`job ${id} ${now.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new CliExit(EXIT_FAILED, `job ${id} did not stop within 10 minutes`);
  } finally {
    journal.close();
  }
}

function sampleRows(sample: RunOptions['sample']): number | undefined {
  if (sample === undefined) return undefined;
  if (sample === true) return DEFAULT_SAMPLE;
  const rows = Number(sample);
  if (!Number.isSafeInteger(rows) || rows < 1) throw new CliExit(EXIT_INVALID, `--sample expects a number of rows ≥ 1, got "${sample}"`);
  return rows;
}

type Engine = Omit<EmbeddedOptions, 'journal'>;

/** Runs a job with progress, Ctrl-C handling and the summary at the end; exits 0 only on success. */
async function drive(ctx: CliContext, project: Project, id: string, options: RunOptions, run: (runtime: Runtime, engine: Engine) => Promise<JobOutcome>): Promise<void> {
  const runtime = openRuntime(project);
  const progress = createProgress(process.stderr, !options.json);
  const interrupt = onInterrupt(ctx);
  const started = Date.now();
  try {
    const outcome = await run(runtime, {
      activities: runtime.activities,
      progress: (p) => progress.update(p),
      cancelled: interrupt.requested,
      log: (line) => ctx.stderr(project.masker.mask(line)),
      connections: project.config.connections,
    });
    progress.stop();
    const report = jobReport(runtime.journal.getJob(id)!, ctx.cwd, outcome);
    endRun(ctx, project.masker, report, started, outcome, options.json);
  } finally {
    progress.stop();
    interrupt.dispose();
    await runtime.close();
  }
}
