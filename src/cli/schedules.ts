import { join } from 'node:path';
import type { Engine, JobInfo, PipelineSchedule } from '../engine/engine.js';
import { emptySummary, type JobOutcome } from '../plan/orchestrate.js';
import type { JobStatus } from '../plan/activity-types.js';
import { nextRun, realClock, runSchedules } from '../engine/embedded/scheduler.js';
import type { App } from '../app.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { loadPipeline } from '../project/load-pipeline.js';
import { planRun } from '../project/plan-for.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { displayPath } from '../project/load-config.js';
import type { CliContext } from './context.js';
import { sourceChange } from './source-change.js';
import { engineFor } from './engine.js';
import { wholeNumber } from './usage.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { retentionLoop } from './retention.js';
import { EXIT_INTERRUPTED, repeatFilter } from './interrupt.js';
import { projectPipelines } from './validate.js';
import { serverZoneProblem } from '../engine/embedded/server-zone.js';
import { terminalLines, visibleText } from '../spec/visible-text.js';

export interface ServeOptions {
  maxRuns?: string;
}

/**
 * `ferry serve [pipelines…]`: runs every pipeline's `schedule:` on the embedded engine until
 * Ctrl-C (or `--max-runs` runs), logging each run. The first Ctrl-C stops waiting and asks running
 * jobs to stop after their batches in flight (they end cancelled, resumable).
 */
export async function serveCommand(ctx: CliContext, files: string[], options: ServeOptions): Promise<void> {
  const app = ctx.app();
  const maxRuns = options.maxRuns === undefined ? undefined : wholeNumber(options.maxRuns, '--max-runs', 1);
  const { schedules } = findSchedules(ctx, files);
  if (schedules.length === 0) throw new CliExit(EXIT_FAILED, 'no pipeline with a schedule: to serve (add `schedule: "0 2 * * *"` to a pipeline)');
  const stop = new AbortController();
  const repeated = repeatFilter();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (repeated(signal)) return;
    if (stop.signal.aborted) process.exit(EXIT_INTERRUPTED);
    ctx.stderr('stopping: no new runs; running jobs stop after their batches in flight (Ctrl-C again to stop now)…');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Log lines name pipelines (from file names, which may hold ESC) and quote jobs' errors: their
  // control characters are shown escaped, the lines of a multi-line entry (diagnostics) kept.
  const log = (line: string): void => ctx.stdout(`${new Date().toISOString()} ${terminalLines(app.project.masker.mask(line))}`);
  warnServerZone(ctx, schedules);
  try {
    for (const s of schedules) log(`${s.pipeline}: "${s.cron}" (${s.timezone ?? 'server time'}), next run ${nextRun(s, new Date())?.toISOString() ?? 'never'}`);
    const retention = retentionLoop(app, log, stop.signal);
    const runs = await runSchedules({
      schedules,
      store: app.embedded().scheduleStore(),
      clock: realClock,
      run: (s, due, started) => runScheduled(ctx, app, { schedule: s, due, started, stop: stop.signal, log }),
      log,
      signal: stop.signal,
      ...(maxRuns === undefined ? {} : { maxRuns }),
    });
    log(`stopped after ${runs} run(s)`);
    stop.abort(); // --max-runs: the retention loop ends too
    await retention;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** On stderr: the embedded engine's schedules without `timezone:` run in UTC, not where TZ says (server-zone.ts). */
function warnServerZone(ctx: CliContext, schedules: readonly { timezone?: string | null | undefined }[]): void {
  const problem = schedules.some((s) => !s.timezone) ? serverZoneProblem(ctx.env['TZ']) : undefined;
  if (problem) ctx.stderr(`warning: ${problem}`);
}

/** `ferry schedules list`: each scheduled pipeline with its cron, time zone, next and last run, as the engine has it. */
export async function listSchedulesCommand(ctx: CliContext, options: { json?: boolean; engine?: string }): Promise<void> {
  const engine = await engineFor(ctx, options.engine);
  const rows = await engine.listSchedules(findSchedules(ctx, []).schedules);
  // A Temporal schedule without a zone runs in the server's: UTC, whatever this machine's TZ.
  if (engine.name === 'embedded') warnServerZone(ctx, rows);
  if (options.json)
    return rows.forEach((r) =>
      ctx.stdout(
        JSON.stringify({
          ...(r.id ? { id: r.id } : {}),
          pipeline: r.pipeline,
          cron: r.cron,
          timezone: r.timezone ?? 'server',
          next_run: r.nextRun ?? 'never',
          catch_up: r.catchUp,
          last_run: r.lastRun,
          last_job: r.lastJob,
          ...(r.paused ? { paused: true } : {}),
        }),
      ),
    );
  if (rows.length === 0)
    return ctx.stdout(
      engine.name === 'temporal'
        ? 'no Ferry schedule of this project on the Temporal server (ferry schedules apply creates them)'
        : 'no pipeline has a schedule',
    );
  ctx.stdout(`${'PIPELINE'.padEnd(24)} ${'CRON'.padEnd(16)} ${'TIMEZONE'.padEnd(18)} ${'NEXT RUN'.padEnd(26)} LAST RUN`);
  for (const r of rows) {
    const last = r.lastRun ? `${r.lastRun}${r.lastJob ? ` (${r.lastJob})` : ''}` : '-';
    // A pipeline's name comes from its file name, which may hold ESC or a line break.
    ctx.stdout(
      visibleText(
        `${r.pipeline.padEnd(24)} ${r.cron.padEnd(16)} ${(r.timezone ?? 'server').padEnd(18)} ${(r.nextRun ?? 'never').padEnd(26)} ${last}${r.paused ? ' (paused)' : ''}`,
      ),
    );
  }
}

/** `ferry schedules apply`: the engine's schedules made to match the pipelines' `schedule:` fields. */
export async function applySchedulesCommand(ctx: CliContext, files: string[], options: { json?: boolean }): Promise<void> {
  const { schedules, invalid } = findSchedules(ctx, files);
  // Applying with an invalid pipeline left out would delete its schedule: refuse instead.
  if (invalid) throw new CliExit(EXIT_INVALID, 'not applied: fix the pipelines above first');
  const engine = await engineFor(ctx);
  const result = await engine.applySchedules(schedules);
  if (options.json) return ctx.stdout(JSON.stringify(result));
  if (engine.name === 'embedded')
    return ctx.stdout("engine: embedded keeps no schedules: `ferry serve` runs the pipelines' schedule: fields as they are in the files");
  for (const id of result.created) ctx.stdout(`created  ${id}`);
  for (const id of result.updated) ctx.stdout(`updated  ${id}`);
  for (const { id, by } of result.replaced) ctx.stdout(`replaced ${id} by ${by} (schedule ids name the task queue now)`);
  for (const id of result.deleted) ctx.stdout(`deleted  ${id} (its pipeline has no schedule: any more)`);
  await listSchedulesCommand(ctx, {});
}

interface ScheduledRunInput {
  schedule: PipelineSchedule;
  due: Date;
  started: (job: string) => void;
  stop: AbortSignal;
  log: (line: string) => void;
}

/** One scheduled run: the pipeline is read again (it may have been edited since serve started), planned and run. */
async function runScheduled(ctx: CliContext, app: App, input: ScheduledRunInput): Promise<string> {
  const { schedule } = input;
  const loaded = await loadCheckedPipeline(app.project, ctx.cwd, schedule.file);
  if (!loaded.ok) throw new Error(`the pipeline is invalid now:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
  const changed = scheduleChange(schedule, loaded.loaded);
  // The file is read again for each run, its schedule is not: running the new text on the old
  // timing would start a pipeline whose schedule was removed or moved (a yearly job every minute).
  if (changed) throw new Error(`${changed}: not run; restart ferry serve to follow the change`);
  const engine = app.embedded();
  const due = input.due.toISOString();
  for (;;) {
    // Planned when it runs: its date math (`now-1d`, `{last_success}`) is of then.
    const plan = await planRun(engine, app.project, loaded.loaded, new Date());
    // As `ferry run` does: a job of this very submission running elsewhere (a manual run of the
    // pipeline) is this run. A second job would export into the same file beside it, and whichever
    // renamed last would win: the older snapshot over the newer, under this run's "succeeded".
    const { jobId, existing } = await engine.submit(plan);
    input.started(jobId);
    if (!existing) {
      input.log(`${schedule.pipeline}: run due ${due} started as job ${jobId}`);
      const outcome = await engine.follow(jobId, { interrupted: () => input.stop.aborted, log: input.log });
      return endLine(ctx, schedule, await engine.get(jobId), outcome, input.log);
    }
    input.log(`${schedule.pipeline}: run due ${due}: job ${jobId} is already running this submission (same pipeline and source); following it`);
    const ended = await untilEndedElsewhere(engine, jobId, input.stop, (line) => input.log(`${schedule.pipeline}: ${line}`));
    // Only the process that started a job stops it: serve stopping leaves it to its owner.
    if (!ended) return `${schedule.pipeline}: stopped following job ${jobId}; it keeps running — ferry jobs cancel ${jobId} stops it`;
    const summary = ended.summary ?? emptySummary();
    const error = ended.status === 'interrupted' ? `its process is gone (ferry jobs resume ${jobId} continues it)` : ended.error;
    const line = endLine(ctx, schedule, ended, { status: ended.status, summary, artifacts: ended.artifacts, error });
    if (ended.status === 'succeeded' || input.stop.aborted) return line;
    // Cancelled, failed or cut off, that job did not do this run's work: the schedule still owes it.
    input.log(`${line}; the run due ${due} runs as a job of its own`);
  }
}

/** The log line of a scheduled run's end (and, for a job that ran here, a note on its source file growing). */
function endLine(
  ctx: CliContext,
  schedule: PipelineSchedule,
  job: JobInfo | undefined,
  outcome: Pick<JobOutcome, 'summary' | 'artifacts' | 'error'> & { status: JobStatus },
  log?: (line: string) => void,
): string {
  const grew = log && job && sourceChange(job, (path) => displayPath(ctx.cwd, path));
  if (grew) log(`${schedule.pipeline}: ${grew.note}`);
  const s = outcome.summary;
  const counts = `total ${s.total}, exported ${s.exported}, inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected}`;
  const output = outcome.artifacts?.output ? `; output ${outcome.artifacts.output}` : '';
  return `${schedule.pipeline}: job ${job?.id ?? '?'} ${outcome.status} (${counts})${output}${outcome.error ? `; error: ${outcome.error}` : ''}`;
}

const FOLLOW_POLL_MS = 250;

/** Polls a job another process runs until it ends (its record then), or until `stop` aborts (undefined). */
async function untilEndedElsewhere(engine: Engine, id: string, stop: AbortSignal, log: (line: string) => void): Promise<JobInfo | undefined> {
  let stoppedSaid: number | undefined;
  for (;;) {
    if (stop.aborted) return undefined;
    const job = await engine.get(id);
    if (!job) throw new Error(`job ${id} is gone from the journal`);
    if (job.status !== 'running' && job.status !== 'pending') return job;
    if (job.stoppedProcess !== undefined && job.stoppedProcess !== stoppedSaid)
      log(
        `job ${id} is held by process ${job.stoppedProcess}, which is stopped (SIGSTOP or Ctrl-Z): it goes on once continued (kill -CONT ${job.stoppedProcess})`,
      );
    stoppedSaid = job.stoppedProcess;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, FOLLOW_POLL_MS);
      stop.addEventListener('abort', done, { once: true });
    });
  }
}

/** How the pipeline file's schedule differs from the one being served, if it does. */
function scheduleChange(served: PipelineSchedule, loaded: { name: string; pipeline: { schedule?: unknown; timezone?: unknown } }): string | undefined {
  const { pipeline, name } = loaded;
  if (name !== served.pipeline) return `the pipeline is now named "${name}"`;
  if (typeof pipeline.schedule !== 'string') return `the pipeline has no schedule: any more (served: "${served.cron}")`;
  if (pipeline.schedule !== served.cron) return `the schedule is now "${pipeline.schedule}", not the "${served.cron}" being served`;
  const zone = typeof pipeline.timezone === 'string' ? pipeline.timezone : undefined;
  if (zone !== served.timezone) return `the time zone is now ${zone ?? 'the server time'}, not the ${served.timezone ?? 'server time'} being served`;
  return undefined;
}

/**
 * The pipelines (given, or all under pipelines/) that have a schedule; invalid files are reported
 * and left out. Other tools' YAML found there is no pipeline (validate skips it with a note): it
 * is left out without a word, as it would otherwise be on every list and block every apply.
 */
function findSchedules(ctx: CliContext, files: string[]): { schedules: PipelineSchedule[]; invalid: boolean } {
  const project = ctx.project();
  const candidates = files.length > 0 ? files : projectPipelines(join(project.rootDir, 'pipelines'), ctx.cwd).files;
  const schedules: PipelineSchedule[] = [];
  let invalid = false;
  for (const file of candidates) {
    const result = loadPipeline(project, ctx.cwd, file);
    if (!result.ok) {
      invalid = true;
      for (const d of result.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
      continue;
    }
    const { pipeline, name, path } = result.loaded;
    if (typeof pipeline.schedule !== 'string') continue;
    const namesake = schedules.find((s) => s.pipeline === name);
    if (namesake)
      throw new CliExit(
        EXIT_INVALID,
        `two scheduled pipelines are named "${name}" (${displayPath(ctx.cwd, namesake.file)}, ${displayPath(ctx.cwd, path)}); names must be unique: rename one`,
      );
    schedules.push({
      pipeline: name,
      file: path,
      cron: pipeline.schedule,
      ...(pipeline.timezone ? { timezone: pipeline.timezone } : {}),
      catchUp: pipeline.catch_up,
    });
  }
  return { schedules, invalid };
}
