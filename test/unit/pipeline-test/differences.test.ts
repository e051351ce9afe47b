import { describe, expect, it } from 'vitest';
import { differences } from '../../../src/pipeline-test/run-cases.js';

describe('ferry test: differences of an expected row', () => {
  const written = { values: { email: 'a@b.co' }, errors: [] };

  it('an expected key named like an Object.prototype member is a column the row lacks, not a match', () => {
    // Object.fromEntries makes `__proto__` an own key, as the test file's YAML does.
    const row = Object.fromEntries([
      ['email', 'a@b.co'],
      ['__proto__', {}],
      ['constructor', {}],
    ]) as Record<string, unknown>;
    expect(differences({ row }, written)).toEqual([
      '__proto__: expected {}, got nothing (the column is not written)',
      'constructor: expected {}, got nothing (the column is not written)',
    ]);
  });

  it('still passes an exact row', () => {
    expect(differences({ row: { email: 'a@b.co' } }, written)).toEqual([]);
  });

  it('shows an expected .nan or .inf as such, not as JSON null', () => {
    expect(differences({ row: { email: 'a@b.co', name: Number.NaN } }, written)).toEqual(['name: expected NaN, got nothing (the column is not written)']);
    expect(differences({ row: { email: -Infinity } }, written)).toEqual(['email: expected -Infinity, got "a@b.co"']);
  });

  it("says a record's errors in one order whatever order the mapping found them in", () => {
    const a = { code: 'MAPPING_ERROR' as const, path: 'nickname', message: 'boom' };
    const b = { code: 'MAPPING_ERROR' as const, path: 'name', message: 'loop' };
    const c = { code: 'REQUIRED' as const, path: 'email', message: 'email is required' };
    for (const expect_ of [{ row: { email: 'a@b.co' } }, { rejects: [{ code: 'FORMAT', path: 'email' }] }]) {
      const once = differences(expect_, { values: {}, errors: [a, b, c] });
      expect(differences(expect_, { values: {}, errors: [c, b, a] })).toEqual(once);
      expect(differences(expect_, { values: {}, errors: [b, a, c] })).toEqual(once);
    }
    expect(differences({ row: {} }, { values: {}, errors: [a, b] })).toEqual([
      'expected the row, got a reject: MAPPING_ERROR name: loop; MAPPING_ERROR nickname: boom',
    ]);
  });
});
