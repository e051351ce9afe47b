import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * `$distinct` keeps what jsonata keeps, in the same order, compiled and interpreted, in time linear
 * in its input: jsonata's own compares each item with every one kept, and 90,000 distinct values
 * held one record for minutes with no budget check inside the call.
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };

async function bothPaths(expr: string) {
  const compiled = await createMapper({ c: expr }, ctx).map({});
  const interpreted = await createMapper({ c: expr }, ctx, undefined, { interpretOnly: true }).map({});
  return { compiled, interpreted };
}

describe('$distinct', () => {
  it.each([
    '$distinct([1, "1", 1, null, null, true, true, false, "", ""])',
    '$distinct([{"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1}, {"a": "1"}, [1, 2], [1, 2], [2, 1], [], [], {}])',
    '$distinct([{"a": [1, {"b": null}]}, {"a": [1, {"b": null}]}, {"a": [1, {"b": false}]}, "{\\"a\\":1}", {"a": 1}])',
    '$distinct([-0, 0, 1.5, 1.50, 3])',
    '$distinct(["x"])',
    '$distinct([])',
  ])('%s keeps what jsonata keeps, compiled and interpreted', async (expr) => {
    const expected = (await jsonata(expr).evaluate({})) as unknown;
    const { compiled, interpreted } = await bothPaths(expr);
    expect(compiled.errors).toEqual([]);
    expect(compiled.values['c']).toEqual(expected);
    expect(interpreted).toEqual(compiled);
  });

  it('of 90,000 distinct values ends within the per-record budget, compiled and interpreted', { timeout: 30_000 }, async () => {
    const { compiled, interpreted } = await bothPaths('$count($distinct($split($string([1..90000]), ",")))');
    expect(compiled.errors).toEqual([]);
    expect(compiled.values['c']).toBe(90_000);
    expect(interpreted).toEqual(compiled);
  });
});
