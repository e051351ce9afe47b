import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';
import { DEFAULT_LIMITS } from '../../../src/mapping/budget.js';

/**
 * Compiled code read the clock only every 1,024 steps, and a step is a call or an item, not what
 * a built-in does in one call: `[1..100].$substring($s, 1)` on a 60 MB string ran 70 s where the
 * time limit is 2 s, a list of `$length(s)` (no step at all) as long as it was written, and `$sort`
 * of 16 million items 17 s compiled and longer interpreted, in one call. Each now stops at the
 * time limit, within one call of it, compiled and interpreted alike: here, a run under a 50 ms
 * limit takes a fraction of the same run under a limit it never reaches (timed side by side, so
 * that a loaded machine slows both).
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const s = 'a'.repeat(8_000_000);
const t = 'ab'.repeat(1_000_000);
const record = { s, t, email: 'a@x.io' };
/** An array of 2 million items, made in the expression (a record holding one makes its reject slow to write). */
const long = (body: string) => `($a := $split(t, ""); ${body})`;

const slow: [string, string][] = [
  ['a loop of built-in calls on a long string', '$count([1..300].$substring($$.s, 1))'],
  ['a loop of lambda calls on a long string', '$count($map([1..300], function($i){ $length($$.s) }))'],
  ['a written list of calls on a long string', `$count([${Array(300).fill('$length(s)').join(', ')}])`],
  ['$sort of a long array', long('$count($sort($a))')],
];

/**
 * The interpreter starts a list's items side by side: each call's arguments are checked against
 * its signature (an array item by item) before any of them runs, so these it does not cut short.
 */
const slowCompiled: [string, string][] = [
  ['a written list of calls on a long array', long(`$count([${Array(60).fill('$count($distinct($a))').join(', ')}])`)],
  ['a written list of `in` over a long array', long(`$count([${Array(1000).fill('("z" in $a)').join(', ')}])`)],
  ['an order-by of a long array', long('$count($a^($))')],
];

async function timed(expr: string, timeMs: number, interpretOnly: boolean) {
  const mapper = createMapper({ email: 'email', slow: expr }, ctx, { ...DEFAULT_LIMITS, timeMs }, { interpretOnly });
  const start = performance.now();
  const out = await mapper.map(record);
  return { out, ms: performance.now() - start };
}

describe('the time limit, against work no step counts', () => {
  for (const interpretOnly of [false, true]) {
    const mode = interpretOnly ? 'interpreted' : 'compiled';
    it.each(interpretOnly ? slow : [...slow, ...slowCompiled])(`${mode}: %s stops at the time limit`, { timeout: 120_000 }, async (_name, expr) => {
      const full = await timed(expr, 600_000, interpretOnly);
      expect(full.out.errors).toEqual([]);
      const cut = await timed(expr, 50, interpretOnly);
      expect(cut.out.values).toEqual({ email: 'a@x.io' });
      expect(cut.out.errors).toEqual([
        { code: 'MAPPING_ERROR', path: 'slow', message: 'column slow: evaluation stopped after more than 50 ms (the time limit per record)' },
      ]);
      expect(cut.ms).toBeLessThan(full.ms / 3);
    });
  }
});
