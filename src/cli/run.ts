import { execute, startJob, type EmbeddedOptions } from '../engine/embedded.js';
import { effectiveStatus } from '../engine/job-status.js';
import { Journal } from '../engine/journal.js';
import { prepareResume, ResumeRefused } from '../engine/resume.js';
import { openRuntime, planFor, type Runtime } from '../engine/runtime.js';
import type { JobOutcome } from '../plan/orchestrate.js';
import type { Project } from '../project/load-config.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { onInterrupt } from './interrupt.js';
import { endRun, jobReport } from './job-report.js';
import { createProgress } from './progress.js';
import { engineOf, temporalCli } from './engine.js';

export interface RunOptions {
  json?: boolean;
  engine?: string;
  /** `--sample [rows]`: true without a number (10 rows). */
  sample?: string | true;
  /** Temporal: start the job and return without following it. */
  detach?: boolean;
}

/** How many rows `--sample` alone exports: the size of the identity platforms' export preview. */
export const DEFAULT_SAMPLE = 10;

/** `ferry run <pipeline>`: validate, run the job to its end on the embedded engine, print the summary. */
export async function runCommand(ctx: CliContext, file: string, options: RunOptions): Promise<void> {
  const project = ctx.project();
  const engineName = engineOf(project, options.engine);
  const loaded = await loadCheckedPipeline(project, ctx.cwd, file);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
    throw new CliExit(EXIT_INVALID);
  }
  const plan = planFor(project, loaded.loaded, new Date(), { sample: sampleRows(options.sample) });
  if (plan.sample === undefined && options.sample !== undefined) throw new CliExit(EXIT_INVALID, '--sample applies to exports (a connection source and a file target)');
  if (engineName === 'temporal') return (await temporalCli()).temporalRun(ctx, project, plan, options);
  if (!options.json) ctx.stderr(`job ${plan.jobId} started (${loaded.loaded.file})`);
  await drive(ctx, project, plan.jobId, options, (runtime, engine) => startJob(plan, { ...engine, journal: runtime.journal }));
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
      if (effectiveStatus(now) !== 'running') return ctx.stdout(`job ${id} ${now.status}`);
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
