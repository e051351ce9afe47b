import { describe, expect, it } from 'vitest';
import { createMapper } from '../../../src/mapping/mapper.js';
import { EVAL_SOURCE_LIMIT } from '../../../src/mapping/interpreter-functions.js';

/*
 * `$eval` runs under the same limits as the rest of the mapping, and says so the same way: an
 * over-budget error inside it arrived as "JSONata D3121: Dynamic error evaluating … eval:
 * \"evaluation stopped …\"" where the same error outside reads "column x: evaluation stopped …".
 * Its source is refused past a size before jsonata parses it: a 16 MB string literal parsed for
 * a second or two in one call the time limit cannot interrupt.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const STEPS = 'column n: evaluation stopped after more than 100000 evaluation steps (the steps limit per record): an endless loop or recursion?';

describe('$eval under the mapping limits', () => {
  it('a budget error inside $eval reads as it does outside', async () => {
    const outside = createMapper({ n: '[1..1e6].($string($)) ~> $join' }, ctx);
    const inside = createMapper({ n: '$eval("[1..1e6].($string($)) ~> $join")' }, ctx);
    const fromRecord = createMapper({ n: '$eval(x)' }, ctx);
    expect((await outside.map({})).errors).toEqual([{ code: 'MAPPING_ERROR', path: 'n', message: STEPS }]);
    expect((await inside.map({})).errors).toEqual([{ code: 'MAPPING_ERROR', path: 'n', message: STEPS }]);
    expect((await fromRecord.map({ x: '$eval("[1..1e6].($string($)) ~> $join")' })).errors).toEqual([{ code: 'MAPPING_ERROR', path: 'n', message: STEPS }]);
  });

  it('other errors inside $eval keep their D3121 wording', async () => {
    const mapper = createMapper({ n: '$eval(x)' }, ctx);
    const { errors } = await mapper.map({ x: '1 + "a"' });
    expect(errors[0]!.message).toMatch(/^JSONata D3121: /);
  });

  it('a source past the limit is refused before it is parsed', async () => {
    const mapper = createMapper({ n: '$eval(x)', m: '$length($eval(y))' }, ctx);
    const huge = `"${'a'.repeat(16 * 1024 * 1024)}"`;
    const started = Date.now();
    const result = await mapper.map({ x: huge, y: `"${'b'.repeat(EVAL_SOURCE_LIMIT - 2)}"` });
    expect(Date.now() - started).toBeLessThan(500);
    expect(result.values).toEqual({ m: EVAL_SOURCE_LIMIT - 2 });
    expect(result.errors).toEqual([
      {
        code: 'MAPPING_ERROR',
        path: 'n',
        message: `column n: evaluation stopped: the expression passed to $eval has ${huge.length} characters, more than ${EVAL_SOURCE_LIMIT} (the longest $eval parses)`,
      },
    ]);
  });

  it('a number literal a double would change is refused, as in the pipeline (not written as another number)', async () => {
    const mapper = createMapper({ n: '$eval(x)' }, ctx);
    const refused = await mapper.map({ x: '12345678901234567891' });
    expect(refused).toEqual({
      values: {},
      errors: [
        {
          code: 'MAPPING_ERROR',
          path: 'n',
          message:
            'column n: $eval: the number "12345678901234567891" would be read as another number: numbers are doubles, which hold integers exactly only up to ±2^53 (9007199254740991)',
        },
      ],
    });
    expect((await mapper.map({ x: '1e20 + 9007199254740991' })).values).toEqual({ n: 1e20 + 9007199254740991 });
  });

  it('the number is quoted, so a secret it came from is masked', async () => {
    const mapper = createMapper({ password_hash: 'Hash', nickname: '$eval("1 + " & Hash)' }, ctx);
    const { errors } = await mapper.map({ Hash: '77 + 12345678901234567891' });
    expect(errors[0]!.message).toMatch(/^column nickname: \$eval: the number "\*\*\*\*\*" would be read/);
  });

  it('an $eval source nested too deeply to parse says so, with its column', async () => {
    const mapper = createMapper({ n: '$eval(x)' }, ctx);
    const { errors } = await mapper.map({ x: `${'('.repeat(20_000)}1${')'.repeat(20_000)}` });
    expect(errors).toEqual([
      { code: 'MAPPING_ERROR', path: 'n', message: 'column n: $eval: the expression nests too deeply to parse (Maximum call stack size exceeded)' },
    ]);
  });
});
