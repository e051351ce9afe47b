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
});
