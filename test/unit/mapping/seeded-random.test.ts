import { describe, expect, it } from 'vitest';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * `$random()` and `$shuffle()` give a replayed batch the values its first attempt wrote: before,
 * they drew from Math.random, so a retried or resumed batch wrote other values than the first
 * attempt (and "skip unchanged" saw every such record as changed).
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };
const columns = {
  pair: '[$random(), $random()]',
  order: '$shuffle([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])',
  one: '$random()',
  mapped: '$map([1, 2, 3], function($v) { $floor($random() * 1000) })',
};
const records = [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }];

/** A fresh mapper each time, as a retry on another worker, or a resume in a new process, builds. */
async function mapAll(context = ctx, interpretOnly = false) {
  const mapper = createMapper(columns, context, undefined, { interpretOnly });
  const out = [];
  for (const record of records) out.push(await mapper.map(record));
  return out;
}

describe('$random and $shuffle', () => {
  it('give a replayed batch the same values, record by record', async () => {
    const first = await mapAll();
    expect(await mapAll()).toEqual(first);
    expect(await mapAll(ctx, true)).toEqual(first);
  });

  it('differ between records, calls, columns and jobs', async () => {
    const [a, b] = await mapAll();
    const pair = a!.values.pair as number[];
    expect(pair[0]).not.toBe(pair[1]);
    expect(pair[0]).not.toBe(a!.values.one);
    expect(a!.values.one).not.toBe(b!.values.one);
    expect(a!.values.order).not.toEqual(b!.values.order);
    const [other] = await mapAll({ ...ctx, id: 'job-2' });
    expect(other!.values.one).not.toBe(a!.values.one);
  });

  it('keep their ranges: [0, 1) and a permutation', async () => {
    const mapper = createMapper({ n: '[1..2000].$random()', s: '$shuffle([1..50])' }, ctx);
    const { values } = await mapper.map({});
    const numbers = values.n as number[];
    expect(numbers.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = numbers.reduce((sum, x) => sum + x, 0) / numbers.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect([...(values.s as number[])].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
