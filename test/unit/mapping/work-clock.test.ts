import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';
import { DEFAULT_LIMITS } from '../../../src/mapping/budget.js';

/**
 * Compiled code read the clock only every 1,024 steps, and a step is a call or an item, not what
 * a built-in does in one call: `[1..100].$substring($s, 1)` on a 60 MB string ran 70 s where the
 * time limit is 2 s, a list of `$length(s)` (no step at all) as long as it was written, and `$sort`
 * of 16 million items 17 s compiled and longer interpreted, in one call. Each now stops at the
 * time limit, within one call of it, compiled and interpreted alike.
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const limits = { ...DEFAULT_LIMITS, timeMs: 200 };
const s = 'a'.repeat(8_000_000);
const numbers = Array.from({ length: 8_000_000 }, (_v, i) => (i * 7919) % 8_000_001);
const record = { s, numbers, email: 'a@x.io' };

const slow: [string, string][] = [
  ['a loop of built-in calls on a long string', '$count([1..5000].$substring($$.s, 1))'],
  ['a loop of lambda calls on a long string', '$count($map([1..5000], function($i){ $length($$.s) }))'],
  ['a written list of calls on a long string', `[${Array(3000).fill('$length(s)').join(', ')}]`],
  ['a written list of calls on a long array', `[${Array(3000).fill('$sum(numbers)').join(', ')}]`],
  ['$sort of a long array', '$count($sort(numbers))'],
];

/** jsonata's own operators, which the interpreter runs where no hook sees them. */
const slowCompiled: [string, string][] = [
  ['a written list of `in` over a long array', `[${Array(3000).fill('(-1 in numbers)').join(', ')}]`],
  ['an order-by of a long array', '$count(numbers^($))'],
];

/** How long the mapper takes to reject this record for a column that fails at once: its other work on a record this large. */
async function rejectTime(interpretOnly: boolean): Promise<number> {
  const mapper = createMapper({ email: 'email', fails: '$error("no")' }, ctx, limits, { interpretOnly });
  const start = performance.now();
  await mapper.map(record);
  return performance.now() - start;
}

describe('the time limit, against work no step counts', () => {
  for (const interpretOnly of [false, true]) {
    const mode = interpretOnly ? 'interpreted' : 'compiled';
    it.each(interpretOnly ? slow : [...slow, ...slowCompiled])(`${mode}: %s stops at the time limit`, { timeout: 60_000 }, async (_name, expr) => {
      const baseline = await rejectTime(interpretOnly);
      const mapper = createMapper({ email: 'email', slow: expr }, ctx, limits, { interpretOnly });
      const start = performance.now();
      const out = await mapper.map(record);
      const elapsed = performance.now() - start;
      expect(out.values).toEqual({ email: 'a@x.io' });
      expect(out.errors).toEqual([
        { code: 'MAPPING_ERROR', path: 'slow', message: expect.stringMatching(/^column slow: evaluation stopped after more than/) as unknown },
      ]);
      // the limit (200 ms) and one call past it, beside what any reject of this record takes (with
      // room for a loaded machine: each ran for tens of seconds before)
      expect(elapsed - baseline).toBeLessThan(4_000);
    });
  }
});
