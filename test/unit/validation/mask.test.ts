import { describe, it, expect } from 'vitest';
import { MASK, maskRecord } from '../../../src/validation/mask.js';
import { BCRYPT, fullUser } from './fixtures.js';

describe('maskRecord', () => {
  it('masks password_hash', () => {
    expect(maskRecord({ email: 'a@b.co', password_hash: BCRYPT })).toEqual({ email: 'a@b.co', password_hash: MASK });
    expect(MASK).toBe('*****');
  });

  it('masks the hash, HMAC key and salt values of custom_password_hash, keeping the settings', () => {
    const record = {
      custom_password_hash: {
        algorithm: 'hmac',
        hash: { value: 'abcd', encoding: 'hex', digest: 'sha1', key: { value: 'k3y', encoding: 'utf8' } },
        salt: { value: 'pepper', position: 'suffix' },
        password: { encoding: 'utf16le' },
      },
    };
    expect(maskRecord(record)).toEqual({
      custom_password_hash: {
        algorithm: 'hmac',
        hash: { value: MASK, encoding: 'hex', digest: 'sha1', key: { value: MASK, encoding: 'utf8' } },
        salt: { value: MASK, position: 'suffix' },
        password: { encoding: 'utf16le' },
      },
    });
  });

  it('masks the older custom_password_hash form', () => {
    const record = { custom_password_hash: { algorithm: 'md5', hash: 'abcd', encoding: 'hex', salt_prefix: 's1', salt_suffix: 's2' } };
    expect(maskRecord(record)).toEqual({
      custom_password_hash: { algorithm: 'md5', hash: MASK, encoding: 'hex', salt_prefix: MASK, salt_suffix: MASK },
    });
  });

  it('masks every totp secret', () => {
    const record = { mfa_factors: [{ totp: { secret: 'JBTWY3DPEHPK3PNP' } }, { phone: { value: '+15551234567' } }, { totp: { secret: 'ABC' } }] };
    expect(maskRecord(record)).toEqual({
      mfa_factors: [{ totp: { secret: MASK } }, { phone: { value: '+15551234567' } }, { totp: { secret: MASK } }],
    });
  });

  it('masks keys named password or secret in any case at any depth', () => {
    const record = {
      Password: 'hunter2',
      user_metadata: { SECRET: 'x', nested: [{ password: { old: 'a' } }], passwords: 'kept', secret_question: 'kept' },
      app_metadata: { api: { Secret: 42 } },
    };
    expect(maskRecord(record)).toEqual({
      Password: MASK,
      user_metadata: { SECRET: MASK, nested: [{ password: MASK }], passwords: 'kept', secret_question: 'kept' },
      app_metadata: { api: { Secret: MASK } },
    });
  });

  it('masks a secret column given as text whole (JSON not yet parsed, or not parseable)', () => {
    const text = '{"algorithm":"md5","hash":{"value":"5f4dcc3b","encoding":"hex"}}';
    expect(maskRecord({ custom_password_hash: text, mfa_factors: '[{"totp":{"secret":"JBSW"}}]', reset_token: 't0k', name: 'Ann' })).toEqual({
      custom_password_hash: MASK,
      mfa_factors: MASK,
      reset_token: MASK,
      name: 'Ann',
    });
  });

  it('leaves null and absent secrets as they are', () => {
    expect(maskRecord({ password_hash: null, custom_password_hash: { hash: { encoding: 'hex' } } })).toEqual({
      password_hash: null,
      custom_password_hash: { hash: { encoding: 'hex' } },
    });
  });

  it('leaves the rest of a full record unchanged', () => {
    const record = fullUser();
    const masked = maskRecord(record) as Record<string, unknown>;
    const { custom_password_hash: _h, mfa_factors: _m, ...rest } = record;
    const { custom_password_hash: _mh, mfa_factors: _mm, ...maskedRest } = masked;
    expect(maskedRest).toEqual(rest);
    expect(JSON.stringify(masked)).not.toContain('JBTWY3DPEHPK3PNP');
    expect(JSON.stringify(masked)).not.toContain('abc123');
  });

  it('never mutates the input and shares no objects with it', () => {
    const record = fullUser();
    const before = structuredClone(record);
    const masked = maskRecord(record) as Record<string, unknown>;
    expect(record).toEqual(before);
    expect(masked.user_metadata).not.toBe(record.user_metadata);
    expect(masked.app_metadata).toEqual(record.app_metadata);
    (masked.app_metadata as { roles: string[] }).roles.push('changed');
    expect(record.app_metadata).toEqual(before.app_metadata);
  });

  it('passes non-objects through', () => {
    expect(maskRecord('raw,csv,line')).toBe('raw,csv,line');
    expect(maskRecord(null)).toBeNull();
    expect(maskRecord([{ secret: 's' }])).toEqual([{ secret: MASK }]);
  });

  it('keeps a __proto__ key as data', () => {
    const record = JSON.parse('{"__proto__": {"secret": "s"}, "a": 1}') as unknown;
    const masked = maskRecord(record) as Record<string, unknown>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(JSON.stringify(masked)).toBe('{"__proto__":{"secret":"*****"},"a":1}');
  });

  it('masks whatever lies past the depth limit instead of overflowing the stack', () => {
    let deep: unknown = { secret: 's' };
    for (let i = 0; i < 10_000; i++) deep = { n: deep };
    expect(() => maskRecord(deep)).not.toThrow();
    expect(JSON.stringify(maskRecord(deep))).not.toContain('"s"');
  });
});
