import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * A value that holds one object by reference many times (`{"a": $x, "b": $x}` folded 60 times) is
 * small to build, a few dozen steps, but 2^60 values to walk. `=`, `!=` and `$distinct` walked it
 * with no clock and ran without end, compiled and interpreted; compiled `**` pushed until V8 aborted
 * the whole process ("Fatal JavaScript invalid size error"), taking the job and its report with it.
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };
const limits = { steps: 100_000, depth: 2_000, timeMs: 300, output: 1024 * 1024 };

const shared = (name: string) => `$${name} := $reduce([1..60], function($a, $b){{"a": $a, "b": [$a]}}, 1)`;

describe('compiled code walking a value shared many times stays within the budgets', { timeout: 30_000 }, () => {
  it.each([
    [`(${shared('x')}; ${shared('y')}; $x = $y)`, /^column c: evaluation stopped: = would make at least \d+ characters or items, more than the output limit/],
    [`(${shared('x')}; ${shared('y')}; $y != $x)`, /^column c: evaluation stopped: != would make at least \d+ characters or items, more than the output limit/],
    [
      `(${shared('x')}; $count($distinct([1, $x])))`,
      /^column c: evaluation stopped: \$distinct would make at least \d+ characters or items, more than the output limit/,
    ],
  ])('%s is refused, compiled and interpreted alike', async (expr, message) => {
    const mapper = createMapper({ c: expr }, ctx, limits);
    expect(mapper.plan.compiled).toEqual(['c']);
    const started = Date.now();
    const result = await mapper.map({});
    expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(message) as unknown }] });
    expect(await createMapper({ c: expr }, ctx, limits, { interpretOnly: true }).map({})).toEqual(result);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('** stops at the sequence limit or the clock, where compiled code aborted the process', async () => {
    const mapper = createMapper({ c: `(${shared('x')}; $count($x.**))` }, ctx, limits);
    expect(mapper.plan.compiled).toEqual(['c']);
    const result = await mapper.map({});
    expect(result.errors).toEqual([
      {
        code: 'MAPPING_ERROR',
        path: 'c',
        message: expect.stringMatching(/time limit per record|D2015: The maximum sequence length of 16777216 was exceeded/) as unknown,
      },
    ]);
  });

  const nested = '$x := $reduce([1..60], function($a, $b){[$a, [$a]]}, [{"k": 1}])';
  it.each([`(${nested}; $count($x.k))`, `(${nested}; $count($lookup($x, "k")))`, `(${nested}; $count($spread($x)))`])(
    '%s: compiled code reads the clock as it looks through nested arrays',
    async (expr) => {
      const mapper = createMapper({ c: expr }, ctx, limits);
      expect(mapper.plan.compiled).toEqual(['c']);
      const result = await mapper.map({});
      expect(result).toEqual({
        values: {},
        errors: [{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(/time limit per record/) as unknown }],
      });
    },
  );

  // jsonata's `*` pushed 2^60 values until V8 aborted the process; its `**` ran seconds past the time limit
  it.each([
    [`(${nested}; $count($lookup($x, "k")))`, '$lookup'],
    [`(${nested}; $count($spread($x)))`, '$spread'],
    [`($x := {"a": ${nested.slice('$x := '.length)}}; $count($x.*))`, '*'],
    [`(${shared('x')}; $count($x.**))`, '**'],
  ])('%s: the interpreter refuses %s before it starts', async (expr, refused) => {
    const result = await createMapper({ c: expr }, ctx, limits, { interpretOnly: true }).map({});
    expect(result).toEqual({
      values: {},
      errors: [
        {
          code: 'MAPPING_ERROR',
          path: 'c',
          message: `column c: evaluation stopped: ${refused} would look through more than 16777216 values (a value holding one array or object by reference many times?)`,
        },
      ],
    });
  });

  it('still compares and walks ordinary values', async () => {
    const expr =
      '[{"a": [1, {"b": 2}]} = {"a": [1, {"b": 2}]}, {"a": 1} = {"a": 2}, $count($distinct([{"k": [1]}, {"k": [1]}, {"k": [2]}])), $count($.**), $lookup([[{"k": 1}], [[{"k": 2}]]], "k"), $count($spread([[{"a": 1, "b": 2}], {"c": 3}])), $count(p.*), $count([[[{"k": 1}]], [{"k": 2}]].k), $count($map([{"k": 1}, {"k": 2}], $lookup(?, "k")))]';
    const record = { p: { q: [1, 2, { r: 3 }] } };
    const compiled = await createMapper({ c: expr }, ctx, limits).map(record);
    expect(compiled).toEqual({ values: { c: [true, false, 2, 6, 1, 2, 3, 3, 2, 2] }, errors: [] });
    expect(await createMapper({ c: expr }, ctx, limits, { interpretOnly: true }).map(record)).toEqual(compiled);
  });
});
