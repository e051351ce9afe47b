import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileExpression, createMapper, createRuleChecker, type MappingContext } from '../../../src/mapping/mapper.js';
import { checkExpression } from '../../../src/mapping/expression.js';
import { compileExpressionToFunction } from '../../../src/mapping/compiler/index.js';
import { runBudgeted, DEFAULT_LIMITS } from '../../../src/mapping/budget.js';

/**
 * Hostile expressions end fast, as a MAPPING_ERROR naming the column and the limit, and the other
 * columns of the record still map. Before the budget, the first ran forever at 100% CPU, the
 * second until V8's heap limit (exit 134), the regex 12.7 s for 29 characters.
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const record = { Name: `${'a'.repeat(40)}!`, Email: 'a@x.io' };

const hostile: [string, string, RegExp][] = [
  ['endless tail recursion', '($f := function($x){ $f($x+1) }; $f(0))', /steps limit per record/],
  ['endless deep recursion', '($f := function($x){ 1 + $f($x+1) }; $f(0))', /(depth|steps) limit per record/],
  ['nested huge ranges', '$count([1..10000000].([1..10000000]))', /steps limit per record/],
  ['a loop over a huge range', '$sum($map([1..10000000], function($v){ $v * 2 }))', /steps limit per record/],
  ['mutual recursion', '($a := function($x){ $b($x) }; $b := function($x){ $a($x) }; $a(1))', /(depth|steps) limit per record/],
];

describe('mapping budgets', () => {
  it.each(hostile)('%s ends fast as a MAPPING_ERROR naming the column and limit, the other columns still map', async (_name, expr, limit) => {
    const mapper = createMapper({ email: 'Email', hostile: expr }, ctx);
    const start = performance.now();
    const out = await mapper.map(record);
    expect(performance.now() - start).toBeLessThan(5_000);
    expect(out.values).toEqual({ email: 'a@x.io' });
    expect(out.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'hostile', message: expect.stringMatching(limit) as unknown }]);
    expect(out.errors[0]!.message).toMatch(/^column hostile: evaluation stopped after more than \d+/);
  });

  it.each(hostile)('the interpreter alone stops %s too', async (_name, expr, limit) => {
    const start = performance.now();
    await expect(compileExpression(expr, ctx).evaluate(record, { job: ctx })).rejects.toMatchObject({
      code: 'FERRY_BUDGET',
      message: expect.stringMatching(limit) as unknown,
    });
    expect(performance.now() - start).toBeLessThan(5_000);
  });

  it('compiled code alone counts its calls and range items', () => {
    const fn = compileExpressionToFunction('$count([1..10000000].([1..10000000]))');
    if (typeof fn !== 'function') throw new Error(fn.reason);
    expect(() => runBudgeted(DEFAULT_LIMITS, () => fn({}, { job: ctx, nowIso: ctx.started_at, nowMillis: 0 }))).toThrow(
      expect.objectContaining({ code: 'FERRY_BUDGET' }) as Error,
    );
  });

  it('keeps each column and each record to its own budget', async () => {
    const mapper = createMapper({ a: '$count([1..60000])', b: '$count([1..60000])' }, ctx);
    for (let i = 0; i < 3; i++) expect(await mapper.map(record)).toEqual({ values: { a: 60000, b: 60000 }, errors: [] });
  });

  it('applies to validate.rules too', async () => {
    const check = createRuleChecker([{ check: '($f := function($x){ $f($x+1) }; $f(0))', message: 'never' }], ctx);
    const start = performance.now();
    expect(await check({})).toEqual([{ code: 'RULE', path: '', message: expect.stringContaining('never (evaluation stopped after more than') as unknown }]);
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});

describe('regexes run in linear time', () => {
  const name = `${'a'.repeat(5000)}!`;
  const catastrophic = ['$contains(Name, /^(a+)+$/)', '$match(Name, /(a|aa)+$/)', '$replace(Name, /(a*)*b/, "x")', '$split(Name, /(a|a)*c/)'];

  it.each(catastrophic)('%s ends fast, compiled and interpreted', async (expr) => {
    const mapper = createMapper({ m: expr }, ctx);
    expect(mapper.plan.compiled).toEqual(['m']);
    let start = performance.now();
    expect((await mapper.map({ Name: name })).errors).toEqual([]);
    expect(performance.now() - start).toBeLessThan(2_000);
    start = performance.now();
    await compileExpression(expr, ctx).evaluate({ Name: name });
    expect(performance.now() - start).toBeLessThan(2_000);
  });

  it.each([
    '$contains(Name, /^ab+c$/i)',
    '$match(Name, /(b+)(x)?/i)',
    '$match(Name, /b/)',
    '$replace(Name, /b/i, "_")',
    '$split(Name, /b/i)',
    '$contains(Name, /\\u0041/i)',
    '$replace(Name, /(\\w)(\\w)/, "$2$1")',
    '$contains(Name, /^abbc$/im)',
    '$match("x😀ab😀b", /b/)',
  ])('gives the answer V8 regexes gave for %s, in both paths', async (expr) => {
    const input = { Name: 'ABbc' };
    const expected = await jsonata(expr).evaluate(input);
    expect(JSON.stringify((await createMapper({ v: expr }, ctx).map(input)).values['v'])).toEqual(JSON.stringify(expected));
    expect(JSON.stringify(await compileExpression(expr, ctx).evaluate(input))).toEqual(JSON.stringify(expected));
  });

  it('refuses at validate what the linear-time engine cannot run (lookaround, backreferences), at the literal', () => {
    expect(checkExpression('$contains(Name, /a(?=b)/)')).toMatchObject({ offset: 16, message: expect.stringContaining('linear-time regex engine') as unknown });
    expect(checkExpression('$contains(Name, /(a)\\1/)')).toMatchObject({ offset: 16 });
    expect(checkExpression('$contains(Name, /^(a+)+$/)')).toBeUndefined();
  });
});
