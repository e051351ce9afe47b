import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * Built-ins that escaped the per-record budgets: work no step counted, super-linear inside one
 * call. Each case ends well within the budgets' time (or is stopped by them), compiled and
 * interpreted alike. Before: `$toMillis` backtracked exponentially (minutes on 50 characters),
 * jsonata's `$sort` ran the interpreter out of heap at 100,000 items, `$spread` and groupings took
 * 25 s (a copy per appended item), and compiled filters and groupings counted no steps (41 s).
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };

async function bothPaths(expr: string) {
  const compiled = await createMapper({ c: expr }, ctx).map({});
  const interpreted = await createMapper({ c: expr }, ctx, undefined, { interpretOnly: true }).map({});
  return { compiled, interpreted };
}

const ambiguousPicture = '[Y]1[M]1[D]1[H]1'.repeat(4);

describe('built-ins stay within the budgets', { timeout: 30_000 }, () => {
  it.each([
    [`$toMillis("${'1'.repeat(50)}x", "${ambiguousPicture}")`, undefined],
    ['$count($sort($split($pad("", 100000), "")))', 100_000],
    ['$count($spread($split($pad("", 200000), "")))', 200_000],
  ])('%s', async (expr, expected) => {
    const { compiled, interpreted } = await bothPaths(expr);
    expect(interpreted).toEqual(compiled);
    if (expected !== undefined) expect(compiled).toEqual({ values: { c: expected }, errors: [] });
  });

  it.each([
    '$split($pad("", 200000), ""){"k": $count($)}',
    '$split($pad("", 200000), ""){$: $count($)}',
    '($a := $split($pad("", 200000), ""); $count($a[($ & "z") in $a]))',
  ])('%s is stopped by the steps limit, compiled and interpreted', async (expr) => {
    const { compiled, interpreted } = await bothPaths(expr);
    expect(compiled.errors).toEqual([
      { code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(/steps limit per record|time limit per record/) as unknown },
    ]);
    expect(interpreted.errors).toEqual([
      { code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(/steps limit per record|time limit per record/) as unknown },
    ]);
  });

  it.each(['$formatNumber(1, $replace($pad("", 20000), " ", "#,") & "0")', '$formatInteger(1, $replace($pad("", 200000), " ", "#,") & "0")'])(
    '%s: a picture past 1,000 characters is refused before jsonata reads it',
    async (expr) => {
      const { compiled, interpreted } = await bothPaths(expr);
      expect(compiled.errors).toEqual([
        {
          code: 'MAPPING_ERROR',
          path: 'c',
          message: expect.stringMatching(
            /^column c: evaluation stopped: the picture of \$format(Number|Integer) has \d+ characters, more than 1000$/,
          ) as unknown,
        },
      ]);
      expect(interpreted).toEqual(compiled);
    },
  );

  it.each([
    ['$toMillis("2024-01-02", "[Y0001]-[M01]-[D01]")'],
    ['$toMillis("2024-01-02T10:11:12", "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]")'],
    ['$toMillis("12 March 2024", "[D1] [MNn] [Y0001]")'],
    ['$sort([3, 1, 2])'],
    ['$sort(["b", "a", "c"])'],
    ['$spread([{"a": 1, "b": 2}, {"c": 3}, [{"d": 4}]])'],
    ['[{"g": "x", "v": 1}, {"g": "y", "v": 2}, {"g": "x", "v": 3}]{g: $sum(v)}'],
    ['[{"v": 1}, {"v": 2}]{"all": v}'],
    ['{"a": [1, 2], "b": 3, "c": [4]}.*'],
  ])('%s gives what jsonata gives', async (expr) => {
    // As JSON: jsonata's arrays carry its sequence flags, which a mapped value does not keep.
    const expected = JSON.stringify(await jsonata(expr).evaluate({}));
    const { compiled, interpreted } = await bothPaths(expr);
    expect(compiled.errors).toEqual([]);
    expect(JSON.stringify(compiled.values['c'])).toBe(expected);
    expect(interpreted.errors).toEqual([]);
    expect(JSON.stringify(interpreted.values['c'])).toBe(expected);
  });
});
