import { describe, it, expect } from 'vitest';
import { reservedAppMetadataKeys } from '../../../src/validation/metadata.js';
import { checkWellFormed } from '../../../src/validation/well-formed.js';
import type { RejectError } from '../../../src/validation/reject.js';
import { codesOf, errorsOf, user } from './fixtures.js';

describe('app_metadata', () => {
  it('accepts any JSON values under ordinary keys', () => {
    const app_metadata = { roles: ['admin'], plan: 'premium', n: 1, on: true, none: null, deep: { a: [{ b: 1 }] } };
    expect(codesOf(user({ app_metadata }))).toEqual([]);
  });

  it('has the 18 documented reserved keys', () => {
    expect(reservedAppMetadataKeys.size).toBe(18);
  });

  it.each([...reservedAppMetadataKeys])('rejects the reserved key %s', (key) => {
    const errors = errorsOf(user({ app_metadata: { [key]: 'x' } }));
    expect(errors).toEqual([{ code: 'FORMAT', path: `app_metadata.${key}`, message: `reserved app_metadata key "${key}"` }]);
  });

  it('matches reserved keys exactly (case-sensitive, top level only)', () => {
    expect(codesOf(user({ app_metadata: { Email: 'x', logins_count: 1, profile: { email: 'x', user_id: 1 } } }))).toEqual([]);
  });

  it('allows the reserved names in user_metadata', () => {
    expect(codesOf(user({ user_metadata: { email: 'x', blocked: true } }))).toEqual([]);
  });
});

describe('metadata field names', () => {
  it.each(['app_metadata', 'user_metadata'])('%s keys may not contain . or $ at any depth', (field) => {
    const value = { 'a.b': 1, $set: 2, ok: { x$y: 3, list: [{ 'p.q': 4 }, 'z'] } };
    expect(codesOf(user({ [field]: value }))).toEqual([
      ['FORMAT', `${field}.a.b`],
      ['FORMAT', `${field}.$set`],
      ['FORMAT', `${field}.ok.x$y`],
      ['FORMAT', `${field}.ok.list[0].p.q`],
    ]);
  });

  it('allows . and $ in values', () => {
    expect(codesOf(user({ user_metadata: { site: 'example.com', price: '$5' } }))).toEqual([]);
  });

  it.each([65, 200, 999])('finds a bad key %i levels deep, where nothing else would reject the record', (levels) => {
    let deep: Record<string, unknown> = { 'a.b': 1 };
    for (let i = 0; i < levels; i++) deep = { n: deep };
    const wellFormed: RejectError[] = [];
    checkWellFormed(wellFormed, { email: 'someone@example.com', user_metadata: deep });
    expect(wellFormed).toEqual([]);
    expect(codesOf(user({ user_metadata: deep }))).toEqual([['FORMAT', `user_metadata${'.n'.repeat(levels)}.a.b`]]);
  });

  it('finds a bad key under deeply nested arrays', () => {
    let deep: unknown = { ok: 1, x$y: 2 };
    for (let i = 0; i < 300; i++) deep = [1, deep];
    expect(codesOf(user({ app_metadata: { list: deep } }))).toEqual([['FORMAT', `app_metadata.list${'[1]'.repeat(300)}.x$y`]]);
  });

  it('reports bad keys in document order, a nested one before a later sibling', () => {
    expect(codesOf(user({ user_metadata: { ok: { x$y: 1 }, 'a.b': 2 } }))).toEqual([
      ['FORMAT', 'user_metadata.ok.x$y'],
      ['FORMAT', 'user_metadata.a.b'],
    ]);
  });

  it('survives hostile nesting', () => {
    let deep: Record<string, unknown> = { 'a.b': 1 };
    for (let i = 0; i < 10_000; i++) deep = { n: deep };
    expect(() => errorsOf(user({ user_metadata: deep }))).not.toThrow();
  });
});

describe('metadata given as a string', () => {
  it('says a string that is not valid JSON is not JSON, and where (a CSV cell {a:1} said only "got string")', () => {
    expect(errorsOf(user({ user_metadata: '{a:1}' }))).toEqual([
      {
        code: 'OBJECT_REQUIRED',
        path: 'user_metadata',
        message:
          'expected an object, got a string that is not valid JSON (at character 2): JSON text (a CSV cell\'s too) needs quoted names and strings, e.g. {"plan":"pro"}',
      },
    ]);
  });

  it('says a string holding JSON text is text, and how to read it', () => {
    expect(errorsOf(user({ app_metadata: '{"a":1}' }))[0]?.message).toBe(
      'expected an object, got a string holding JSON text (a CSV cell mapped by columns: stays text): map it with $eval(…) to read its JSON',
    );
  });

  it('says a plain string is a string', () => {
    expect(errorsOf(user({ user_metadata: 'pro' }))[0]?.message).toBe('expected an object, got string');
  });
});
