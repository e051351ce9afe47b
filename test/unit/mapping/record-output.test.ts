import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/mapping/budget.js';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * The output limit holds for a record's mapped values together, not only for each column: every
 * one of 40 columns making 60 million characters was within its own limit, and the record (2.4
 * billion characters) ran the job out of heap. The columns past the limit, in the mapping's order,
 * are rejected, the same compiled and interpreted.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const limits = { ...DEFAULT_LIMITS, output: 1000 };
const message = (column: string) =>
  `column ${column}: evaluation stopped: with this column the record's mapped values would pass 1000 characters and array items (the output limit per record, for all its columns together)`;

describe.each([{ interpretOnly: false }, { interpretOnly: true }])('the output limit per record (interpretOnly: $interpretOnly)', (path) => {
  it('rejects the columns that would take the record past it, in order', async () => {
    const columns = { a: '$pad("", 400, "a")', b: '$pad("", 400, "b")', c: '$pad("", 400, "c")', d: '"small"', e: '{"k": [1..300]}' };
    const mapper = createMapper(columns, ctx, limits, path);
    const result = await mapper.map({});
    expect(Object.keys(result.values)).toEqual(['a', 'b', 'd']);
    expect(result.errors).toEqual([
      { code: 'MAPPING_ERROR', path: 'c', message: message('c') },
      { code: 'MAPPING_ERROR', path: 'e', message: message('e') },
    ]);
  });

  it('counts copies of the source as well as what functions make', async () => {
    const mapper = createMapper({ x: 's', y: 's', z: 's' }, ctx, limits, path);
    const result = await mapper.map({ s: 'q'.repeat(400) });
    expect(Object.keys(result.values)).toEqual(['x', 'y']);
    expect(result.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'z', message: message('z') }]);
  });

  it('leaves a record within it alone', async () => {
    const mapper = createMapper({ a: '$pad("", 400, "a")', b: 'n' }, ctx, limits, path);
    expect(await mapper.map({ n: 5 })).toEqual({ values: { a: 'a'.repeat(400), b: 5 }, errors: [] });
  });
});
