import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * jsonata's `$fromMillis` wrote "0NaN-NaN-NaNTNaN:NaN:NaN.NaNZ" for an instant no Date holds, and
 * its default picture keeps a year's last four digits (10000-01-01 came out as 0000-01-01): both
 * were written as the column's value. They are a MAPPING_ERROR now, compiled and interpreted, as
 * is a year a picture cuts short ([Y0001] wrote 12344 as "2344", [Y001] 2024 as "024").
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('$fromMillis out of range (interpretOnly: $interpretOnly)', (path) => {
  const map = async (expr: string, record: Record<string, unknown> = {}) => createMapper({ c: expr }, ctx, undefined, path).map(record);

  it.each([
    ['$fromMillis(n)', { n: 9e15 }, 'column c: $fromMillis(9000000000000000): no date is that many milliseconds from 1970 (at most ±8.64e15)'],
    ['$fromMillis(n, "[Y]")', { n: -1e300 }, 'column c: $fromMillis(-1e+300): no date is that many milliseconds from 1970 (at most ±8.64e15)'],
    [
      '$fromMillis(n)',
      { n: Date.UTC(10000, 0, 1) },
      'column c: $fromMillis(253402300800000): the instant is outside the years 0000–9999, which an ISO timestamp writes in four digits (give a picture to format it)',
    ],
  ])('%s of %j is rejected', async (expr, record, message) => {
    expect(await map(expr, record)).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it.each([
    ['[Y0001]-[M01]', Date.UTC(12344, 11, 1), '12344', '[Y0001]', '2344'],
    ['[Y001]', Date.UTC(2024, 0, 5), '2024', '[Y001]', '024'],
    ['[Y,3]', Date.UTC(2024, 0, 5), '2024', '[Y,3]', '024'],
    ['[Y,1-1]', Date.UTC(2024, 0, 5), '2024', '[Y,1-1]', '4'],
  ])('with %s, a year cut short (jsonata kept its last digits) is rejected', async (picture, n, year, marker, written) => {
    const message = `column c: $fromMillis(${n}, ${JSON.stringify(picture)}): the year ${year} has more digits than ${marker} writes (it would be ${JSON.stringify(written)}): write the year in full ([Y]), or in two digits ([Y01])`;
    expect(await map(`$fromMillis(n, ${JSON.stringify(picture)})`, { n })).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it.each([
    ['[Y01]', '24'],
    ['[Y,*-2]', '24'],
    ['[Y0001]-[M01]-[D01]', '2024-01-05'],
    ['[Y000001]', '002024'],
    ['[YI]', 'MMXXIV'],
    ['[[Y]]', '[Y]'],
  ])('with %s, a year written as the picture says is kept', async (picture, want) => {
    expect(await map(`$fromMillis(n, ${JSON.stringify(picture)})`, { n: Date.UTC(2024, 0, 5) })).toEqual({ values: { c: want }, errors: [] });
  });

  it('formats the instants it can', async () => {
    expect((await map('$fromMillis(n)', { n: Date.UTC(9999, 11, 31, 23, 59, 59, 999) })).values).toEqual({ c: '9999-12-31T23:59:59.999Z' });
    expect((await map('$fromMillis(n)', { n: Date.parse('0000-01-01T00:00:00Z') })).values).toEqual({ c: '0000-01-01T00:00:00.000Z' });
    expect((await map('$fromMillis(n, "[Y]")', { n: Date.UTC(12345, 0, 1) })).values).toEqual({ c: '12345' });
    expect((await map('$now("[Y]")')).values).toEqual({ c: '2026' });
  });
});
