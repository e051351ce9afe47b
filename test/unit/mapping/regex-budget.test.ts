import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/mapping/budget.js';
import { checkExpression } from '../../../src/mapping/expression.js';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * A regex search takes time linear in the text but times the pattern, in one call no budget could
 * interrupt: 5,000 alternatives on 8,000 characters held a record for 12 s, and compiling the
 * pattern alone took 1 s, again for every record. Now a literal too large to compile quickly is a
 * validate error, one search that could take more than about 1 s refuses before it starts, the
 * compiled program is kept, and a loop of searches stops at the time limit.
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };

function alternatives(longest: number): string {
  let pattern = '';
  for (let i = 0; ; i++) {
    const next = `${pattern}${pattern ? '|' : ''}a{1,3}${i}`;
    if (next.length > longest) return pattern;
    pattern = next;
  }
}

async function bothPaths(expr: string, record: Record<string, unknown>, limits = DEFAULT_LIMITS) {
  const start = performance.now();
  const compiled = await createMapper({ c: expr }, ctx, limits).map(record);
  const interpreted = await createMapper({ c: expr }, ctx, limits, { interpretOnly: true }).map(record);
  return { compiled, interpreted, ms: performance.now() - start };
}

describe('regex work', () => {
  it('refuses at validate a literal too long or too large to compile quickly', () => {
    const long = checkExpression(`$match(x, /${alternatives(60_000)}/)`);
    expect(long).toMatchObject({
      code: 'S0302',
      offset: 10,
      message: expect.stringMatching(/too large for the regex engine: it has \d+ characters, more than 4096/),
    });
    const copies = checkExpression(`$match(x, /${'.{1,999}'.repeat(30)}/)`);
    expect(copies).toMatchObject({ code: 'S0302', message: expect.stringMatching(/about \d+ instructions, more than 20000/) });
    expect(checkExpression('$match(x, /^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$/i)')).toBeUndefined();
    expect(checkExpression(`$match(x, /${alternatives(4000)}/)`)).toBeUndefined();
  });

  it('refuses one search that would take too long, before it starts', async () => {
    const { compiled, interpreted, ms } = await bothPaths(`$count($match(t, /${alternatives(4000)}/))`, { t: 'a'.repeat(40_000) });
    const message = expect.stringMatching(
      /^column c: evaluation stopped: the regex "\/a\{1,3\}0\|.*…\/" \(\d+ instructions\) searching 40000 characters is more work than one search may take/,
    );
    expect(compiled).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
    expect(interpreted).toEqual(compiled);
    expect(ms).toBeLessThan(3_000);
  });

  it('stops a long loop of searches at the time limit', async () => {
    const limits = { ...DEFAULT_LIMITS, timeMs: 200 };
    const { compiled, interpreted, ms } = await bothPaths('$count($split(commas, /,/))', { commas: ','.repeat(5_000_000) }, limits);
    const stopped = {
      values: {},
      errors: [{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(/more than 200 ms \(the time limit per record\)/) }],
    };
    expect(compiled).toEqual(stopped);
    expect(interpreted).toEqual(stopped);
    expect(ms).toBeLessThan(3_000);
  });

  it('refuses a pattern too large that $eval builds from a record', async () => {
    const { compiled, interpreted } = await bothPaths('$eval(expr)', { expr: `$match("aaa", /${'.{1,999}'.repeat(30)}/)` });
    expect(compiled.errors[0]?.message).toMatch(/too large for the regex engine: it would compile to about \d+ instructions/);
    expect(interpreted).toEqual(compiled);
  });

  it('leaves real patterns on long texts alone', async () => {
    const { compiled, interpreted } = await bothPaths('$length($replace(text, /\\s+/, "_"))', { text: 'word  '.repeat(100_000) });
    expect(compiled).toEqual({ values: { c: 500_000 }, errors: [] });
    expect(interpreted).toEqual(compiled);
  });
});
