import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';
import { checkStorable } from '../../../src/mapping/storable.js';

/*
 * A column's value is stored as JSON. A function is not JSON: a lambda carries the record and its
 * whole evaluation environment in a cycle (a file export failed its whole batch on it), a built-in
 * was stored as {"_jsonata_function":true,…}. Compiled and interpreted, the record is rejected at
 * the column with the same message, and the other columns are still mapped.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const message = (column: string) =>
  `column ${column}: the value is or holds a function (a lambda, a built-in such as $string, or a regex), which no column can store: call it, or leave it out`;

const functions = [
  'function($x){$x}',
  '{"f": function($x){$x}}',
  '[1, {"g": [function(){1}]}]',
  '$string',
  '{"g": $string}',
  '/abc/',
  '{"r": /abc/}',
  '$map([1], function($x){ function($y){$y} })',
  '( $f := function($x){$x}; {"k": $f} )',
  '$merge([{"a": function(){1}}])',
  '{"p": $substring(?, 1)}',
];

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('function values (interpretOnly: $interpretOnly)', (path) => {
  it.each(functions)('%s rejects the record at its column', async (expr) => {
    const mapper = createMapper({ email: 'email', user_metadata: expr }, ctx, undefined, path);
    const result = await mapper.map({ email: 'a@example.com', password: 'hunter2' });
    expect(result.values).toEqual({ email: 'a@example.com' });
    expect(result.errors).toEqual([{ code: 'MAPPING_ERROR', message: message('user_metadata'), path: 'user_metadata' }]);
  });

  it('a JSON value with keys that look like a function marker is kept', async () => {
    const value = { _jsonata_lambda: true, _jsonata_function: true, environment: {}, nested: [{ a: 1 }, 'x', null] };
    const mapper = createMapper({ user_metadata: 'm', called: '(function($x){$x * 2})(n)' }, ctx, undefined, path);
    const result = await mapper.map({ m: value, n: 2 });
    expect(result).toEqual({ values: { user_metadata: value, called: 4 }, errors: [] });
  });
});

describe('checkStorable on its reused stack', () => {
  it('judges each value alone after a walk that stopped early (a function) or grew the stack wide', () => {
    const plain = { a: [1, { b: 'x' }], c: null };
    const infinite = { a: [1, { b: Number.POSITIVE_INFINITY }] };
    const withFunction = { a: [1, 2, 3, () => 1, { b: 4 }, 5] };
    expect(() => checkStorable(withFunction)).toThrow(/holds a function/);
    // The function stopped the walk with 1, 2, 3 left on the stack: they are not read again as part of the next value.
    expect(() => checkStorable(plain)).not.toThrow();
    expect(() => checkStorable(infinite)).toThrow(/not finite/);
    expect(() => checkStorable(Array.from({ length: 10_000 }, (_, i) => ({ i })))).not.toThrow();
    expect(() => checkStorable(plain)).not.toThrow();
    // A function found after a non-finite number wins, as it did: its message says what to do.
    expect(() => checkStorable([Number.NaN, () => 1])).toThrow(/holds a function/);
    expect(() => checkStorable([() => 1, Number.NaN])).toThrow(/holds a function/);
  });
});
