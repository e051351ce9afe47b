import { afterEach, describe, expect, it } from 'vitest';
import { nextRun, type Schedule } from '../../../src/engine/embedded/scheduler.js';
import { serveFor } from '../../helpers/schedule-clock.js';

const at = (fired: string[]): string[] => fired.map((f) => f.split(' ')[1]!);
const berlin = (cron: string): Schedule => ({ pipeline: 'p', file: 'p.yaml', cron, timezone: 'Europe/Berlin', catchUp: 'once' });

describe('scheduler across daylight saving time changes', () => {
  const tz = process.env['TZ'];
  afterEach(() => {
    if (tz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = tz;
  });

  it('fall-back: a nightly time the clocks repeat runs once, at its first occurrence', async () => {
    // Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET, 02:30 happens at 00:30Z and again at 01:30Z
    const { fired } = await serveFor([berlin('30 2 * * *')], '2026-10-23T12:00:00.000Z', { maxRuns: 4, jobMs: 50 * 60_000 });
    expect(at(fired)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
  });

  it("the server's zone (TZ) and the same zone named in timezone: give the same runs", async () => {
    process.env['TZ'] = 'Europe/Berlin';
    const server = await serveFor([{ ...berlin('30 2 * * *'), timezone: undefined }], '2026-10-23T12:00:00.000Z', { maxRuns: 4 });
    const named = await serveFor([berlin('30 2 * * *')], '2026-10-23T12:00:00.000Z', { maxRuns: 4 });
    expect(at(server.fired)).toEqual(at(named.fired));
    // and TZ names the server's zone only: a named zone is not moved by it
    process.env['TZ'] = 'America/New_York';
    expect(nextRun(berlin('30 2 * * *'), new Date('2026-10-24T12:00:00.000Z'))?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(nextRun({ cron: '30 2 * * *' }, new Date('2026-10-24T12:00:00.000Z'))?.toISOString()).toBe('2026-10-25T06:30:00.000Z');
  });

  it('spring-forward: a time the clocks skip runs once, at the first instant after the gap', async () => {
    // Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z); 02:30 does not happen that day
    const { fired } = await serveFor([berlin('30 2 * * *')], '2026-03-27T12:00:00.000Z', { maxRuns: 3 });
    expect(at(fired)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    // every quarter of the skipped hour is one run, and 03:00 itself is that same run
    const quarters = await serveFor([berlin('*/15 2,3 * * *')], '2026-03-29T00:50:00.000Z', { maxRuns: 3 });
    expect(at(quarters.fired)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T01:15:00.000Z', '2026-03-29T01:30:00.000Z']);
  });

  it('fall-back: a half-hourly schedule runs the first pass of the repeated hour, not only the second', async () => {
    const { fired, log } = await serveFor([berlin('*/30 * * * *')], '2026-10-24T23:10:00.000Z', { maxRuns: 5 });
    expect(at(fired)).toEqual([
      '2026-10-24T23:30:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T02:30:00.000Z',
    ]);
    expect(log.filter((l) => l.includes('skipped'))).toEqual([]);
  });

  it('a zone changing by 30 minutes, and one whose change is at midnight, run each night once', async () => {
    // Lord Howe falls back from +11 to +10:30 at 02:00 on 2026-04-05: 01:30-02:00 repeats
    const howe = await serveFor([{ ...berlin('45 1 * * *'), timezone: 'Australia/Lord_Howe' }], '2026-04-03T12:00:00.000Z', { maxRuns: 3 });
    expect(at(howe.fired)).toEqual(['2026-04-03T14:45:00.000Z', '2026-04-04T14:45:00.000Z', '2026-04-05T15:15:00.000Z']);
    // Santiago springs forward at midnight on 2026-09-06: 00:00-01:00 does not happen
    const chile = await serveFor([{ ...berlin('30 0 * * *'), timezone: 'America/Santiago' }], '2026-09-04T12:00:00.000Z', { maxRuns: 3 });
    expect(at(chile.fired)).toEqual(['2026-09-05T04:30:00.000Z', '2026-09-06T04:00:00.000Z', '2026-09-07T03:30:00.000Z']);
  });

  it('asked from any minute around a change, the next run is never in the past and never skips a night', () => {
    for (const [zone, cron, from] of [
      ['America/New_York', '30 1 * * *', '2026-10-31T12:00:00.000Z'],
      ['Europe/Berlin', '30 2 * * *', '2026-10-24T12:00:00.000Z'],
      ['Europe/Berlin', '30 2 * * *', '2026-03-28T12:00:00.000Z'],
    ] as const) {
      const runs: number[] = [];
      for (let t = Date.parse(from); t < Date.parse(from) + 2 * 86_400_000; t += 60_000) {
        const next = nextRun({ cron, timezone: zone }, new Date(t))!.getTime();
        expect(next).toBeGreaterThan(t);
        if (!runs.includes(next)) runs.push(next);
      }
      // three nights, one run each, in order
      expect(runs.length).toBe(3);
      expect([...runs].sort((a, b) => a - b)).toEqual(runs);
    }
  });
});

describe('a per-second schedule in the second pass of a repeated hour', () => {
  it('finds its next run without walking the hour a second at a time', () => {
    const schedule = { cron: '* * * * * *', timezone: 'America/New_York' };
    nextRun(schedule, new Date('2026-11-01T06:00:30.000Z'));
    const started = performance.now();
    // 01:00:30 EST: every second to 02:00 happened already, in EDT; 02:00 EST is next
    for (let i = 0; i < 20; i++)
      expect(nextRun(schedule, new Date(Date.parse('2026-11-01T06:00:30.000Z') + i * 1000))?.toISOString()).toBe('2026-11-01T07:00:00.000Z');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
