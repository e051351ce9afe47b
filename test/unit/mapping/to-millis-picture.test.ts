import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';
import { mapBothPaths } from '../../helpers/mapping.js';

/*
 * `$toMillis` with a picture handed the numbers it read to Date.UTC, which rolls what is out of
 * range into the next unit: "31/02/1990" with "[D01]/[M01]/[Y0001]" was written as 3 March 1990,
 * "2024-13-45" as 14 February 2025, "25:99" as 02:39 the next day, "0099" and "99" with "[Y01]"
 * as 1999, without a word;
 * a year past 275,760 was NaN, rejected as "a division by zero". Each is now a MAPPING_ERROR,
 * compiled and interpreted alike; dates that exist read as before. Pictures with a timezone, a
 * fraction or a weekday number were not checked at all, a negative offset with minutes was read
 * half wrong (-01:30 as -00:30), and a week [W] was ignored (2024-W05 was 1 January).
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };

const bothPaths = (expr: string) => mapBothPaths(expr, ctx);

describe('$toMillis with a picture', () => {
  it.each([
    ['31/02/1990', '[D01]/[M01]/[Y0001]', '1990-03-03T00:00:00.000Z'],
    ['2024-13-45', '[Y]-[M]-[D]', '2025-02-14T00:00:00.000Z'],
    ['2023-02-29', '[Y0001]-[M01]-[D01]', '2023-03-01T00:00:00.000Z'],
    ['25:99', '[H]:[m]', '2024-01-03T02:39:00.000Z'],
    ['0099-01-01', '[Y0001]-[M01]-[D01]', '1999-01-01T00:00:00.000Z'],
    ['05/01/24', '[D01]/[M01]/[Y01]', '1924-01-05T00:00:00.000Z'],
    ['4/4/2018 13:06 pm', '[D1]/[M1]/[Y0001] [h]:[m] [P]', '2018-04-05T01:06:00.000Z'],
    ['Monday, 31 February 2024', '[FNn], [D] [MNn] [Y]', '2024-03-02T00:00:00.000Z'],
    ['2018-400', '[Y0001]-[d001]', '2018-02-04T00:00:00.000Z'],
  ])('%s with %s is a MAPPING_ERROR, not the next day or month', async (timestamp, picture, read) => {
    const result = await bothPaths(`$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)})`);
    const message = `column c: $toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)}): the date or time does not exist as written (a day, month, hour or minute out of range, or a year of two digits, which jsonata reads as 19xx?): it reads as "${read}"`;
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it.each([
    ['2024-02-30T10:00:00+01:00', '[Y]-[M01]-[D01]T[H01]:[m01]:[s01][Z]', '2024-03-01T09:00:00.000Z'],
    ['2024-02-30 10:00 GMT+01:00', '[Y]-[M01]-[D01] [H01]:[m01] [z]', '2024-03-01T09:00:00.000Z'],
    ['25:99:00.5', '[H]:[m]:[s].[f]', '2024-01-03T02:39:00.500Z'],
    ['1 05/01/2024', '[F1] [D01]/[M01]/[Y]', '2024-01-05T00:00:00.000Z'],
  ])('%s with %s (a timezone, a fraction, a weekday number) is checked too', async (timestamp, picture, read) => {
    const result = await bothPaths(`$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)})`);
    const message = `column c: $toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)}): the date or time does not exist as written (a day, month, hour or minute out of range, or a year of two digits, which jsonata reads as 19xx?): it reads as "${read}"`;
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it.each([
    ['10:00 +01:99', '[H01]:[m01] [Z]', 'the timezone "+01:99" is not an offset ±HH, ±HHMM or ±HH:MM (hours 00–23, minutes 00–59)'],
    ['10:00 +99:00', '[H01]:[m01] [Z]', 'the timezone "+99:00" is not an offset ±HH, ±HHMM or ±HH:MM (hours 00–23, minutes 00–59)'],
    [
      '2024-W05-3',
      '[Y]-W[W]-[F1]',
      'jsonata does not read the component [W] (a week, era or calendar): it ignores it, so the date read would not be the one written',
    ],
    ['Monday 05/01/2024', '[FNn] [D01]/[M01]/[Y]', 'the weekday "Monday" is not the date\'s: it reads as "2024-01-05", a "Friday"'],
  ])('%s with %s is a MAPPING_ERROR saying what is wrong', async (timestamp, picture, why) => {
    const result = await bothPaths(`$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)})`);
    const message = `column c: $toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)}): ${why}`;
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it.each([
    // jsonata read a negative offset with minutes as whole hours plus positive minutes: -01:30 as -00:30
    ['2024-01-05T10:00:00-01:30', '[Y]-[M01]-[D01]T[H01]:[m01]:[s01][Z]', '2024-01-05T11:30:00.000Z'],
    ['2024-01-05T10:00:00-0130', '[Y]-[M01]-[D01]T[H01]:[m01]:[s01][Z0101]', '2024-01-05T11:30:00.000Z'],
    ['2024-01-05 10:00 -00:30', '[Y]-[M01]-[D01] [H01]:[m01] [Z]', '2024-01-05T10:30:00.000Z'],
    ['2024-02-29T10:00:00+01:00', '[Y]-[M01]-[D01]T[H01]:[m01]:[s01][Z]', '2024-02-29T09:00:00.000Z'],
    ['2024-01-05 10:00:00 GMT+05:30', '[Y]-[M01]-[D01] [H01]:[m01]:[s01] [z]', '2024-01-05T04:30:00.000Z'],
    ['2024-01-05 10:00 +1', '[Y]-[M01]-[D01] [H01]:[m01] [Z0]', '2024-01-05T09:00:00.000Z'],
    ['23:59:00.5', '[H]:[m]:[s].[f]', '2024-01-02T23:59:00.500Z'],
    ['10:00:00.1239', '[H]:[m]:[s].[f]', '2024-01-02T10:00:00.123Z'],
    ['5 05/01/2024', '[F1] [D01]/[M01]/[Y]', '2024-01-05T00:00:00.000Z'],
    ['friday 05/01/2024', '[FNn] [D01]/[M01]/[Y]', '2024-01-05T00:00:00.000Z'],
  ])('%s with %s reads as the instant written', async (timestamp, picture, iso) => {
    const result = await bothPaths(`$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)})`);
    expect(result).toEqual({ values: { c: Date.parse(iso) }, errors: [] });
  });

  it.each([
    ['05-01-2024', '[D01]/[M01]/[Y]'],
    ['2024-01-05T10:00:00Z', '[Y]-[M01]-[D01]T[H01]:[m01]:[s01][Z]'],
    ['irrelevant', '[Y]-[M]-[D]'],
  ])('%s, which %s does not match, is a MAPPING_ERROR, not a column left out', async (timestamp, picture) => {
    const result = await bothPaths(`$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)})`);
    const message = `column c: $toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)}): the timestamp does not match the picture`;
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it('an empty timestamp is no date: the column is left out, as a missing field is', async () => {
    expect(await bothPaths('$toMillis("", "[D01]/[M01]/[Y]")')).toEqual({ values: {}, errors: [] });
  });

  it('a year past what a Date holds is said to be so', async () => {
    const result = await bothPaths('$toMillis("300000-01-01", "[Y]-[M]-[D]")');
    expect(result.errors[0]?.message).toBe(
      'column c: $toMillis("300000-01-01", "[Y]-[M]-[D]"): the date is past what JavaScript holds (about 275,000 years from 1970)',
    );
  });

  it.each([
    ['2024-02-29', '[Y]-[M]-[D]', '2024-02-29T00:00:00.000Z'],
    ['2024-1-5', '[Y]-[M01]-[D01]', '2024-01-05T00:00:00.000Z'],
    ['05/01/2024 1:30 pm', '[D01]/[M01]/[Y0001] [h]:[m01] [P]', '2024-01-05T13:30:00.000Z'],
    ['4/4/2018 12:06 am', '[D1]/[M1]/[Y0001] [h]:[m] [P]', '2018-04-04T00:06:00.000Z'],
    ['5 January 2024', '[D] [MNn] [Y]', '2024-01-05T00:00:00.000Z'],
    ['27th 3 1976', '[D1o] [M#1] [Y0001]', '1976-03-27T00:00:00.000Z'],
    ['23:59:59', '[H01]:[m01]:[s01]', '2024-01-02T23:59:59.000Z'],
    ['2018-094', '[Y0001]-[d001]', '2018-04-04T00:00:00.000Z'],
    ['05/01/2024', '[D01]/[M01]/[Y01]', '2024-01-05T00:00:00.000Z'],
    ['201802', '[Y,*-4][M01]', '2018-02-01T00:00:00.000Z'],
    ['MMXXIV-01-05', '[YI]-[M01]-[D01]', '2024-01-05T00:00:00.000Z'],
    ['05/01/124', '[D01]/[M01]/[Y]', '0124-01-05T00:00:00.000Z'],
    ['Wednesday, 14th November 2018', '[FNn], [D1o] [MNn] [Y]', '2018-11-14T00:00:00.000Z'],
  ])('%s with %s reads as before', async (timestamp, picture, iso) => {
    const result = await bothPaths(`$toMillis(${JSON.stringify(timestamp)}, ${JSON.stringify(picture)})`);
    expect(result).toEqual({ values: { c: Date.parse(iso) }, errors: [] });
  });

  it('of a secret, says nothing of the date it read', async () => {
    const result = await createMapper({ x: '$toMillis(secret, "[Y]-[M]-[D]")' }, ctx).map({ secret: '2024-13-45' });
    expect(result.errors[0]?.message).toMatch(/it reads as "\*+"$/);
    expect(result.errors[0]?.message).not.toMatch(/2025|14T|13-45/);
  });
});
