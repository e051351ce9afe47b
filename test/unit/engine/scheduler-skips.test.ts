import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../../src/engine/embedded/scheduler.js';
import { memoryStore, serveFor } from '../../helpers/schedule-clock.js';

const hourly: Schedule = { pipeline: 'hourly', file: 'hourly.yaml', cron: '0 * * * *', timezone: 'UTC', catchUp: 'once' };

describe('due times passing while a job runs', () => {
  it('are each accounted for in the log: how many were skipped, from when to when', async () => {
    const { fired, log } = await serveFor([hourly], '2026-01-01T00:30:00.000Z', { maxRuns: 2, jobMs: 4.5 * 60 * 60_000 });
    expect(fired.map((f) => f.split(' ')[1])).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T06:00:00.000Z']);
    // 02:00, 03:00, 04:00 and 05:00 did not run: the log says so for each, not for 02:00 alone
    expect(log).toContain('hourly: skipped 4 runs due 2026-01-01T02:00:00.000Z to 2026-01-01T05:00:00.000Z: the previous job was still running');
  });

  it('a due time the previous job ends at exactly runs then, not dropped without a word', async () => {
    const { fired, log } = await serveFor([hourly], '2026-01-01T00:30:00.000Z', { maxRuns: 3, jobMs: 60 * 60_000 });
    expect(fired).toEqual([
      'hourly 2026-01-01T01:00:00.000Z 2026-01-01T01:00:00.000Z',
      'hourly 2026-01-01T02:00:00.000Z 2026-01-01T02:00:00.000Z',
      'hourly 2026-01-01T03:00:00.000Z 2026-01-01T03:00:00.000Z',
    ]);
    expect(log.filter((l) => l.includes('skipped'))).toEqual([]);
  });

  it('a per-second schedule behind by a day says how many it skipped without counting forever', async () => {
    const everySecond: Schedule = { ...hourly, pipeline: 'fast', cron: '* * * * * *' };
    const started = Date.now();
    const { log } = await serveFor([everySecond], '2026-01-01T00:00:00.500Z', { maxRuns: 1, jobMs: 30 * 24 * 60 * 60_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(log.find((l) => l.includes('skipped'))).toMatch(
      /^fast: skipped more than \d+ runs due from 2026-01-01T00:00:02\.000Z: the previous job was still running$/,
    );
  });
});

describe('runs missed while not serving', () => {
  it('catch_up: skip says which were not made up, not nothing', async () => {
    const store = memoryStore([{ pipeline: 'hourly', lastRunAt: '2026-01-01T01:00:00.000Z', lastJob: 'old' }]);
    const { fired, log } = await serveFor([{ ...hourly, catchUp: 'skip' }], '2026-01-01T04:30:00.000Z', { maxRuns: 1, store });
    expect(fired.map((f) => f.split(' ')[1])).toEqual(['2026-01-01T05:00:00.000Z']);
    expect(log[0]).toBe('hourly: 3 runs due 2026-01-01T02:00:00.000Z to 2026-01-01T04:00:00.000Z while not serving were not made up (catch_up: skip)');
  });

  it('catch_up: once makes one run for many missed, and says so', async () => {
    const store = memoryStore([{ pipeline: 'hourly', lastRunAt: '2026-01-01T01:00:00.000Z', lastJob: 'old' }]);
    const { fired, log } = await serveFor([hourly], '2026-01-01T04:30:00.000Z', { maxRuns: 2, store });
    expect(fired).toEqual(['hourly 2026-01-01T02:00:00.000Z 2026-01-01T04:30:00.000Z', 'hourly 2026-01-01T05:00:00.000Z 2026-01-01T05:00:00.000Z']);
    expect(log[0]).toBe(
      'hourly: missed the run due 2026-01-01T02:00:00.000Z while not serving; running it once now (catch_up: once), for all 3 runs missed, the last due 2026-01-01T04:00:00.000Z',
    );
  });
});
