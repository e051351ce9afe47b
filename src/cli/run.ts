import { existsSync } from 'node:fs';
import type { Engine, JobInfo } from '../engine/engine.js';
import { assertJournalWritable, JournalUnusable } from '../engine/embedded/journal-writable.js';
import { recordsDone } from '../plan/activity-types.js';
import type { JobPlan } from '../plan/job-plan.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { displayPath } from '../project/load-config.js';
import { planRun } from '../project/plan-for.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { dryRunCommand } from './dry-run.js';
import { engineFor, engineOf } from './engine.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { onInterrupt, resumeHint } from './interrupt.js';
import { unresumableFailure } from './failure-hint.js';
import { endRun, jobReport, type RunTiming } from './job-report.js';
import { createProgress } from './progress.js';
import { refuseOverwritingNonSample, sampleTarget } from './run-sample.js';
import { sourceChange, sourceChangedFailure, sourceChangeJson } from './source-change.js';
import { wholeNumber } from './usage.js';

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
  /** `--sample --output FILE`: where the sample goes instead of beside the target. */
  output?: string;
}

/** How many rows `--sample` alone exports: the size of the identity platforms' export preview. */
export const DEFAULT_SAMPLE = 10;

/** `ferry run <pipeline>`: validate, run the job to its end on the engine, print the summary. */
export async function runCommand(ctx: CliContext, file: string, options: RunOptions): Promise<void> {
  const project = ctx.project();
  refuseDetachedEmbedded(ctx, options); // usage errors before any other work
  // The embedded engine's state folder before the pipeline's checks: a target store kept in it (the
  // default .ferry/users.db) cannot be opened either, and the folder is what is wrong.
  if (engineOf(ctx, options.engine) === 'embedded' && existsSync(project.stateDir)) assertJournalWritable(project.stateDir);
  const loaded = await loadCheckedPipeline(project, ctx.cwd, file);
  if (!loaded.ok) {
    for (const d of loaded.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
    throw new CliExit(EXIT_INVALID);
  }
  for (const d of loaded.warnings ?? []) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
  if (options.output !== undefined && options.sample === undefined)
    throw new CliExit(EXIT_INVALID, '--output goes with --sample (where the sample is written)');
  const sample = sampleRows(options.sample);
  const pipeline = sample === undefined ? loaded.loaded : sampleTarget(ctx, loaded.loaded, options.output);
  const engine = await engineFor(ctx, options.engine);
  if (sample !== undefined && pipeline.targetPath) await refuseOverwritingNonSample(ctx, engine, pipeline);
  const plan = await planRun(engine, project, pipeline, new Date(), { sample });
  if (plan.sample === undefined && options.sample !== undefined)
    throw new CliExit(EXIT_INVALID, '--sample applies to exports (a connection source and a file target)');
  if (options.dryRun && plan.target.type === 'file')
    throw new CliExit(EXIT_INVALID, '--dry-run previews writes to a store; this pipeline writes a file (preview an export with --sample)');
  if (plan.sample !== undefined && plan.target.type === 'file' && !options.json)
    ctx.stderr(
      `sample of at most ${plan.sample} rows goes to ${displayPath(ctx.cwd, plan.target.path)}${options.output === undefined ? ' (beside the target, which is left as it is)' : ''}`,
    );
  if (options.dryRun) return dryRunCommand(ctx, plan, options);
  await sayIfLastJobUnfinished(ctx, plan.pipeline, options);
  await runPlannedJob(ctx, plan, options, `job ${plan.jobId} started (${loaded.loaded.file})`);
}

/**
 * Runs a planned job to its end (run, retry-rejects, rollback) on the engine, or follows the running
 * job of the same submission. `started` is said (not with --json) only once the job exists.
 */
export async function runPlannedJob(ctx: CliContext, plan: JobPlan, options: RunOptions, started?: string): Promise<void> {
  refuseDetachedEmbedded(ctx, options);
  const engine = await engineFor(ctx, options.engine);
  const mask = (line: string): string => ctx.project().masker.mask(line);
  const submitted = await engine.submit(plan, { forceNew: options.forceNew ?? false, log: (line) => ctx.stderr(mask(line)) });
  const { jobId, existing } = submitted;
  const announce = announcement(jobId, existing, options.json ? undefined : started, engine.name);
  if (options.detach) {
    if (announce) ctx.stderr(announce);
    if (options.json) return ctx.stdout(JSON.stringify({ job: jobId, pipeline: plan.pipeline, engine: engine.name, status: 'running', existing }));
    return ctx.stdout(`job ${jobId} ${existing ? 'is running' : 'started'}; ferry jobs show ${jobId} for its progress`);
  }
  await followJob(ctx, engine, jobId, options, { existing, ...(announce ? { announce } : {}) });
}

/** What `run` says once its job exists: that it started, or that it follows the same submission's running job. */
function announcement(jobId: string, existing: boolean, started: string | undefined, engine: string): string | undefined {
  if (existing) return `job ${jobId} is already running this submission (same pipeline and source); following it`;
  if (started === undefined) return undefined;
  return engine === 'temporal' ? `${started} on Temporal` : started;
}

/** `ferry jobs resume <id>`: continue a failed, cancelled or interrupted job from its history. */
export async function resumeCommand(ctx: CliContext, id: string, options: RunOptions): Promise<void> {
  refuseDetachedEmbedded(ctx, options);
  const engine = await engineFor(ctx);
  // What earlier runs did: replayed at once, it is not this resume's pace (a refused resume is the engine's to say).
  const before = await engine.get(id);
  const carried = before?.summary ? recordsDone(before.summary) : 0;
  const interrupt = onInterrupt(ctx, { json: options.json === true });
  const log = (line: string): void => ctx.stderr(ctx.project().masker.mask(line));
  // Timed from here: on Temporal the reset run starts working before this process follows it.
  const started = Date.now();
  const { note } = await engine.resume(id, { log, cancelled: interrupt.requested }).finally(() => interrupt.dispose());
  if (!options.json) ctx.stderr(`job ${id} resumed (${note})`);
  if (options.detach) return;
  await followJob(ctx, engine, id, options, { existing: false, resumed: { started, carried } });
}

/** `ferry jobs cancel <id>`: a running job stops after its batches in flight; an interrupted one is marked cancelled. */
export async function cancelCommand(ctx: CliContext, id: string): Promise<void> {
  const engine = await engineFor(ctx);
  const status = await engine.cancel(id, { log: (line) => ctx.stderr(line) });
  ctx.stdout(`job ${id} ${status}${status === 'cancelled' ? ` (ferry jobs resume ${id} continues it)` : ''}`);
}

/** How `followJob` came to follow a job. */
interface Following {
  /** Another process started it (a `run` of a submission already running). */
  existing: boolean;
  /** Said once Ctrl-C is handled. */
  announce?: string;
  /** `jobs resume`: when the resume began, and the records earlier runs had done. */
  resumed?: { started: number; carried: number };
}

/**
 * Follows a job to its end with a progress bar, Ctrl-C handling (the first asks the job to stop
 * after its batches in flight; on a job another process started, `existing`, it only stops
 * following, exit 130) and the summary; exits 0 only on success. A job waiting for
 * another's table says so once (again if whom it waits for changes).
 */
async function followJob(ctx: CliContext, engine: Engine, id: string, options: RunOptions, following: Following): Promise<void> {
  const { existing, announce, resumed } = following;
  const { masker } = ctx.project();
  const progress = createProgress(process.stderr, !options.json, { carried: resumed?.carried ?? 0 });
  // Only the process that started a job stops it: Ctrl-C on one that follows another's (serve's scheduled run, say) detaches.
  const holder = existing ? await engine.get(id) : undefined;
  const detach = existing
    ? `stopped following job ${id}; it keeps running${holder?.detail ? ` (${holder.detail})` : ''} — ferry jobs cancel ${id} stops it`
    : undefined;
  let stalled: string | undefined;
  const interrupt = onInterrupt(ctx, { say: progress.say, job: id, stalled: () => stalled, json: options.json === true, ...(detach ? { detach } : {}) });
  // Said once Ctrl-C is handled: a Ctrl-C right after "started" stops the job gracefully.
  if (announce) ctx.stderr(announce);
  const started = resumed?.started ?? Date.now();
  let said: string | null | undefined;
  try {
    const outcome = await engine.follow(id, {
      progress: (view) => {
        stalled = undefined; // a worker answered
        if (view.waiting && view.waiting !== said) progress.say(masker.mask((said = view.waiting)));
        if (view.status !== 'pending') progress.update({ summary: view.summary });
      },
      interrupted: interrupt.requested,
      log: (line) => progress.say(masker.mask(line)),
      stalled: (why) => progress.say(masker.mask((stalled = why))),
    });
    progress.stop();
    const job = await engine.get(id);
    if (!job) throw new CliExit(EXIT_FAILED, `job ${id} is gone`);
    // For people: --json callers read the status and the error from the report.
    if (outcome.status !== 'succeeded' && !options.json) {
      const shown = (path: string) => displayPath(ctx.cwd, path);
      ctx.stderr(
        diskHint(ctx, job, outcome.error) ??
          sourceChangedFailure(job, outcome.error, shown) ??
          unresumableFailure(job, outcome.failure, shown) ??
          `job ${id} ${outcome.status}: ${resumeHint(id)}`,
      );
    }
    const changed = sourceChange(job, (path) => displayPath(ctx.cwd, path));
    if (changed) ctx.stderr(changed.note);
    const seconds = (Date.now() - started) / 1000;
    const timing: RunTiming = resumed ? { kind: 'resume', seconds, carried: resumed.carried } : { kind: existing ? 'follow' : 'run', seconds };
    const report = { ...jobReport(job, ctx.cwd, outcome), ...(existing ? { existing: true as const } : {}), ...sourceChangeJson(changed) };
    endRun(ctx, masker, report, timing, outcome, options.json);
  } catch (err) {
    // The journal's message names its file and what to do; the job it stopped is this one.
    if (err instanceof JournalUnusable)
      throw new CliExit(EXIT_FAILED, `ferry: ${err.message}\njob ${id} stopped: once the journal can be written, ${resumeHint(id)}`);
    throw err;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

/** A write the file system refused: full, over quota, read-only, not permitted. */
const WRITE_REFUSED = /^(ENOSPC|EDQUOT|EROFS|EACCES|EPERM)\b/;

/**
 * For a job that failed on a write the file system refused: the system's message often names no
 * file (a write to an open file has no path), so say where the job writes and what to do.
 */
function diskHint(ctx: CliContext, job: JobInfo, error: string | null): string | undefined {
  const code = error === null ? undefined : WRITE_REFUSED.exec(error)?.[1];
  if (code === undefined) return undefined;
  const target = job.plan.target.type === 'file' ? ` and its output to ${displayPath(ctx.cwd, job.artifacts?.output ?? job.plan.target.path)}` : '';
  const fix = code === 'ENOSPC' || code === 'EDQUOT' ? 'free space there (or raise the quota)' : 'make them writable';
  return `job ${job.id} failed writing a file (${code}): it writes its files under ${displayPath(ctx.cwd, job.jobDir)}${target}; ${fix}, then ${resumeHint(job.id)}`;
}

/**
 * A pipeline whose last job was stopped (Ctrl-C, `jobs cancel`) or cut off (the process killed)
 * is usually better resumed than run again from the start: say so before starting a new job.
 */
async function sayIfLastJobUnfinished(ctx: CliContext, pipeline: string, options: RunOptions): Promise<void> {
  const engine = await engineFor(ctx, options.engine);
  const [last] = await engine.list({ limit: 1, pipeline });
  if (last && (last.status === 'interrupted' || last.status === 'cancelled')) {
    ctx.stderr(`the last job of ${pipeline}, ${last.id}, was ${last.status}: ${resumeHint(last.id)} (this run starts a new job from the start)`);
  }
}

/** The embedded engine runs a job in the process that started it: there is nothing to detach from. */
function refuseDetachedEmbedded(ctx: CliContext, options: RunOptions): void {
  if (engineOf(ctx, options.engine) === 'embedded' && options.detach) {
    throw new CliExit(
      EXIT_INVALID,
      '--detach needs engine: temporal (the embedded engine runs the job in this process; use `ferry serve` for unattended runs)',
    );
  }
}

function sampleRows(sample: RunOptions['sample']): number | undefined {
  if (sample === undefined) return undefined;
  if (sample === true) return DEFAULT_SAMPLE;
  return wholeNumber(sample, '--sample', 1);
}
