import { Cron } from 'croner';
import type { PipelineSchedule } from '../engine.js';
import type { ScheduledRun } from './journal.js';

/** One pipeline's `schedule:` as `ferry serve` runs it. */
export type Schedule = PipelineSchedule;

/** Where the last run of each pipeline is kept (the journal's `schedules` table). */
export interface ScheduleStore {
  lastScheduledRun(pipeline: string): ScheduledRun | undefined;
  /**
   * Records the run, in one step with the check, unless a run at or after `due` is recorded
   * already: another `ferry serve` of the same project took this due time (false then). Without
   * it two serves would each start every run.
   */
  claimScheduledRun(run: ScheduledRun, due: Date): boolean;
  /** Sets the job of the run claimed at `run.lastRunAt` (not of a later run claimed since). */
  recordScheduledRun(run: ScheduledRun): void;
}

/** Time, injectable so tests run a day of schedules in milliseconds. `sleep` resolves early when `signal` aborts. */
export interface Clock {
  now(): Date;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface SchedulerOptions {
  schedules: Schedule[];
  store: ScheduleStore;
  clock: Clock;
  /**
   * Runs one job of the pipeline to its end; calls `started` with the job id as soon as there is
   * one (it is recorded before the job runs). Resolves with a line for the log.
   */
  run(schedule: Schedule, dueAt: Date, started: (job: string) => void): Promise<string>;
  log(line: string): void;
  /** Stop after this many runs have finished (tests, `ferry serve --max-runs`). */
  maxRuns?: number;
  signal?: AbortSignal;
}

/** How far ahead of this clock another serve's record of a run may be before it says the clocks disagree. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The longest single sleep: timers overflow past ~24.8 days, and a shorter nap notices clock changes. */
const MAX_SLEEP_MS = 60 * 60 * 1000;

export const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** The first time the schedule is due strictly after `after`; null when the cron never fires again. */
export function nextRun(schedule: Pick<Schedule, 'cron' | 'timezone'>, after: Date): Date | null {
  const cron = new Cron(schedule.cron, { paused: true, ...(schedule.timezone ? { timezone: schedule.timezone } : {}) });
  let due = cron.nextRun(after);
  // From inside the hour a fall-back repeats (01:00-02:00 in New York on the first Sunday of
  // November), croner reads the wall time as its first occurrence and answers a time already past:
  // serve would start that run at once, be refused it as already run, and ask again, forever (a busy
  // loop the process never leaves). Walking on from that answer, as croner's own sequence goes,
  // finds its next due time; a run of the repeated hour already started is not started twice.
  while (due !== null && due.getTime() <= after.getTime()) {
    const later: Date | null = cron.nextRun(due);
    // croner's sequence only goes forward; should it not, no due time is better than a busy loop
    if (later !== null && later.getTime() <= due.getTime()) return null;
    due = later;
  }
  return due;
}

/**
 * The run missed while nothing was serving, if it is to be made up: with `catch_up: once`, when a
 * due time passed since the last recorded run. Several missed times make one run, not a burst. A
 * pipeline never run before has missed nothing: its schedule starts when serving does.
 */
export function missedRun(schedule: Schedule, last: ScheduledRun | undefined, now: Date): Date | undefined {
  if (schedule.catchUp === 'skip' || !last) return undefined;
  const due = nextRun(schedule, new Date(last.lastRunAt));
  return due && due.getTime() <= now.getTime() ? due : undefined;
}

/**
 * Runs every schedule until `signal` aborts or `maxRuns` runs have finished. Each pipeline has its
 * own loop and runs one job at a time: a due time that passes while its previous job still runs is
 * skipped (logged), never queued. Each run is recorded (start time and job id) before its job starts,
 * so a crash mid-job is not made up again on the next start. Resolves with the number of runs.
 */
export async function runSchedules(options: SchedulerOptions): Promise<number> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  const state = { started: 0, finished: 0 };
  try {
    await Promise.all(options.schedules.map((s) => scheduleLoop(s, options, stop, state)));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return state.finished;
}

type RunState = { started: number; finished: number };

async function scheduleLoop(schedule: Schedule, options: SchedulerOptions, stop: AbortController, state: RunState): Promise<void> {
  const { clock } = options;
  const missed = missedRun(schedule, options.store.lastScheduledRun(schedule.pipeline), clock.now());
  if (missed) {
    options.log(`${schedule.pipeline}: missed the run due ${missed.toISOString()} while not serving; running it once now (catch_up: once)`);
    await fire(schedule, missed, options, stop, state);
  }
  let from = clock.now();
  while (!stop.signal.aborted) {
    const due = nextRun(schedule, from);
    if (!due) return options.log(`${schedule.pipeline}: the schedule "${schedule.cron}" has no future run`);
    await sleepUntil(clock, due, stop.signal);
    if (stop.signal.aborted) return;
    const woke = clock.now();
    await fire(schedule, due, options, stop, state);
    const now = clock.now();
    const skipped = nextRun(schedule, due);
    // Past already when the wait ended: the clock jumped forward or the machine slept, no job ran then.
    const why =
      skipped && skipped.getTime() <= woke.getTime()
        ? 'it was past when the wait ended (the clock jumped or the machine slept)'
        : 'the previous job was still running';
    if (skipped && skipped.getTime() < now.getTime()) options.log(`${schedule.pipeline}: skipped the run due ${skipped.toISOString()}: ${why}`);
    from = now.getTime() > due.getTime() ? now : due;
  }
}

async function fire(schedule: Schedule, due: Date, options: SchedulerOptions, stop: AbortController, state: RunState): Promise<void> {
  if (options.maxRuns !== undefined && state.started >= options.maxRuns) return;
  // A made-up run stands for every due time missed until now: recording its (older) due time
  // would make the next start find the later missed ones and run again.
  const lastRunAt = new Date(Math.max(due.getTime(), options.clock.now().getTime())).toISOString();
  if (!options.store.claimScheduledRun({ pipeline: schedule.pipeline, lastRunAt, lastJob: null }, due)) {
    const other = options.store.lastScheduledRun(schedule.pipeline);
    const now = options.clock.now();
    // A record later than any due time this clock reaches soon: no other serve took this run.
    if (other && Date.parse(other.lastRunAt) > now.getTime() + CLOCK_SKEW_MS)
      return options.log(
        `${schedule.pipeline}: the run due ${due.toISOString()} is not started: the last run is recorded at ${other.lastRunAt}, later than this clock (${now.toISOString()}); the clock went back, or was ahead when that run was recorded. No run starts until the clock passes that time`,
      );
    options.log(
      `${schedule.pipeline}: the run due ${due.toISOString()} was started by another ferry serve of this project${other?.lastJob ? ` (job ${other.lastJob})` : ''}; not running it twice`,
    );
    return;
  }
  state.started++;
  const record = (job: string | null): void => options.store.recordScheduledRun({ pipeline: schedule.pipeline, lastRunAt, lastJob: job });
  try {
    options.log(await options.run(schedule, due, (job) => record(job)));
  } catch (err) {
    options.log(`${schedule.pipeline}: the run due ${due.toISOString()} failed to start: ${(err as Error)?.message ?? String(err)}`);
  }
  state.finished++;
  if (options.maxRuns !== undefined && state.finished >= options.maxRuns) stop.abort();
}

async function sleepUntil(clock: Clock, due: Date, signal: AbortSignal): Promise<void> {
  for (let wait = due.getTime() - clock.now().getTime(); wait > 0 && !signal.aborted; wait = due.getTime() - clock.now().getTime()) {
    await clock.sleep(Math.min(wait, MAX_SLEEP_MS), signal);
  }
}
