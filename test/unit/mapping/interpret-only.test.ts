import { describe, expect, it } from 'vitest';
import { createMapper, createRuleChecker } from '../../../src/mapping/mapper.js';

const ctx = { id: 'j', pipeline: 'p', started_at: '2000-01-01T00:00:00.000Z' };

describe('interpretOnly (ferry test runs each case both ways)', () => {
  it('leaves every column to the interpreter, with the same answer as the compiled mapping', async () => {
    const columns = { email: '$lowercase(Email)', name: "First & ' ' & Last" };
    const compiled = createMapper(columns, ctx);
    const interpreted = createMapper(columns, ctx, undefined, { interpretOnly: true });
    expect(compiled.plan.compiled).toEqual(['email', 'name']);
    expect(interpreted.plan.compiled).toEqual([]);
    expect(interpreted.plan.interpreted.map((c) => c.column)).toEqual(['email', 'name']);
    const record = { Email: 'A@X.io', First: 'Ada', Last: 'L' };
    expect(await interpreted.map(record)).toEqual(await compiled.map(record));
  });

  it('checks rules in the interpreter too', async () => {
    const rules = [{ check: '$length(name) < 3', message: 'too long' }];
    const check = createRuleChecker(rules, ctx, undefined, { interpretOnly: true });
    expect(await check({ name: 'ab' })).toEqual([]);
    expect(await check({ name: 'abcd' })).toEqual([{ code: 'RULE', message: 'too long', path: '' }]);
  });

  it('passes a built-in only the interpreter has ($shuffle, $eval) as a value, as the interpreter does', async () => {
    // compiled code read `$shuffle` as a free variable, undefined: a T0410 reject where the
    // interpreter (and `ferry test`'s second run) shuffled
    const columns = { shuffled: '$map([[1,2,3,4,5,6,7,8]], $shuffle)', evaluated: '$map(["1+1"], $eval)' };
    const compiled = createMapper(columns, ctx);
    const interpreted = createMapper(columns, ctx, undefined, { interpretOnly: true });
    const record = { a: 1 };
    const out = await compiled.map(record);
    expect(out.errors).toEqual([]);
    expect(out.values['evaluated']).toBe(2);
    expect([...(out.values['shuffled'] as number[])].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(out).toEqual(await interpreted.map(record));
  });
});
