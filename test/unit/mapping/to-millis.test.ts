import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * `$toMillis` gives the same instant on every worker and every day. Without a picture, an ISO
 * date-time without a zone is UTC: jsonata's Date.parse read it in the worker's local zone (05:00Z
 * on a New York machine), so a batch replayed on another machine wrote other values; and a date
 * the calendar lacks (2023-02-29, month 13) became the next month or null, silently. With a
 * partial picture, the missing parts are the job's start (jsonata took the wall clock).
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };
let zone: string | undefined;

beforeAll(() => {
  zone = process.env['TZ'];
  process.env['TZ'] = 'America/New_York';
});

afterAll(() => {
  if (zone === undefined) delete process.env['TZ'];
  else process.env['TZ'] = zone;
});

async function bothPaths(expr: string, record: Record<string, unknown> = {}) {
  const compiled = await createMapper({ c: expr }, ctx).map(record);
  const interpreted = await createMapper({ c: expr }, ctx, undefined, { interpretOnly: true }).map(record);
  expect(interpreted).toEqual(compiled);
  return compiled;
}

describe('$toMillis without a picture', () => {
  it.each([
    ['2024-01-01T00:00:00', Date.UTC(2024, 0, 1)],
    ['2024-06-01T12:00:00.250', Date.UTC(2024, 5, 1, 12, 0, 0, 250)],
    ['2024-06-01T12:00:00+02:00', Date.UTC(2024, 5, 1, 10)],
    ['2024-06-01T12:00:00Z', Date.UTC(2024, 5, 1, 12)],
    ['2024-06-01', Date.UTC(2024, 5, 1)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2024', Date.UTC(2024, 0, 1)],
  ])('reads %s as the same instant in any local zone', async (timestamp, millis) => {
    expect(new Date(2024, 0, 1).getTimezoneOffset()).toBe(300);
    expect(await bothPaths('$toMillis(t)', { t: timestamp })).toEqual({ values: { c: millis }, errors: [] });
  });

  it.each([
    ['2023-02-29', /there is no day 29 in that month/],
    ['2024-13-01', /there is no month 13/],
    ['2024-04-31', /there is no day 31/],
    ['2024-01-01T24:00:00Z', /there is no hour 24/],
    ['2024.5', /a fraction of a second needs a time/],
  ])('refuses %s, a date the calendar does not have', async (timestamp, message) => {
    const result = await bothPaths('$toMillis(t)', { t: timestamp });
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(message) as unknown }] });
  });
});

describe('$toMillis with a partial picture', () => {
  it("fills the missing date from the job's start, as $now() gives it, not from the wall clock", async () => {
    // the job started on 2024-01-02: a replay on another day must read the same instant
    expect(await bothPaths('$toMillis(t, "[H01]:[m01]")', { t: '10:00' })).toEqual({ values: { c: Date.UTC(2024, 0, 2, 10) }, errors: [] });
    expect(await bothPaths('$eval("$toMillis(\\"07:30\\", \\"[H01]:[m01]\\")")')).toEqual({ values: { c: Date.UTC(2024, 0, 2, 7, 30) }, errors: [] });
  });
});
