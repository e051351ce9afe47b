import { describe, expect, it } from 'vitest';
import { createMapper, createRuleChecker } from '../../../src/mapping/mapper.js';

/*
 * A reject's message must not quote what its stored record masks: JSONata quotes the value it
 * could not use (`Unable to cast value to a number: "…"`), so a mapping or a rule over a secret
 * would otherwise write the secret to rejects.ndjson beside the masked record.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const paths = [{ interpretOnly: false }, { interpretOnly: true }];

describe.each(paths)('secrets in evaluation messages (interpretOnly: $interpretOnly)', (path) => {
  it('a mapping error hides a source value masked by its key name, at any depth', async () => {
    const mapper = createMapper({ nickname: '$number(password)', given_name: '$number(meta.secret)' }, ctx, undefined, path);
    const { errors } = await mapper.map({ password: 'plaintextPW123', meta: { secret: 'totpSECRET999' } });
    expect(errors).toHaveLength(2);
    const text = JSON.stringify(errors);
    expect(text).not.toContain('plaintextPW123');
    expect(text).not.toContain('totpSECRET999');
    expect(errors[0]!.message).toContain('*****');
  });

  it('a rule error hides the value of a secret column', async () => {
    const check = createRuleChecker([{ check: '$number(password_hash) > 0', message: 'hash must be numeric' }], ctx, undefined, path);
    const errors = await check({ email: 'a@example.com', password_hash: '$2b$10$SuperSecretHashValue' });
    expect(errors).toEqual([{ code: 'RULE', message: 'hash must be numeric (JSONata D3030: Unable to cast value to a number: "*****")', path: '' }]);
  });

  it('a rule error hides a secret nested in a mapped value (custom_password_hash, a secret key)', async () => {
    const check = createRuleChecker(
      [
        { check: '$number(custom_password_hash.hash.value) > 0', message: 'r1' },
        { check: '$number(user_metadata.secret) > 0', message: 'r2' },
      ],
      ctx,
      undefined,
      path,
    );
    const errors = await check({
      custom_password_hash: { algorithm: 'sha256', hash: { value: 'c2VjcmV0aGFzaA==' } },
      user_metadata: { secret: 'nestedSecret42' },
    });
    expect(errors).toHaveLength(2);
    expect(JSON.stringify(errors)).not.toMatch(/c2VjcmV0aGFzaA==|nestedSecret42/);
  });

  it('a secret changed before the error quotes it (upper-cased, cut, extended) is hidden too', async () => {
    const columns = { password_hash: '$number($uppercase(Hash))', nickname: '$number($substring(password, 1))', given_name: '$number(Pin)' };
    const mapper = createMapper(columns, ctx, undefined, path);
    const { errors } = await mapper.map({ Hash: 'plaintextpw123', password: 'Sup3rS3cretValue', Pin: '99x' });
    expect(errors.map((e) => e.message)).toEqual([
      'JSONata D3030: Unable to cast value to a number: "*****"',
      'JSONata D3030: Unable to cast value to a number: "*****"',
      'JSONata D3030: Unable to cast value to a number: "99x"',
    ]);
    const check = createRuleChecker([{ check: '$number($lowercase(password_hash)) > 0', message: 'numeric' }], ctx, undefined, path);
    expect(await check({ password_hash: 'ABCsecretHASH' })).toEqual([
      { code: 'RULE', message: 'numeric (JSONata D3030: Unable to cast value to a number: "*****")', path: '' },
    ]);
  });

  it('a secret quoted as JSON (a quote, a backslash) is hidden too', async () => {
    const mapper = createMapper({ nickname: '$number(password)' }, ctx, undefined, path);
    const { errors } = await mapper.map({ password: 'pa"ss\\word' });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('JSONata D3030: Unable to cast value to a number: "*****"');
  });
});

/*
 * A secret the stored record masks by its key (meta.password, a TOTP secret) was reached through
 * its parent: the expression names `meta`, not `password`, so its message was not masked, and a
 * changed secret (`$uppercase`) is not what `scrub` looks for.
 */
describe.each(paths)('a secret read through its parent (interpretOnly: $interpretOnly)', (path) => {
  const record = { email: 'a@example.com', meta: { password: 'hunter2secret', other: 1 } };
  it('is masked in a mapping error', async () => {
    const columns = {
      a: '$number($uppercase($lookup(meta, "pass" & "word")))',
      b: '$number($uppercase($each(meta, function($v){$v})[0]))',
      c: '$uppercase($string(meta)) < 1',
      kept: '$number(email)',
    };
    const { errors } = await createMapper(columns, ctx, undefined, path).map(record);
    expect(errors.map((e) => [e.path, e.message])).toEqual([
      ['a', 'JSONata D3030: Unable to cast value to a number: "*****"'],
      ['b', 'JSONata D3030: Unable to cast value to a number: "*****"'],
      ['c', 'JSONata T2009: The values "*****" and ***** either side of operator "*****" must be of the same data type'],
      ['kept', 'JSONata D3030: Unable to cast value to a number: "a@example.com"'],
    ]);
  });

  it('is masked in a rule error', async () => {
    const check = createRuleChecker([{ check: '$number($uppercase($string(user_metadata)))', message: 'numeric' }], ctx, undefined, path);
    expect(await check({ email: 'a@example.com', user_metadata: { secret: 'nestedSecret42' } })).toEqual([
      { code: 'RULE', message: 'numeric (JSONata D3030: Unable to cast value to a number: "*****")', path: '' },
    ]);
  });
});
