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

  it("with a value of the wrong type, says so instead of only JavaScript's TypeError", async () => {
    const result = await createMapper({ c: '($f := $trim(?); $f(a))' }, ctx).map({ a: [1, 2] });
    expect(result.errors).toEqual([
      {
        code: 'MAPPING_ERROR',
        path: 'c',
        message:
          'column c: a built-in function was given a value of a type it does not take (str.replace is not a function): a partial application such as $trim(?) does not check its arguments',
      },
    ]);
  });
});
