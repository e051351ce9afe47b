import { describe, it, expect } from 'vitest';
import { codesOf, user } from './fixtures.js';

const totp = { totp: { secret: 'JBTWY3DPEHPK3PNP' } };
const factors = (mfa_factors: unknown) => codesOf(user({ mfa_factors }));

describe('mfa_factors', () => {
  it('accepts each factor type', () => {
    expect(factors([totp])).toEqual([]);
    expect(factors([{ phone: { value: '+15551234567' } }])).toEqual([]);
    expect(factors([{ email: { value: 'edward@edward.biz' } }])).toEqual([]);
    expect(factors([{ totp: { secret: '2PRXZWZAYYDAWCD' } }, { phone: { value: '+15551112233' } }, { email: { value: 'a@b.co' } }])).toEqual([]);
  });

  it('is INVALID_TYPE when not an array', () => {
    expect(factors(totp)).toEqual([['INVALID_TYPE', 'mfa_factors']]);
    expect(factors('totp')).toEqual([['INVALID_TYPE', 'mfa_factors']]);
  });

  it('has 1 to 10 items', () => {
    expect(factors([])).toEqual([['MIN_LENGTH', 'mfa_factors']]);
    expect(factors(Array.from({ length: 10 }, () => totp))).toEqual([]);
    expect(factors(Array.from({ length: 11 }, () => totp))).toEqual([['MAX_LENGTH', 'mfa_factors']]);
  });

  it('still checks the items of a too-long list', () => {
    const list = [...Array.from({ length: 10 }, () => totp), { totp: { secret: 'bad' } }];
    expect(factors(list)).toEqual([
      ['MAX_LENGTH', 'mfa_factors'],
      ['PATTERN', 'mfa_factors[10].totp.secret'],
    ]);
  });

  it('is OBJECT_REQUIRED for an item that is not an object', () => {
    expect(factors([totp, 'totp', null, []])).toEqual([
      ['OBJECT_REQUIRED', 'mfa_factors[1]'],
      ['OBJECT_REQUIRED', 'mfa_factors[2]'],
      ['OBJECT_REQUIRED', 'mfa_factors[3]'],
    ]);
  });

  it('is REQUIRED for an item with no factor', () => {
    expect(factors([{}])).toEqual([['REQUIRED', 'mfa_factors[0]']]);
    expect(factors([{ totp: null }])).toEqual([['REQUIRED', 'mfa_factors[0]']]);
  });

  it('is FORMAT for an item with two factors', () => {
    expect(factors([{ ...totp, phone: { value: '+15551234567' } }])).toEqual([['FORMAT', 'mfa_factors[0]']]);
  });

  it('is UNKNOWN_FIELD for an unknown factor type, even with rejectUnknownFields off', () => {
    expect(codesOf(user({ mfa_factors: [totp, { sms: { value: '+1555' } }] }), false)).toEqual([
      ['UNKNOWN_FIELD', 'mfa_factors[1].sms'],
      ['REQUIRED', 'mfa_factors[1]'],
    ]);
    expect(factors([{ ...totp, recovery_code: 'x' }])).toEqual([['UNKNOWN_FIELD', 'mfa_factors[0].recovery_code']]);
  });

  it('is OBJECT_REQUIRED for a factor that is not an object', () => {
    expect(factors([{ totp: 'JBTWY3DPEHPK3PNP' }])).toEqual([['OBJECT_REQUIRED', 'mfa_factors[0].totp']]);
  });

  it('rejects unknown keys inside a factor', () => {
    expect(factors([{ totp: { secret: 'JBTWY3DPEHPK3PNP', issuer: 'x' } }])).toEqual([['UNKNOWN_FIELD', 'mfa_factors[0].totp.issuer']]);
    expect(factors([{ phone: { value: '+15551234567', type: 'sms' } }])).toEqual([['UNKNOWN_FIELD', 'mfa_factors[0].phone.type']]);
    expect(factors([{ email: { value: 'a@b.co', verified: true } }])).toEqual([['UNKNOWN_FIELD', 'mfa_factors[0].email.verified']]);
  });
});

describe('mfa_factors: totp', () => {
  it('requires secret', () => {
    expect(factors([{ totp: {} }])).toEqual([['REQUIRED', 'mfa_factors[0].totp.secret']]);
    expect(factors([{ totp: { secret: '' } }])).toEqual([['REQUIRED', 'mfa_factors[0].totp.secret']]);
  });

  it.each(['jbtwy3dpehpk3pnp', 'JBTWY3DPEHPK3PNP====', 'JBTWY3DPEHPK3PN1', 'JBTW Y3DP'])('is PATTERN for %j', (secret) => {
    expect(factors([totp, { totp: { secret } }])).toEqual([['PATTERN', 'mfa_factors[1].totp.secret']]);
  });

  it('is INVALID_TYPE for a non-string secret', () => {
    expect(factors([{ totp: { secret: 123 } }])).toEqual([['INVALID_TYPE', 'mfa_factors[0].totp.secret']]);
  });
});

describe('mfa_factors: phone', () => {
  it('requires value', () => {
    expect(factors([{ phone: {} }])).toEqual([['REQUIRED', 'mfa_factors[0].phone.value']]);
  });

  it.each(['15551234567', '+1 555 123 4567', `+${'1'.repeat(16)}`])('is PATTERN for %j', (value) => {
    expect(factors([{ phone: { value } }])).toEqual([['PATTERN', 'mfa_factors[0].phone.value']]);
  });

  it('is INVALID_TYPE for a number', () => {
    expect(factors([{ phone: { value: 15551234567 } }])).toEqual([['INVALID_TYPE', 'mfa_factors[0].phone.value']]);
  });
});

describe('mfa_factors: email', () => {
  it('requires value', () => {
    expect(factors([{ email: { value: null } }])).toEqual([['REQUIRED', 'mfa_factors[0].email.value']]);
  });

  it('is FORMAT for an invalid address and MAX_LENGTH for a long one', () => {
    expect(factors([{ email: { value: 'not-an-email' } }])).toEqual([['FORMAT', 'mfa_factors[0].email.value']]);
    expect(factors([{ email: { value: `${'a'.repeat(65)}@example.com` } }])).toEqual([['MAX_LENGTH', 'mfa_factors[0].email.value']]);
  });

  it('is INVALID_TYPE for a non-string', () => {
    expect(factors([{ email: { value: ['a@b.co'] } }])).toEqual([['INVALID_TYPE', 'mfa_factors[0].email.value']]);
  });
});
