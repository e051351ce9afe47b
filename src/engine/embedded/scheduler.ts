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

/**
 * Daylight saving time. A cron names wall-clock times in the schedule's zone; a change of the
 * clocks makes some of them happen twice and others never. The rule, the one Vixie cron keeps for a
 * job at a fixed time (what an operator of a nightly job expects):
 * - a wall time that happens twice (the hour a fall-back repeats) runs ONCE, at its first
 *   occurrence: 01:30 in New York on the first Sunday of November runs at 01:30 EDT, not again at
 *   01:30 EST. The repeated hour is not a new hour of the day; a nightly job runs one night once.
 * - a wall time that never happens (the hour a spring-forward skips) runs once, at the first instant
 *   after the gap (02:30 in Berlin on the last Sunday of March runs at 03:00 CEST): a nightly export
 *   is late by the gap, never left out; several times of the gap (every 15 minutes) make one run.
 * croner, which reads the cron, is asked only which wall times match (in a zone without changes);
 * turning a wall time into an instant is done here, by the rule above. Left to croner, a schedule
 * with `timezone:` ran the repeated hour's second occurrence but the server zone's its first, a
 * time of the gap ran as late as the gap is long (03:30, not 03:00), a `*\/30` schedule did not run
 * at all during the first pass of the repeated hour, and asked from inside that hour croner answered
 * a time already past.
 */
export function nextRun(schedule: Pick<Schedule, 'cron' | 'timezone'>, after: Date): Date | null {
  const offsetAt = zoneOffset(schedule.timezone);
  // Wall-clock times, as the instants they would be in UTC (a zone that never changes its clocks).
  const wall = new Cron(schedule.cron, { paused: true, utcOffset: 0 });
  const t = after.getTime();
  // Start from `after`'s own wall time: it, and any earlier one, happened (first) by `after`.
  let from = new Date(t + offsetAt(t));
  for (;;) {
    const next = wallNextRun(wall, from);
    if (!next) return null;
    const at = wallToInstant(next.getTime(), offsetAt);
    if (at > t) return new Date(at);
    from = new Date(Math.max(next.getTime(), happenedBy(next.getTime() - at, at, t, offsetAt)));
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A wall time, as far as which every one has happened by `t`: those read with `offset` at an instant
 * from `at` on, before the offset changes (or `t`). The walk above jumps there: one second at a
 * time through the second pass of a repeated hour, a per-second cron took half a second a call.
 */
function happenedBy(offset: number, at: number, t: number, offsetAt: OffsetAt): number {
  if (offsetAt(t) === offset) return t + offset;
  // the first second after `at` with another offset (at most a day on: zones change once in one)
  let lo = at;
  let hi = t;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi + offset - 1;
}

/**
 * croner's next match, or null when there is none: croner searches a cron no date matches (31
 * February, April and June) one call deeper a month up to the year 3000 and runs out of stack first.
 */
function wallNextRun(wall: Cron, from: Date): Date | null {
  try {
    return wall.nextRun(from);
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) return null;
    throw err;
  }
}

/** Offset from UTC in ms at an instant: of an IANA zone, or of the server's (TZ) as Date reads it. */
type OffsetAt = (ms: number) => number;

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneOffset(zone: string | undefined): OffsetAt {
  // Without a zone the schedule is in the server's, as Date's local time is (TZ, else the system's).
  if (!zone) return (ms) => -new Date(ms).getTimezoneOffset() * 60_000;
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  const f = format;
  return (ms) => {
    const p: Record<string, string> = {};
    for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
    const asUtc = new Date(0);
    asUtc.setUTCFullYear(Number(p['year']), Number(p['month']) - 1, Number(p['day']));
    asUtc.setUTCHours(Number(p['hour']), Number(p['minute']), Number(p['second']), 0);
    return asUtc.getTime() - (ms - (((ms % 1000) + 1000) % 1000));
  };
}

/**
 * The instant a wall time happens first; for one that never happens (in a spring-forward gap), the
 * first instant after the gap.
 */
function wallToInstant(wallMs: number, offsetAt: OffsetAt): number {
  const offsets = [...new Set([offsetAt(wallMs - DAY_MS), offsetAt(wallMs), offsetAt(wallMs + DAY_MS)])];
  const occurs = offsets
    .map((o) => wallMs - o)
    .filter((at) => at + offsetAt(at) === wallMs)
    .sort((a, b) => a - b);
  if (occurs.length > 0) return occurs[0]!;
  // In a gap: between the instant read with the larger offset (wall time before the gap) and the
  // one read with the smaller (after it), find the first second whose wall time is past it.
  let lo = wallMs - Math.max(...offsets);
  let hi = wallMs - Math.min(...offsets);
  if (lo + offsetAt(lo) > wallMs || hi + offsetAt(hi) <= wallMs) return hi;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (mid + offsetAt(mid) > wallMs) hi = mid;
    else lo = mid === lo ? lo + 1000 : mid;
  }
  return hi;
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
    // One run stands for all the missed ones: how many it stands for is said, not only the first.
    const more = skippedRuns(schedule, missed, clock.now());
    const all = more
      ? more.last
        ? `, for all ${more.count + 1} runs missed, the last due ${more.last.toISOString()}`
        : `, for more than ${more.count + 1} runs missed`
      : '';
    options.log(`${schedule.pipeline}: missed the run due ${missed.toISOString()} while not serving; running it once now (catch_up: once)${all}`);
    await fire(schedule, missed, options, stop, state);
  } else if (schedule.catchUp === 'skip') {
    // Not made up, by choice; still said, so a gap in the runs is never a silent one.
    const last = options.store.lastScheduledRun(schedule.pipeline);
    const skipped = last ? skippedRuns(schedule, new Date(last.lastRunAt), clock.now()) : undefined;
    if (skipped) options.log(`${schedule.pipeline}: ${describeSkipped(skipped)} while not serving were not made up (catch_up: skip)`);
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
    // The run just made is recorded at `woke` when it started late, and stands for every due time
    // until then (fire): those are skipped. One due later, even exactly now, runs next.
    const covered = Math.max(due.getTime(), woke.getTime());
    from = new Date(now.getTime() > covered ? now.getTime() - 1 : now.getTime());
    const skipped = skippedRuns(schedule, due, from);
    if (skipped) {
      // Past already when the wait ended: the clock jumped forward or the machine slept, no job ran then.
      const why =
        skipped.first.getTime() <= woke.getTime()
          ? 'it was past when the wait ended (the clock jumped or the machine slept)'
          : 'the previous job was still running';
      options.log(`${schedule.pipeline}: skipped ${describeSkipped(skipped)}: ${why}`);
    }
  }
}

function describeSkipped(skipped: { count: number; first: Date; last?: Date }): string {
  if (skipped.count === 1) return `the run due ${skipped.first.toISOString()}`;
  if (skipped.last) return `${skipped.count} runs due ${skipped.first.toISOString()} to ${skipped.last.toISOString()}`;
  return `more than ${skipped.count} runs due from ${skipped.first.toISOString()}`;
}

/** Counting skipped runs stops here: a per-second cron a month behind would count for minutes. */
const MAX_SKIPPED_COUNTED = 1000;

/**
 * The due times after `due`, up to `until`, that were not run: how many, the first and the last
 * (no last when there were more than MAX_SKIPPED_COUNTED), each said in the log so none is dropped
 * without a word.
 */
function skippedRuns(schedule: Schedule, due: Date, until: Date): { count: number; first: Date; last?: Date } | undefined {
  const first = nextRun(schedule, due);
  if (!first || first.getTime() > until.getTime()) return undefined;
  let last = first;
  for (let count = 1; ; count++) {
    const next = nextRun(schedule, last);
    if (!next || next.getTime() > until.getTime()) return { count, first, last };
    if (count >= MAX_SKIPPED_COUNTED) return { count, first };
    last = next;
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
