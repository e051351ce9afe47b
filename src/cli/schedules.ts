import { join } from 'node:path';
import { engineOf } from './engine.js';
import { startJob } from '../engine/embedded.js';
import { openRuntime, planFor, type Runtime } from '../engine/runtime.js';
import { missedRun, nextRun, realClock, runSchedules, type Schedule } from '../engine/scheduler.js';
import { Journal } from '../engine/journal.js';
import type { Project } from '../project/load-config.js';
import { loadCheckedPipeline } from '../project/check-source.js';
import { loadPipeline } from '../project/load-pipeline.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_INVALID } from './exit-codes.js';
import { findPipelines } from './validate.js';

export interface ServeOptions {
  maxRuns?: string;
}

/**
 * `ferry serve [pipelines…]`: runs every pipeline's `schedule:` on the embedded engine until
 * Ctrl-C (or `--max-runs` runs), logging each run. The first Ctrl-C stops waiting and asks running
 * jobs to stop after their batches in flight (they end cancelled, resumable).
 */
export async function serveCommand(ctx: CliContext, files: string[], options: ServeOptions): Promise<void> {
  const project = ctx.project();
  const maxRuns = options.maxRuns === undefined ? undefined : positiveInteger(options.maxRuns, '--max-runs');
  const schedules = findSchedules(ctx, project, files);
  if (schedules.length === 0) throw new CliExit(EXIT_FAILED, 'no pipeline with a schedule: to serve (add `schedule: "0 2 * * *"` to a pipeline)');
  const runtime = openRuntime(project);
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130);
    ctx.stderr('stopping: no new runs; running jobs stop after their batches in flight (Ctrl-C again to stop now)…');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const log = (line: string): void => ctx.stdout(`${new Date().toISOString()} ${project.masker.mask(line)}`);
  try {
    for (const s of schedules) log(`${s.pipeline}: "${s.cron}" (${s.timezone ?? 'server time'}), next run ${nextRun(s, new Date())?.toISOString() ?? 'never'}`);
    const runs = await runSchedules({
      schedules,
      store: runtime.journal,
      clock: realClock,
      run: (s, due, started) => runScheduled(ctx, project, runtime, { schedule: s, due, started, stop: stop.signal, log }),
      log,
      signal: stop.signal,
      ...(maxRuns === undefined ? {} : { maxRuns }),
    });
    log(`stopped after ${runs} run(s)`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runtime.close();
  }
}

/** `ferry schedules list`: each scheduled pipeline with its cron, time zone, next and last run. */
export async function listSchedulesCommand(ctx: CliContext, options: { json?: boolean; engine?: string }): Promise<void> {
  const project = ctx.project();
  if (engineOf(project, options.engine) === 'temporal') return (await import('./temporal.js')).listTemporalSchedulesCommand(ctx, options);
  const schedules = findSchedules(ctx, project, []);
  const journal = new Journal(project.stateDir);
  try {
    const now = new Date();
    const rows = schedules.map((s) => {
      const last = journal.lastScheduledRun(s.pipeline);
      const missed = missedRun(s, last, now);
      const next = missed ? 'on start (missed run)' : (nextRun(s, now)?.toISOString() ?? 'never');
      return { pipeline: s.pipeline, cron: s.cron, timezone: s.timezone ?? 'server', next_run: next, catch_up: s.catchUp, last_run: last?.lastRunAt ?? null, last_job: last?.lastJob ?? null };
    });
    if (options.json) return rows.forEach((r) => ctx.stdout(JSON.stringify(r)));
    if (rows.length === 0) return ctx.stdout('no pipeline has a schedule');
    ctx.stdout(`${'PIPELINE'.padEnd(24)} ${'CRON'.padEnd(16)} ${'TIMEZONE'.padEnd(18)} ${'NEXT RUN'.padEnd(26)} LAST RUN`);
    for (const r of rows) {
      const last = r.last_run ? `${r.last_run}${r.last_job ? ` (${r.last_job})` : ''}` : '-';
      ctx.stdout(`${r.pipeline.padEnd(24)} ${r.cron.padEnd(16)} ${r.timezone.padEnd(18)} ${r.next_run.padEnd(26)} ${last}`);
    }
  } finally {
    journal.close();
  }
}

interface ScheduledRunInput {
  schedule: Schedule;
  due: Date;
  started: (job: string) => void;
  stop: AbortSignal;
  log: (line: string) => void;
}

/** One scheduled run: the pipeline is read again (it may have been edited since serve started), planned and run. */
async function runScheduled(ctx: CliContext, project: Project, runtime: Runtime, input: ScheduledRunInput): Promise<string> {
  const { schedule } = input;
  const loaded = await loadCheckedPipeline(project, ctx.cwd, schedule.file);
  if (!loaded.ok) throw new Error(`the pipeline is invalid now:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
  const plan = planFor(project, loaded.loaded, new Date());
  input.started(plan.jobId);
  input.log(`${schedule.pipeline}: run due ${input.due.toISOString()} started as job ${plan.jobId}`);
  const outcome = await startJob(plan, { journal: runtime.journal, activities: runtime.activities, cancelled: () => input.stop.aborted, log: input.log, connections: project.config.connections });
  const s = outcome.summary;
  const counts = `total ${s.total}, exported ${s.exported}, inserted ${s.inserted}, updated ${s.updated}, rejected ${s.rejected}`;
  const output = outcome.artifacts?.output ? `; output ${outcome.artifacts.output}` : '';
  return `${schedule.pipeline}: job ${plan.jobId} ${outcome.status} (${counts})${output}${outcome.error ? `; error: ${outcome.error}` : ''}`;
}

/** The pipelines (given, or all under pipelines/) that have a schedule; invalid files are reported and left out. */
function findSchedules(ctx: CliContext, project: Project, files: string[]): Schedule[] {
  const candidates = files.length > 0 ? files : findPipelines(join(project.rootDir, 'pipelines'));
  const schedules: Schedule[] = [];
  for (const file of candidates) {
    const result = loadPipeline(project, ctx.cwd, file);
    if (!result.ok) {
      for (const d of result.diagnostics) ctx.stderr(project.masker.mask(formatDiagnostic(d)));
      continue;
    }
    const { pipeline, name, path } = result.loaded;
    if (typeof pipeline.schedule !== 'string') continue;
    if (schedules.some((s) => s.pipeline === name)) throw new CliExit(EXIT_INVALID, `two scheduled pipelines are named "${name}"; names must be unique`);
    schedules.push({ pipeline: name, file: path, cron: pipeline.schedule, ...(pipeline.timezone ? { timezone: pipeline.timezone } : {}), catchUp: pipeline.catch_up });
  }
  return schedules;
}

function positiveInteger(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new CliExit(EXIT_INVALID, `${option} expects a whole number ≥ 1, got "${text}"`);
  return n;
}
