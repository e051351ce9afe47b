import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * `$max` and `$min` answer as jsonata does, compiled and interpreted, for arrays of any length:
 * both passed the array to Math.max as arguments, so a source array of 300,000 numbers overflowed
 * the stack and a valid record became a MAPPING_ERROR "Maximum call stack size exceeded".
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };

async function bothPaths(expr: string, record: Record<string, unknown> = {}) {
  const compiled = await createMapper({ c: expr }, ctx).map(record);
  const interpreted = await createMapper({ c: expr }, ctx, undefined, { interpretOnly: true }).map(record);
  return { compiled, interpreted };
}

describe('$max and $min', () => {
  it.each([
    '$max([3, -1.5, 7, 0])',
    '$min([3, -1.5, 7, 0])',
    '$max([-0, 0])',
    '$min([0, -0])',
    '$max([])',
    '$min(5)',
    '$max(nothing)',
    '$string($min([0, -0]))',
  ])('%s answers as jsonata, compiled and interpreted', async (expr) => {
    const expected = (await jsonata(expr).evaluate({})) as unknown;
    const { compiled, interpreted } = await bothPaths(expr);
    expect(compiled.errors).toEqual([]);
    expect(compiled.values['c']).toEqual(expected);
    expect(Object.is(compiled.values['c'], expected)).toBe(true);
    expect(interpreted).toEqual(compiled);
  });

  it.each([
    ['$max(values)', 299_999],
    ['$min(values)', 0],
  ])('%s of a 300,000-item source array is %d, compiled and interpreted', async (expr, expected) => {
    const values = Array.from({ length: 300_000 }, (_, i) => i);
    const { compiled, interpreted } = await bothPaths(expr, { values });
    expect(compiled.errors).toEqual([]);
    expect(compiled.values['c']).toBe(expected);
    expect(interpreted).toEqual(compiled);
  });
});
