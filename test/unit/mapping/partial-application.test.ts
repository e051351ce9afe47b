import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * Partial application makes a lambda of a built-in's parameter names, read from its source. The
 * built-ins Ferry wraps (output limit, pictures, dates) read as `function (...args)`, and
 * `$map(names, $uppercase(?))` rejected every record with "S0202: Expected ")", got "..""; jsonata's
 * own `$string(?)` (`prettify = false`) with S0208. Partial application runs in the interpreter.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };

describe('partial application of built-ins', () => {
  it.each([
    ['$map(names, $uppercase(?))', ['ANN', 'BO']],
    ['$map(names, $pad(?, 4, "."))', ['ann.', 'bo..']],
    ['($f := $replace(?, "n", "N"); $f(first))', 'aNN'],
    ['($f := $split(?, "n"); $f(first))', ['a', '', '']],
    ['($f := $join(?, "+"); $f(names))', 'ann+bo'],
    ['($f := $formatNumber(?, "#,##0.0"); $f(n))', '1,234.5'],
    ['($f := $formatInteger(?, "w"); $f(3))', 'three'],
    ['($f := $parseInteger(?, "0"); $f("42"))', 42],
    ['($f := $fromMillis(?); $f(0))', '1970-01-01T00:00:00.000Z'],
    ['($f := $string(?); $f(o))', '{"x":1}'],
    ['($f := $lookup(?, "x"); $f(o))', 1],
    ['($f := $substring(?, 1); $f(first))', 'nn'],
  ])('%s works as in jsonata, compiled and interpreted', async (expr, want) => {
    const record = { names: ['ann', 'bo'], first: 'ann', n: 1234.5, o: { x: 1 } };
    for (const interpretOnly of [false, true]) {
      expect(await createMapper({ c: expr }, ctx, undefined, { interpretOnly }).map(record)).toEqual({ values: { c: want }, errors: [] });
    }
  });

  it('keeps the output limit', async () => {
    const result = await createMapper({ c: '($f := $pad(?, 1e9); $f(s))' }, ctx).map({ s: 'abc' });
    expect(result.errors[0]?.message).toMatch(/^column c: evaluation stopped: \$pad would make at least 999999997 characters/);
  });

  it.each([
    // jsonata's lambda of a partial application passed its arguments unchecked: [null], "3,1,2", ""
    ['($f := $reverse(?); $f(1))', '$reverse(1)'],
    ['($f := $decodeUrl(?); $f([3, 1, 2]))', '$decodeUrl([3, 1, 2])'],
    ['($f := $substring(?, 1); $f(["abc"]))', '$substring(["abc"], 1)'],
    ['($f := $trim(?); $f(a))', '$trim(a)'],
    ['($f := $sum(?); $f(["x"]))', '$sum(["x"])'],
    ['($f := $pad(?, 3); $f(1))', '$pad(1, 3)'],
    ['$map([[1, 2]], $uppercase(?))', '$uppercase([1, 2])'],
    // registered by the mapper on the job's clock and seed
    ['($f := $now(?); $f(1))', '$now(1)'],
    ['($f := $shuffle(?); $f(1))', '$shuffle(1)'],
  ])('%s checks its arguments as %s does, compiled and interpreted', async (partial, direct) => {
    const record = { a: [1, 2] };
    for (const interpretOnly of [false, true]) {
      const want = await createMapper({ c: direct }, ctx, undefined, { interpretOnly }).map(record);
      expect(await createMapper({ c: partial }, ctx, undefined, { interpretOnly }).map(record)).toEqual(want);
    }
    // the direct call's own result: a value ($reverse(1) is [1]) or jsonata's signature error
    const direct1 = await createMapper({ c: direct }, ctx).map(record);
    expect(direct1.values.c !== undefined || /^JSONata T041\d: Argument \d of function "\w+"/.test(direct1.errors[0]?.message ?? '')).toBe(true);
  });

  it('of $reverse writes what the direct call writes', async () => {
    expect(await createMapper({ c: '($f := $reverse(?); $f(1))' }, ctx).map({})).toEqual({ values: { c: [1] }, errors: [] });
  });
});
