import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal } from '../../../src/engine/embedded/journal.js';
import { missedRun, nextRun, runSchedules, type Clock, type Schedule, type SchedulerOptions } from '../../../src/engine/embedded/scheduler.js';
import { fakeClock, memoryStore } from '../../helpers/schedule-clock.js';

const nightly: Schedule = { pipeline: 'nightly', file: '/p/nightly.yaml', cron: '0 2 * * *', timezone: 'UTC', catchUp: 'once' };

function harness(schedules: Schedule[], start: string, options: Partial<SchedulerOptions> & { store?: ReturnType<typeof memoryStore>; jobMs?: number } = {}) {
  const clock = fakeClock(start);
  const store = options.store ?? memoryStore();
  const fired: string[] = [];
  const log: string[] = [];
  let n = 0;
  const run: SchedulerOptions['run'] = async (s, due, started) => {
    const job = `${s.pipeline}-${++n}`;
    started(job);
    fired.push(`${s.pipeline}@${due.toISOString()} started ${clock.now().toISOString()}`);
    if (options.jobMs) clock.advance(options.jobMs);
    return `${s.pipeline}: job ${job} succeeded`;
  };
  const go = () => runSchedules({ schedules, store, clock, run, log: (l) => log.push(l), ...options });
  return { clock, store, fired, log, go };
}

describe('scheduler', () => {
  it('runs a cron in its time zone, records each run, and stops after maxRuns', async () => {
    const h = harness([nightly, { ...nightly, pipeline: 'paris', timezone: 'Europe/Paris' }], '2026-01-01T00:00:00.000Z', { maxRuns: 4 });
    expect(await h.go()).toBe(4);
    expect(h.fired).toEqual([
      'paris@2026-01-01T01:00:00.000Z started 2026-01-01T01:00:00.000Z',
      'nightly@2026-01-01T02:00:00.000Z started 2026-01-01T02:00:00.000Z',
      'paris@2026-01-02T01:00:00.000Z started 2026-01-02T01:00:00.000Z',
      'nightly@2026-01-02T02:00:00.000Z started 2026-01-02T02:00:00.000Z',
    ]);
    expect(h.store.runs.get('nightly')).toEqual({ pipeline: 'nightly', lastRunAt: '2026-01-02T02:00:00.000Z', lastJob: 'nightly-4' });
    expect(h.log).toContain('nightly: job nightly-4 succeeded');
  });

  it('catch_up once: a run missed while down runs once on start, then the schedule goes on', async () => {
    const store = memoryStore([{ pipeline: 'nightly', lastRunAt: '2025-12-28T02:00:00.000Z', lastJob: 'old' }]);
    const h = harness([nightly], '2026-01-01T10:00:00.000Z', { store, maxRuns: 2 });
    await h.go();
    expect(h.fired).toEqual([
      'nightly@2025-12-29T02:00:00.000Z started 2026-01-01T10:00:00.000Z',
      'nightly@2026-01-02T02:00:00.000Z started 2026-01-02T02:00:00.000Z',
    ]);
    expect(h.log[0]).toBe(
      'nightly: missed the run due 2025-12-29T02:00:00.000Z while not serving; running it once now (catch_up: once), for all 4 runs missed, the last due 2026-01-01T02:00:00.000Z',
    );
  });

  it('records a made-up run at the time it ran, so a restart does not make up the same gap again', async () => {
    const store = memoryStore([{ pipeline: 'nightly', lastRunAt: '2025-12-28T02:00:00.000Z', lastJob: 'old' }]);
    await harness([nightly], '2026-01-01T10:00:00.000Z', { store, maxRuns: 1 }).go();
    expect(store.runs.get('nightly')?.lastRunAt).toBe('2026-01-01T10:00:00.000Z');
    expect(missedRun(nightly, store.runs.get('nightly'), new Date('2026-01-01T11:00:00.000Z'))).toBeUndefined();
  });

  it('catch_up skip, or a pipeline never run before, waits for the next due time', async () => {
    const store = memoryStore([{ pipeline: 'nightly', lastRunAt: '2025-12-28T02:00:00.000Z', lastJob: 'old' }]);
    const skip = harness([{ ...nightly, catchUp: 'skip' }], '2026-01-01T10:00:00.000Z', { store, maxRuns: 1 });
    await skip.go();
    expect(skip.fired).toEqual(['nightly@2026-01-02T02:00:00.000Z started 2026-01-02T02:00:00.000Z']);
    const fresh = harness([nightly], '2026-01-01T10:00:00.000Z', { maxRuns: 1 });
    await fresh.go();
    expect(fresh.fired).toEqual(['nightly@2026-01-02T02:00:00.000Z started 2026-01-02T02:00:00.000Z']);
  });

  it('runs one job at a time per pipeline: a due time passing during a run is skipped and logged', async () => {
    const hourly: Schedule = { ...nightly, pipeline: 'hourly', cron: '0 * * * *' };
    const h = harness([hourly], '2026-01-01T00:30:00.000Z', { maxRuns: 2, jobMs: 90 * 60_000 });
    await h.go();
    expect(h.fired).toEqual([
      'hourly@2026-01-01T01:00:00.000Z started 2026-01-01T01:00:00.000Z',
      'hourly@2026-01-01T03:00:00.000Z started 2026-01-01T03:00:00.000Z',
    ]);
    expect(h.log).toContain('hourly: skipped the run due 2026-01-01T02:00:00.000Z: the previous job was still running');
  });

  it('after a clock jump forward runs the due time once and says why the others were skipped (no job was running)', async () => {
    const hourly: Schedule = { ...nightly, pipeline: 'hourly', cron: '0 * * * *' };
    const clock = fakeClock('2026-01-01T00:30:00.000Z');
    let jumped = false;
    const jumping: Clock = {
      now: () => clock.now(),
      sleep: async (ms, signal) => {
        await clock.sleep(ms, signal);
        if (jumped) return;
        jumped = true;
        clock.advance(3 * 60 * 60_000);
      },
    };
    const log: string[] = [];
    const fired: string[] = [];
    await runSchedules({
      schedules: [hourly],
      store: memoryStore(),
      clock: jumping,
      maxRuns: 2,
      log: (l) => log.push(l),
      run: async (s, due) => (fired.push(`${due.toISOString()} at ${clock.now().toISOString()}`), 'ran'),
    });
    // the late run is recorded at 04:00 and stands for it: 04:00 is one of the skipped
    expect(fired).toEqual(['2026-01-01T01:00:00.000Z at 2026-01-01T04:00:00.000Z', '2026-01-01T05:00:00.000Z at 2026-01-01T05:00:00.000Z']);
    expect(log).toContain(
      'hourly: skipped 3 runs due 2026-01-01T02:00:00.000Z to 2026-01-01T04:00:00.000Z: it was past when the wait ended (the clock jumped or the machine slept)',
    );
  });

  it('says a run is not started because its last run is recorded in the future (the clock went back), not that another serve took it', async () => {
    const store = memoryStore([{ pipeline: 'nightly', lastRunAt: '2027-06-01T02:00:00.000Z', lastJob: 'from-the-future' }]);
    const controller = new AbortController();
    const log: string[] = [];
    const runs = runSchedules({
      schedules: [nightly],
      store,
      clock: fakeClock('2026-01-01T00:00:00.000Z'),
      signal: controller.signal,
      log: (l) => void (log.push(l), controller.abort()),
      run: async () => 'ran',
    });
    expect(await runs).toBe(0);
    expect(log).toEqual([
      'nightly: the run due 2026-01-01T02:00:00.000Z is not started: the last run is recorded at 2027-06-01T02:00:00.000Z, later than this clock (2026-01-01T02:00:00.000Z); the clock went back, or was ahead when that run was recorded. No run starts until the clock passes that time',
    ]);
  });

  it('logs a run that fails to start and keeps serving; an abort stops waiting', async () => {
    const controller = new AbortController();
    const clock = fakeClock('2026-01-01T00:00:00.000Z');
    const log: string[] = [];
    let calls = 0;
    const runs = runSchedules({
      schedules: [nightly],
      store: memoryStore(),
      clock,
      signal: controller.signal,
      log: (l) => log.push(l),
      run: async () => {
        if (++calls === 2) controller.abort();
        throw new Error('pipeline is invalid now');
      },
    });
    expect(await runs).toBe(2);
    expect(log).toEqual([
      'nightly: the run due 2026-01-01T02:00:00.000Z failed to start: pipeline is invalid now',
      'nightly: the run due 2026-01-02T02:00:00.000Z failed to start: pipeline is invalid now',
    ]);
  });

  it('two serves on one journal start each due time once: the other logs it and skips it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sched-'));
    const journal = new Journal(dir);
    try {
      const controller = new AbortController();
      const fired: string[] = [];
      const log: string[] = [];
      const serve = (name: string) =>
        runSchedules({
          schedules: [nightly],
          store: journal,
          clock: fakeClock('2026-01-01T00:00:00.000Z'),
          signal: controller.signal,
          log: (l) => log.push(`${name} ${l}`),
          run: async (s, due, started) => {
            started(`${name}-job`);
            fired.push(`${s.pipeline}@${due.toISOString()}`);
            if (fired.length === 2) controller.abort();
            return `${name} ran`;
          },
        });
      await Promise.all([serve('a'), serve('b')]);
      expect(fired).toEqual(['nightly@2026-01-01T02:00:00.000Z', 'nightly@2026-01-02T02:00:00.000Z']);
      expect(log.filter((l) => l.includes('was started by another ferry serve of this project')).length).toBeGreaterThan(0);
      expect(journal.lastScheduledRun('nightly')?.lastJob).toMatch(/^[ab]-job$/);
    } finally {
      journal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a fall-back hour neither loops nor runs a daily job twice: each due time is after the last (croner answers a past time there)', async () => {
    // New York, 2026-11-01: 01:00-02:00 comes twice (EDT then EST). A job started at 01:15 EDT that
    // is still running at 01:00 EST asked croner for a due time already past: serve spun on it.
    // checked first: on the old code the run below never ends (a microtask loop starves the timers)
    for (const cron of ['15 1 * * *', '*/30 * * * *', '*/5 * * * *'])
      for (let t = Date.parse('2026-11-01T04:00:00.000Z'); t < Date.parse('2026-11-01T08:00:00.000Z'); t += 60_000)
        expect(nextRun({ cron, timezone: 'America/New_York' }, new Date(t))!.getTime()).toBeGreaterThan(t);
    const daily: Schedule = { ...nightly, pipeline: 'daily', cron: '15 1 * * *', timezone: 'America/New_York' };
    const h = harness([daily], '2026-10-31T12:00:00.000Z', { maxRuns: 2, jobMs: 50 * 60_000 });
    expect(await h.go()).toBe(2);
    expect(h.fired).toEqual([
      'daily@2026-11-01T05:15:00.000Z started 2026-11-01T05:15:00.000Z',
      'daily@2026-11-02T06:15:00.000Z started 2026-11-02T06:15:00.000Z',
    ]);
    expect(h.log.filter((l) => l.includes('another ferry serve'))).toEqual([]);
  });

  it('a spring-forward day runs a schedule of the skipped hour once, at the first instant after the gap', () => {
    const at = (from: string) => nextRun({ cron: '30 2 * * *', timezone: 'Europe/Berlin' }, new Date(from))?.toISOString();
    // 2026-03-29 02:00 CET becomes 03:00 CEST: 02:30 does not exist that day, the run is at 03:00
    expect(at('2026-03-28T12:00:00.000Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(at('2026-03-29T01:00:00.000Z')).toBe('2026-03-30T00:30:00.000Z');
  });

  it('computes next runs with seconds and zones', () => {
    expect(nextRun({ cron: '*/5 * * * * *' }, new Date('2026-01-01T00:00:01.500Z'))?.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(nextRun({ cron: '0 2 * * *', timezone: 'America/New_York' }, new Date('2026-07-01T00:00:00.000Z'))?.toISOString()).toBe('2026-07-01T06:00:00.000Z');
  });
});
