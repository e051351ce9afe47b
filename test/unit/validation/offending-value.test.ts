import { describe, expect, it } from 'vitest';
import { maskRecord, MASK } from '../../../src/validation/mask.js';
import { formatValue, offendingValue } from '../../../src/validation/offending-value.js';

describe('offendingValue', () => {
  it('reads the path from the record for an identity mapping, nested and indexed', () => {
    const record = { email: 'nope', custom_password_hash: { algorithm: 'md9' }, mfa_factors: [{ phone: { value: '1' } }, { email: 'x' }] };
    expect(offendingValue({ record }, { path: 'email' }, null)).toBe('nope');
    expect(offendingValue({ record }, { path: 'custom_password_hash.algorithm' }, null)).toBe('md9');
    expect(offendingValue({ record }, { path: 'mfa_factors[1]' }, null)).toEqual({ email: 'x' });
    expect(offendingValue({ record }, { path: 'missing' }, null)).toBeUndefined();
    expect(offendingValue({ record }, { path: '' }, null)).toBeUndefined();
  });

  it('follows a column mapped from a plain field path, backticks included, or computed from one field; not from several', () => {
    const record = { 'E-mail': 'nope', Profile: { Phone: '12' }, Name: 'Ann', Last: 'Lee', Meta: { plan: 'x' } };
    const columns = {
      email: '`E-mail`',
      phone_number: 'Profile.Phone',
      nickname: '$lowercase($trim(`E-mail`))',
      given_name: "$uppercase(Name) & ' ' & $uppercase(Name)",
      name: "Name & ' ' & Last",
      family_name: "'constant'",
      user_metadata: '$merge([Meta, {}])',
    };
    expect(offendingValue({ record }, { path: 'email' }, columns)).toBe('nope');
    expect(offendingValue({ record }, { path: 'phone_number' }, columns)).toBe('12');
    expect(offendingValue({ record }, { path: 'nickname' }, columns)).toBe('nope');
    expect(offendingValue({ record }, { path: 'given_name' }, columns)).toBe('Ann');
    expect(offendingValue({ record }, { path: 'name' }, columns)).toBeUndefined();
    expect(offendingValue({ record }, { path: 'family_name' }, columns)).toBeUndefined();
    // Below a computed column, the source holds nothing at that path to show.
    expect(offendingValue({ record }, { path: 'user_metadata.plan' }, columns)).toBeUndefined();
  });

  it("shows the value the column was mapped from, not a source field that happens to have the column's name", () => {
    const record = { email: 'a@x.com', phone_number: '+12125550001', mobile: '0612345678', name: 'Ann' };
    const columns = { email: 'email', phone_number: 'mobile', given_name: "name & ' ' & phone_number" };
    expect(offendingValue({ record }, { path: 'phone_number' }, columns)).toBe('0612345678');
    expect(offendingValue({ record }, { path: 'given_name' }, columns)).toBeUndefined();
    // A path no column produces (an error about the whole mapped record's field) still reads the record.
    expect(offendingValue({ record }, { path: 'name' }, columns)).toBe('Ann');
  });

  it('shows secrets exactly as the report masked them', () => {
    const record = maskRecord({ email: 'a@b.c', password_hash: 'secret-hash', custom_password_hash: { algorithm: 'md5', hash: { value: 'zz' } } });
    expect(offendingValue({ record }, { path: 'password_hash' }, null)).toBe(MASK);
    expect(offendingValue({ record }, { path: 'custom_password_hash.hash.value' }, null)).toBe(MASK);
    expect(offendingValue({ record: 'raw,text' }, { path: 'x' }, null)).toBeUndefined();
  });

  it('formats strings as they are and the rest as JSON, cut to a width', () => {
    expect(formatValue('abc')).toBe('abc');
    expect(formatValue(42)).toBe('42');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue(undefined)).toBe('');
    expect(formatValue('abcdefgh', 5)).toBe('abcd…');
  });
});
