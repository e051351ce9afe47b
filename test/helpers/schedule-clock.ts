import type { ScheduledRun } from '../../src/engine/embedded/journal.js';
import { runSchedules, type Clock, type Schedule, type SchedulerOptions } from '../../src/engine/embedded/scheduler.js';

/**
 * A clock whose sleeps end in due-time order as soon as every loop is waiting: days of schedules
 * run in milliseconds. `advance` stands for a job taking time, or a machine asleep.
 */
export function fakeClock(start: string): Clock & { advance(ms: number): void } {
  let t = Date.parse(start);
  const timers: { at: number; wake: () => void }[] = [];
  let ticking = false;
  const tick = (): void => {
    timers.sort((a, b) => a.at - b.at);
    const next = timers.shift();
    if (next) {
      t = Math.max(t, next.at);
      next.wake();
    }
    ticking = timers.length > 0;
    if (ticking) setImmediate(tick);
  };
  return {
    now: () => new Date(t),
    advance: (ms) => void (t += ms),
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        const onAbort = (): void => {
          const i = timers.indexOf(timer);
          if (i >= 0) timers.splice(i, 1);
          resolve();
        };
        const timer = {
          at: t + ms,
          wake: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        timers.push(timer);
        signal.addEventListener('abort', onAbort, { once: true });
        if (!ticking) {
          ticking = true;
          setImmediate(tick);
        }
      }),
  };
}

/** The journal's `schedules` table, in memory, with its claim rule. */
export function memoryStore(initial: ScheduledRun[] = []) {
  const runs = new Map(initial.map((r) => [r.pipeline, r]));
  return {
    runs,
    lastScheduledRun: (p: string) => runs.get(p),
    claimScheduledRun: (r: ScheduledRun, due: Date) => {
      const last = runs.get(r.pipeline);
      if (last && last.lastRunAt >= due.toISOString()) return false;
      runs.set(r.pipeline, r);
      return true;
    },
    recordScheduledRun: (r: ScheduledRun) => void (runs.get(r.pipeline)?.lastRunAt === r.lastRunAt && runs.set(r.pipeline, r)),
  };
}

/** Runs the real scheduler on a fake clock; `fired` lists each run as `due started-at` (ISO, UTC). */
export async function serveFor(
  schedules: Schedule[],
  start: string,
  options: { maxRuns: number; jobMs?: number; store?: ReturnType<typeof memoryStore> },
): Promise<{ fired: string[]; log: string[] }> {
  const clock = fakeClock(start);
  const fired: string[] = [];
  const log: string[] = [];
  let n = 0;
  const run: SchedulerOptions['run'] = async (s, due, started) => {
    started(`${s.pipeline}-${++n}`);
    fired.push(`${s.pipeline} ${due.toISOString()} ${clock.now().toISOString()}`);
    if (options.jobMs) clock.advance(options.jobMs);
    return `${s.pipeline}: ran`;
  };
  await runSchedules({ schedules, store: options.store ?? memoryStore(), clock, run, log: (l) => log.push(l), maxRuns: options.maxRuns });
  return { fired, log };
}
