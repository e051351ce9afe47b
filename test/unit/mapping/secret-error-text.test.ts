import { describe, expect, it } from 'vitest';
import { createMapper, createRuleChecker } from '../../../src/mapping/mapper.js';

/*
 * An error of an expression that may read a secret has the values it quotes masked. The text of
 * `$error(…)` and `$assert(…, …)` is not quoted: `$error($uppercase(password))` put the password,
 * in capitals, into the reject's message, where the masking of exact values cannot see it. Their
 * text is masked whole for such an expression; elsewhere it is kept.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const record = { email: 'a@example.com', password: 'hunter2secret', Hash: 'hashvalue123', meta: { secret: 'deepsecret99' } };

describe('$error and $assert text of an expression that may read a secret', () => {
  it.each([{ interpretOnly: false }, { interpretOnly: true }])('is masked whole (interpretOnly: $interpretOnly)', async (paths) => {
    const columns = {
      password_hash: 'Hash',
      a: '$error($uppercase(password))',
      b: '$assert(false, $substring(password, 1))',
      c: '$error($uppercase(Hash))',
      d: '$error($uppercase(meta.secret))',
      e: '$error("no " & $uppercase($$.password))',
      kept: '$error("bad email: " & email)',
    };
    const { errors } = await createMapper(columns, ctx, undefined, paths).map(record);
    expect(errors).toEqual([
      { code: 'MAPPING_ERROR', path: 'a', message: 'JSONata D3137: *****' },
      { code: 'MAPPING_ERROR', path: 'b', message: 'JSONata D3141: *****' },
      { code: 'MAPPING_ERROR', path: 'c', message: 'JSONata D3137: *****' },
      { code: 'MAPPING_ERROR', path: 'd', message: 'JSONata D3137: *****' },
      { code: 'MAPPING_ERROR', path: 'e', message: 'JSONata D3137: *****' },
      { code: 'MAPPING_ERROR', path: 'kept', message: 'JSONata D3137: bad email: a@example.com' },
    ]);
  });

  it.each([{ interpretOnly: false }, { interpretOnly: true }])('in a rule too (interpretOnly: $interpretOnly)', async (paths) => {
    const check = createRuleChecker([{ check: '$error($uppercase(password_hash))', message: 'hash' }], ctx, undefined, paths);
    expect(await check({ email: 'a@example.com', password_hash: 'hashvalue123' })).toEqual([
      { code: 'RULE', path: '', message: 'hash (JSONata D3137: *****)' },
    ]);
  });

  it('a regex $eval builds from a secret is masked in a budget error (which is no longer wrapped in a quoting D3121)', async () => {
    const mapper = createMapper({ nickname: '$match(big, $eval("/" & $uppercase(password) & "(a|b|c|d|e|f|g|h){1,500}/"))' }, ctx);
    const { errors } = await mapper.map({ password: 'hunter2secret', big: 'x'.repeat(200_000) });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^column nickname: evaluation stopped: the regex "\*\*\*\*\*" \(\*\*\*\*\* instructions\)/);
  });
});

/*
 * JSONata writes a number bare (`The values 14133 and "x" …`): a number computed from a secret is
 * not the secret `scrub` looks for, and a number equal to it was only cut out of the digits around
 * it (`*****0000` showed pin × 10,000). Every bare value of such an expression's message is masked.
 */
describe('numbers in the error of an expression that may read a secret', () => {
  const columns = {
    password_hash: 'pin',
    compared: '$number(pin) * 3 < "x"',
    millis: '$fromMillis($number(pin) * 1e13)',
    range: '[1..$number(pin) * 10000]',
    negative: '$sqrt(-$number(pin))',
    object: '-{"k": $number(pin) * 3, "big": $number(pin) > 4000}',
    kept: 'count * 3 < "x"',
    // what a JSONata template writes itself is kept: only what it inserts is masked
    iso: '$toMillis(pin & "x")',
    argument: '$substring(pin, "a")',
  };
  it.each([{ interpretOnly: false }, { interpretOnly: true }])('are masked (interpretOnly: $interpretOnly)', async (paths) => {
    for (const pin of ['4711', 4711]) {
      const { errors } = await createMapper(columns, ctx, undefined, paths).map({ pin, count: 5 });
      expect(errors.map((e) => [e.path, e.message])).toEqual([
        ['compared', 'JSONata T2009: The values ***** and "*****" either side of operator "*****" must be of the same data type'],
        ['millis', 'column millis: $fromMillis(*****): no date is that many milliseconds from ***** (at most ±*****)'],
        ['range', 'JSONata D2014: The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate *****.'],
        ['negative', 'JSONata D3060: The sqrt function cannot be applied to a negative number: *****'],
        ['object', 'JSONata D1002: Cannot negate a non-numeric value: {"*****":*****,"*****":*****}'],
        ['kept', 'JSONata T2009: The values 15 and "x" either side of operator "<" must be of the same data type'],
        ['iso', 'JSONata D3110: The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "*****"'],
        ['argument', 'JSONata T0410: Argument 2 of function "*****" does not match function signature'],
      ]);
    }
  });

  it.each([{ interpretOnly: false }, { interpretOnly: true }])('in a rule too (interpretOnly: $interpretOnly)', async (paths) => {
    const check = createRuleChecker([{ check: '$number(password_hash) * 3 < "x"', message: 'hash' }], ctx, undefined, paths);
    expect(await check({ password_hash: '4711' })).toEqual([
      { code: 'RULE', path: '', message: 'hash (JSONata T2009: The values ***** and "*****" either side of operator "*****" must be of the same data type)' },
    ]);
  });
});
