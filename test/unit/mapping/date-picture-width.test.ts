import { describe, expect, it } from 'vitest';
import { checkExpression } from '../../../src/mapping/expression.js';
import { mapBothPaths } from '../../helpers/mapping.js';

/*
 * A date picture's width modifier (after a marker's last comma) pads a number to its minimum, and a
 * year to its maximum too: `[Y9,999]` (read as a grouped year, it is presentation 9 and width 999)
 * wrote 995 zeros then 1970 as the column's value, and `[Y,1000000000]` failed with JavaScript's
 * "Invalid string length". A width past 20 is a MAPPING_ERROR, and a validate error when literal.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const refused = (marker: string, width: number) =>
  `column c: $fromMillis: [${marker}] asks for a width of ${width}, more than any date component needs (at most 20): the part after a marker's last comma is its width, [min-max]`;

describe('a date picture width', () => {
  it.each([
    ['$fromMillis(0, "[Y9,999]")', 'Y9,999', 999],
    ['$fromMillis(0, "[Y,*-999]")', 'Y,*-999', 999],
    ['$fromMillis(0, "[D,21]")', 'D,21', 21],
    ['$fromMillis(0, "[Y,1000000000]")', 'Y,1000000000', 1000000000],
    ['$fromMillis(0, "[Y" & ",999]")', 'Y,999', 999],
    ['$now("[H,99]")', 'H,99', 99],
  ])('%s is a MAPPING_ERROR', async (expr, marker, width) => {
    expect(await mapBothPaths(expr, ctx)).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message: refused(marker, width) }] });
  });

  it.each([
    ['$fromMillis(0, "[Y,20]")', '00000000000000001970'],
    ['$fromMillis(0, "[f,9]")', '000000000'],
    ['$fromMillis(0, "[MNn,*-999]")', 'January'],
    ['$fromMillis(0, "[MNn,3-3] [D,2]")', 'Jan 01'],
  ])('%s is written', async (expr, expected) => {
    expect((await mapBothPaths(expr, ctx)).values).toEqual({ c: expected });
  });

  it('a literal one is refused by validate', () => {
    expect(checkExpression('$fromMillis(x, "[Y9,999]")')).toEqual({
      offset: 15,
      code: 'FERRY_PICTURE',
      message: `$fromMillis: the picture "[Y9,999]" cannot be used: [Y9,999] asks for a width of 999, more than any date component needs (at most 20): the part after a marker's last comma is its width, [min-max]`,
    });
  });
});
