import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/mapping/budget.js';
import { createMapper } from '../../../src/mapping/mapper.js';

/*
 * jsonata wraps the error of each nested `$eval` in a D3121 quoting the inner message as JSON,
 * which doubles its backslashes at every level: `$eval(x)` of a record holding "$eval(x)" ran the
 * process out of heap (4 GB) long before the depth limit (2,000) stopped it. Errors of nested
 * `$eval`s now pass up as they are: one record's reject, quoting the innermost error once.
 * The depth limit is lowered here so the old behaviour shows as a long message, not a dead worker.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const limits = { ...DEFAULT_LIMITS, depth: 150 };
// a limit's error reads as it does outside $eval (eval-limits.test.ts)
const innermost = 'column nickname: evaluation stopped after more than 150 nested evaluations (the depth limit per record): a recursion without end?';

describe('nested $eval errors', () => {
  it('a record that evaluates itself is one reject with the innermost error', async () => {
    const mapper = createMapper({ email: 'email', nickname: '$eval(x)' }, ctx, limits);
    const result = await mapper.map({ email: 'a@example.com', x: '$eval(x)' });
    expect(result).toEqual({ values: { email: 'a@example.com' }, errors: [{ code: 'MAPPING_ERROR', path: 'nickname', message: innermost }] });
  });

  it('so does an expression that evaluates itself, under the default limits', async () => {
    const mapper = createMapper({ nickname: '( $s := "$eval($s)"; $eval($s) )' }, ctx);
    const { errors } = await mapper.map({});
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('more than 2000 nested evaluations');
    expect(errors[0]!.message.length).toBeLessThan(400);
  });

  it('an error two $evals deep is quoted once', async () => {
    const mapper = createMapper({ n: '$eval(x)' }, ctx);
    const { errors } = await mapper.map({ x: '$eval(y)', y: '1 + "a"' });
    expect(errors).toEqual([
      {
        code: 'MAPPING_ERROR',
        path: 'n',
        message:
          'JSONata D3121: Dynamic error evaluating the expression passed to function eval: "The right side of the \\"+\\" operator must evaluate to a number"',
      },
    ]);
  });
});
