import { describe, expect, it } from 'vitest';
import type { RejectError } from '../../../src/validation/reject.js';
import { MAX_DEPTH, checkWellFormed, isUnder } from '../../../src/validation/well-formed.js';

/**
 * Values a store cannot keep as they are: a lone surrogate (no UTF-8 form: SQLite stored the bytes
 * ED A0 80, PostgreSQL U+FFFD) and a number JSON cannot write (1e400 parses as Infinity, stored as
 * null). Each is a FORMAT reject at its path, at any depth, in values and field names.
 */
const check = (values: Record<string, unknown>): RejectError[] => {
  const errors: RejectError[] = [];
  checkWellFormed(errors, values);
  return errors;
};

const surrogate = (unit: string): string => `contains a lone surrogate (U+${unit}), which is not valid Unicode`;
const tooBig = 'number out of range (above 1.7976931348623157e+308, beyond what a double can hold)';
const tooSmall = 'number out of range (below -1.7976931348623157e+308, beyond what a double can hold)';

describe('checkWellFormed', () => {
  it('accepts ordinary records, surrogate pairs (emoji) and every JSON type', () => {
    expect(check({ email: 'a@x.io', name: 'Zoë 😀', n: 1.5, max: Number.MAX_VALUE, b: true, nothing: null })).toEqual([]);
    expect(check({ user_metadata: { '😀': ['𝄞', { deep: [1, 2, { x: 'ok' }] }], empty: {}, list: [] } })).toEqual([]);
  });

  it('rejects a lone surrogate in a top-level string, high or low', () => {
    expect(check({ email: 'b@x.io', name: 'B\ud800' })).toEqual([{ code: 'FORMAT', path: 'name', message: surrogate('D800') }]);
    expect(check({ name: '\udc00B' })).toEqual([{ code: 'FORMAT', path: 'name', message: surrogate('DC00') }]);
    // a pair in the wrong order is two lone halves
    expect(check({ name: '\ude00\ud83d' })).toEqual([{ code: 'FORMAT', path: 'name', message: surrogate('DE00') }]);
  });

  it('finds lone surrogates inside objects and arrays, and in field names', () => {
    const values = { user_metadata: { tags: ['ok', 'x\udbff'], nested: { a: { b: '\ud800' } } }, app_metadata: { 'k\ud800': 1 } };
    expect(check(values)).toEqual([
      { code: 'FORMAT', path: 'user_metadata.tags[1]', message: surrogate('DBFF') },
      { code: 'FORMAT', path: 'user_metadata.nested.a.b', message: surrogate('D800') },
      // the path spells the bad unit out, so the reject itself stays valid text
      { code: 'FORMAT', path: 'app_metadata.k\\ud800', message: `field name ${surrogate('D800')}` },
    ]);
  });

  it('rejects numbers beyond a double, at any depth, and NaN', () => {
    const values = { logins_count: Infinity, user_metadata: { big: JSON.parse('1e400') as number, neg: -Infinity, list: [1, NaN] } };
    expect(check(values)).toEqual([
      { code: 'FORMAT', path: 'logins_count', message: tooBig },
      { code: 'FORMAT', path: 'user_metadata.big', message: tooBig },
      { code: 'FORMAT', path: 'user_metadata.neg', message: tooSmall },
      { code: 'FORMAT', path: 'user_metadata.list[1]', message: 'is not a number (NaN), which JSON cannot hold' },
    ]);
  });

  it('rejects nesting deeper than MAX_DEPTH, at the level past it, and accepts MAX_DEPTH levels', () => {
    const nest = (levels: number): unknown => {
      let v: unknown = 'leaf';
      for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
      return v;
    };
    expect(check({ m: nest(MAX_DEPTH) })).toEqual([]);
    const errors = check({ m: nest(MAX_DEPTH + 1) });
    expect(errors).toEqual([
      { code: 'FORMAT', path: expect.stringMatching(/^m(\.a|\[0\])+$/) as unknown, message: `nested more than ${MAX_DEPTH} levels deep` },
    ]);
    expect(check({ m: nest(100_000) })).toHaveLength(1); // no stack overflow either way
  });

  it('lists at most 20 problems, then how many more', () => {
    const errors = check({ list: Array.from({ length: 50 }, () => Infinity) });
    expect(errors).toHaveLength(21);
    expect(errors[19]!.path).toBe('list[19]');
    expect(errors[20]).toEqual({ code: 'FORMAT', path: '', message: 'and 30 more malformed value(s) or field name(s)' });
  });

  it('keeps a __proto__ field a field, and leaves non-JSON objects to the writer', () => {
    expect(check(JSON.parse('{"__proto__": {"x": "\\ud800"}}') as Record<string, unknown>)).toEqual([
      { code: 'FORMAT', path: '__proto__.x', message: surrogate('D800') },
    ]);
    // a JSONata lambda's environment loops back on itself: not walked (the writer rejects it)
    const lambda: Record<string, unknown> = { _jsonata_lambda: true, body: 'x\ud800' };
    lambda['environment'] = { self: lambda, again: lambda };
    expect(check({ f: lambda, when: new Date(0), blob: Buffer.from([0xff]) })).toEqual([]);
  });
});

describe('isUnder', () => {
  it('is true for the same path and paths inside it, not for a sibling sharing a prefix', () => {
    const reported = new Set(['user_metadata']);
    expect(isUnder('user_metadata', reported)).toBe(true);
    expect(isUnder('user_metadata.a', reported)).toBe(true);
    expect(isUnder('user_metadata[0]', reported)).toBe(true);
    expect(isUnder('user_metadata_x', reported)).toBe(false);
    expect(isUnder('email', reported)).toBe(false);
    expect(isUnder('user', reported)).toBe(false);
  });
});
