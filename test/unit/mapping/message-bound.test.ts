import { describe, expect, it } from 'vitest';
import { createMapper, createRuleChecker } from '../../../src/mapping/mapper.js';
import { boundMessage } from '../../../src/mapping/message-bound.js';

/*
 * An evaluation error's message quotes the value it is about, and a reject is written for every
 * record: `$error(x)` or `$number(x)` of a 100,000-character field put all of it in the reject's
 * message. Messages are cut to a few hundred characters, with how long they were, after secrets
 * are masked, so a secret at the cut is masked whole, never shown in part.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const big = 'x'.repeat(100_000);

describe('reject messages are bounded', () => {
  for (const interpretOnly of [false, true]) {
    const how = interpretOnly ? 'interpreted' : 'compiled';

    it(`$error and D3030 of a 100,000-character value (${how})`, async () => {
      const mapper = createMapper({ a: '$error(x)', b: '$number(x)' }, ctx, undefined, { interpretOnly });
      const { errors } = await mapper.map({ x: big });
      expect(errors).toHaveLength(2);
      expect(errors[0]!.message).toBe(`JSONata D3137: ${'x'.repeat(285)}… (${big.length + 15} characters in all)`);
      expect(errors[1]!.message).toMatch(/^JSONata D3030: Unable to cast value to a number: "x+… \(100051 characters in all\)$/);
      for (const e of errors) expect(e.message.length).toBeLessThan(400);
    });

    it(`a secret at the cut is masked whole (${how})`, async () => {
      const secret = 'S3cretValue-1234567890';
      // `copy` holds the secret too: the expression reads no secret field, so only the secret's
      // value is masked where it appears (a message of one that does is masked whole)
      const mapper = createMapper({ password_hash: 'Hash', nickname: '$error(pad & copy & tail)' }, ctx, undefined, { interpretOnly });
      const { errors } = await mapper.map({ Hash: secret, copy: secret, pad: 'p'.repeat(280), tail: 't'.repeat(1000) });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toBe(`JSONata D3137: ${'p'.repeat(280)}*****… (1300 characters in all)`);
      expect(errors[0]!.message).not.toContain('S3c');
    });

    it(`a rule's evaluation error (${how})`, async () => {
      const check = createRuleChecker([{ check: '$number(nickname) > 0', message: 'nickname is a number' }], ctx, undefined, { interpretOnly });
      const errors = await check({ nickname: big });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(/^nickname is a number \(JSONata D3030: Unable to cast value to a number: "x+… \(100051 characters in all\)\)$/);
      expect(errors[0]!.message.length).toBeLessThan(400);
    });
  }

  it('a short message is kept whole; a cut never halves an emoji', () => {
    expect(boundMessage('short')).toBe('short');
    expect(boundMessage('a'.repeat(400))).toBe('a'.repeat(400));
    const cut = boundMessage(`${'a'.repeat(299)}😀${'b'.repeat(200)}`);
    expect(cut).toBe(`${'a'.repeat(299)}… (501 characters in all)`);
  });
});
