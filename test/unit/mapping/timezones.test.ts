import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * `$fromMillis` and `$now` take a timezone as an offset. jsonata wrote "NaN" for one it could not
 * read ("bogus", "Europe/Paris"), wrapped "+9999" past a day, read "+05:30" as five minutes, and
 * put a negative offset with minutes (-03:30) an hour off: each a wrong value written without a word. Now ±HH:MM works as ±HHMM does, and anything else is
 * a MAPPING_ERROR, compiled and interpreted.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T09:53:00.000Z' };

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('timezones (interpretOnly: $interpretOnly)', (path) => {
  const map = (expr: string) => createMapper({ c: expr }, ctx, undefined, path).map({});

  it.each([
    ['$fromMillis(0, "[H01]:[m01]", "+05:30")', '05:30'],
    ['$fromMillis(0, "[H01]:[m01]", "+0530")', '05:30'],
    ['$now("[H01]:[m01]", "-03:00")', '06:53'],
  ])('%s is %s', async (expr, value) => {
    expect(await map(expr)).toEqual({ values: { c: value }, errors: [] });
  });

  it.each(['bogus', 'Europe/Paris', '+9999', '+24:00'])('the timezone %s is rejected', async (timezone) => {
    const result = await map(`$fromMillis(0, "[H01]", "${timezone}")`);
    expect(result).toEqual({
      values: {},
      errors: [{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(/is not an offset ±HHMM or ±HH:MM/) as unknown }],
    });
  });
});
