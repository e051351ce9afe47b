import { describe, it, expect } from 'vitest';
import { rejectCodes } from '../../../src/validation/reject.js';
import { userFields, validateUser } from '../../../src/validation/user-schema.js';
import { BCRYPT, codesOf, errorsOf, fullUser, user } from './fixtures.js';

describe('validateUser: valid records', () => {
  it('accepts a record with only an email', () => {
    expect(errorsOf({ email: 'someone@example.com' })).toEqual([]);
  });

  it('accepts a record using every profile field', () => {
    const record = fullUser();
    expect(Object.keys(record).sort()).toEqual([...userFields].filter((f) => f !== 'password_hash').sort());
    expect(errorsOf(record)).toEqual([]);
  });

  it('accepts password_hash alone', () => {
    expect(errorsOf(user({ password_hash: BCRYPT }))).toEqual([]);
    expect(errorsOf(user({ password_hash: BCRYPT.replace('$2b$', '$2a$') }))).toEqual([]);
  });

  it('treats null as absent for every optional field', () => {
    const record: Record<string, unknown> = { email: 'someone@example.com' };
    for (const field of userFields) if (field !== 'email') record[field] = null;
    expect(errorsOf(record)).toEqual([]);
  });

  it('does not modify the record', () => {
    const record = fullUser();
    const before = JSON.stringify(record);
    validateUser(record, { rejectUnknownFields: true });
    expect(JSON.stringify(record)).toBe(before);
  });

  it('uses only the declared reject codes', () => {
    const errors = errorsOf({ email: 'x', blocked: 'no', extra: 1, mfa_factors: [] });
    for (const e of errors) expect(rejectCodes).toContain(e.code);
  });
});

describe('validateUser: email', () => {
  it.each([
    ['missing', {}],
    ['null', { email: null }],
    ['empty', { email: '' }],
  ])('is REQUIRED when %s', (_, record) => {
    expect(codesOf(record)).toEqual([['REQUIRED', 'email']]);
  });

  it('is INVALID_TYPE when not a string', () => {
    expect(codesOf({ email: 42 })).toEqual([['INVALID_TYPE', 'email']]);
  });

  it('is FORMAT when not an address', () => {
    expect(codesOf({ email: 'not an email' })).toEqual([['FORMAT', 'email']]);
    expect(errorsOf({ email: 'nobody' })[0]?.message).toContain('email address');
  });

  it('is MAX_LENGTH when the local part exceeds 64 characters', () => {
    expect(codesOf({ email: `${'a'.repeat(64)}@example.com` })).toEqual([]);
    expect(codesOf({ email: `${'a'.repeat(65)}@example.com` })).toEqual([['MAX_LENGTH', 'email']]);
  });

  it('is MAX_LENGTH when the address exceeds 254 characters', () => {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.${'g'.repeat(55)}.com`;
    const at254 = `${'a'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(codesOf({ email: at254 })).toEqual([]);
    expect(codesOf({ email: `a${at254}` })).toEqual([['MAX_LENGTH', 'email']]);
  });
});

describe('validateUser: email as it is stored, lower-cased', () => {
  // İ (U+0130) lower-cases to i + U+0307: the stored address is longer than the one checked.
  it('applies the 64-character local part limit after lower-casing', () => {
    expect(codesOf({ email: `${'\u0130'.repeat(32)}@example.com` })).toEqual([]);
    const errors = errorsOf({ email: `${'\u0130'.repeat(33)}@example.com` });
    expect(errors).toEqual([{ code: 'MAX_LENGTH', path: 'email', message: expect.stringContaining('once lower-cased') as string }]);
  });

  it('applies the domain label limit after lower-casing', () => {
    expect(codesOf({ email: `a@${'\u0130'.repeat(31)}.com` })).toEqual([]);
    expect(codesOf({ email: `a@${'\u0130'.repeat(32)}.com` })).toEqual([['FORMAT', 'email']]);
  });

  it('accepts an address lower-casing does not lengthen', () => {
    expect(codesOf({ email: '\u0130stanbul@example.com' })).toEqual([]);
    expect(codesOf({ email: `${'Ä'.repeat(64)}@example.com` })).toEqual([]);
  });
});

describe('validateUser: booleans', () => {
  it.each(['email_verified', 'phone_verified', 'blocked'])('%s must be a boolean', (field) => {
    expect(codesOf(user({ [field]: true }))).toEqual([]);
    expect(codesOf(user({ [field]: 'yes' }))).toEqual([['INVALID_TYPE', field]]);
    expect(codesOf(user({ [field]: 1 }))).toEqual([['INVALID_TYPE', field]]);
  });

  it('names the JSON types in the message', () => {
    expect(errorsOf(user({ email_verified: 'yes' }))[0]?.message).toBe('expected boolean, got string');
  });
});

describe('validateUser: names', () => {
  it.each([
    ['given_name', 150],
    ['family_name', 150],
    ['name', 150],
    ['nickname', 350],
  ])('%s is 1 to %i characters', (field, max) => {
    expect(codesOf(user({ [field]: 'x'.repeat(max) }))).toEqual([]);
    expect(codesOf(user({ [field]: 'x'.repeat(max + 1) }))).toEqual([['MAX_LENGTH', field]]);
    expect(codesOf(user({ [field]: '' }))).toEqual([['MIN_LENGTH', field]]);
    expect(codesOf(user({ [field]: 7 }))).toEqual([['INVALID_TYPE', field]]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(codesOf(user({ name: '😀'.repeat(150) }))).toEqual([]);
    expect(codesOf(user({ name: '😀'.repeat(151) }))).toEqual([['MAX_LENGTH', 'name']]);
    expect(codesOf(user({ given_name: 'Zoë Ñúñez 山田' }))).toEqual([]);
  });
});

describe('validateUser: control characters in names', () => {
  it.each(['given_name', 'family_name', 'name', 'nickname'])('%s refuses C0 and C1 controls as FORMAT, naming the character', (field) => {
    expect(errorsOf(user({ [field]: 'Caf\u0080 \u0093Bo\u0094' }))).toEqual([
      {
        code: 'FORMAT',
        path: field,
        message:
          'contains a control character (U+0080 at character 4), which a name cannot hold; a C1 control in a name usually means the file was decoded with the wrong encoding',
      },
    ]);
    expect(errorsOf(user({ [field]: 'Ann\tLee' }))[0]?.message).toBe('contains a control character (U+0009 at character 4), which a name cannot hold');
    expect(codesOf(user({ [field]: 'a\u007f' }))).toEqual([['FORMAT', field]]);
  });

  it('accepts the Windows-1252 punctuation those bytes stand for, and counts characters in the position', () => {
    expect(codesOf(user({ name: 'Café “Bo” – Œuvre €5 ™' }))).toEqual([]);
    expect(errorsOf(user({ name: '😀\u0085' }))[0]?.message).toMatch(/^contains a control character \(U\+0085 at character 2\)/);
  });
});

describe('validateUser: username', () => {
  it('accepts 1 to 128 allowed characters', () => {
    expect(codesOf(user({ username: "a@b`c^d$e!f-g#h.i+j'k~l_m" }))).toEqual([]);
    expect(codesOf(user({ username: 'a' }))).toEqual([]);
    expect(codesOf(user({ username: 'a'.repeat(128) }))).toEqual([]);
  });

  it('is MIN_LENGTH when empty and MAX_LENGTH past 128', () => {
    expect(codesOf(user({ username: '' }))).toEqual([['MIN_LENGTH', 'username']]);
    expect(codesOf(user({ username: 'a'.repeat(129) }))).toEqual([['MAX_LENGTH', 'username']]);
  });

  it.each(['with space', 'josé', 'a/b', 'a*b', 'a%b'])('is PATTERN for %j', (username) => {
    expect(codesOf(user({ username }))).toEqual([['PATTERN', 'username']]);
  });

  it('may contain @ but may not be an email address', () => {
    expect(codesOf(user({ username: 'ada@home' }))).toEqual([]);
    expect(codesOf(user({ username: 'ada@example.com' }))).toEqual([['PATTERN', 'username']]);
  });

  it('is INVALID_TYPE when not a string', () => {
    expect(codesOf(user({ username: 12 }))).toEqual([['INVALID_TYPE', 'username']]);
  });
});

describe('validateUser: phone_number', () => {
  it('accepts + and 1 to 15 digits', () => {
    expect(codesOf(user({ phone_number: '+12125550001' }))).toEqual([]);
    expect(codesOf(user({ phone_number: '+1' }))).toEqual([]);
    expect(codesOf(user({ phone_number: `+${'1'.repeat(15)}` }))).toEqual([]);
  });

  it.each(['12125550001', '+', '+1 212 555 0001', '+1-212-555-0001', `+${'1'.repeat(16)}`])('is PATTERN for %j', (phone_number) => {
    expect(codesOf(user({ phone_number }))).toEqual([['PATTERN', 'phone_number']]);
  });

  it('is INVALID_TYPE for a number', () => {
    expect(codesOf(user({ phone_number: 12125550001 }))).toEqual([['INVALID_TYPE', 'phone_number']]);
  });
});

describe('validateUser: picture', () => {
  it.each(['https://example.com/a.png', 'http://cdn.example.com:8080/x?y=1#z', 'https://s.gravatar.com'])('accepts %s', (picture) => {
    expect(codesOf(user({ picture }))).toEqual([]);
  });

  it.each(['example.com/a.png', 'ftp://example.com/a.png', 'javascript:alert(1)', 'https://', 'https://exa mple.com/a.png', ''])(
    'is FORMAT for %j',
    (picture) => {
      expect(codesOf(user({ picture }))).toEqual([['FORMAT', 'picture']]);
    },
  );

  it('is INVALID_TYPE when not a string', () => {
    expect(codesOf(user({ picture: { url: 'https://example.com' } }))).toEqual([['INVALID_TYPE', 'picture']]);
  });
});

describe('validateUser: password_hash', () => {
  it.each([
    ['$2y$ prefix', BCRYPT.replace('$2b$', '$2y$')],
    ['$2x$ prefix', BCRYPT.replace('$2b$', '$2x$')],
    ['$2$ prefix', '$2$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K'],
    ['a plain digest', 'd24e794fce503c3ddb1cd1ba1dd5d9b250cf9917336a0316fefd87fecf79200f'],
    ['a truncated hash', BCRYPT.slice(0, 40)],
    ['a bad cost', BCRYPT.replace('$10$', '$99$')],
    ['a bad character', `${BCRYPT.slice(0, -1)}!`],
  ])('is PATTERN for %s', (_, password_hash) => {
    expect(codesOf(user({ password_hash }))).toEqual([['PATTERN', 'password_hash']]);
  });

  it('is PATTERN for a complete bcrypt hash of a cost other than 10, pointing to custom_password_hash', () => {
    for (const cost of ['04', '09', '11', '12', '31']) {
      const errors = errorsOf(user({ password_hash: BCRYPT.replace('$10$', `$${cost}$`) }));
      expect(errors).toEqual([{ code: 'PATTERN', path: 'password_hash', message: expect.stringContaining('cost 10') as string }]);
      expect(errors[0]?.message).toContain('custom_password_hash');
    }
    expect(codesOf(user({ custom_password_hash: { algorithm: 'bcrypt', hash: { value: BCRYPT.replace('$10$', '$12$') } } }))).toEqual([]);
  });

  it('is INVALID_TYPE when not a string', () => {
    expect(codesOf(user({ password_hash: 123 }))).toEqual([['INVALID_TYPE', 'password_hash']]);
  });

  it('cannot be combined with custom_password_hash', () => {
    const record = user({
      password_hash: BCRYPT,
      custom_password_hash: { algorithm: 'bcrypt', hash: { value: BCRYPT } },
    });
    expect(codesOf(record)).toEqual([['FORMAT', 'custom_password_hash']]);
    expect(errorsOf(record)[0]?.message).toMatch(/password_hash and custom_password_hash/);
  });
});

describe('validateUser: other fields', () => {
  it.each(['user_id', 'connection'])('%s is a non-empty string', (field) => {
    expect(codesOf(user({ [field]: 'abc|123' }))).toEqual([]);
    expect(codesOf(user({ [field]: '' }))).toEqual([['MIN_LENGTH', field]]);
    expect(codesOf(user({ [field]: 123 }))).toEqual([['INVALID_TYPE', field]]);
  });

  it.each(['created_at', 'updated_at', 'last_login'])('%s is an ISO-8601 date-time', (field) => {
    expect(codesOf(user({ [field]: '2024-05-01T09:30:00.000Z' }))).toEqual([]);
    expect(codesOf(user({ [field]: '2024-05-01' }))).toEqual([['FORMAT', field]]);
    expect(codesOf(user({ [field]: 'yesterday' }))).toEqual([['FORMAT', field]]);
    expect(codesOf(user({ [field]: 1714555800000 }))).toEqual([['INVALID_TYPE', field]]);
  });

  it.each(['created_at', 'updated_at', 'last_login'])('%s cannot be a leap second, which no store holds', (field) => {
    expect(errorsOf(user({ [field]: '2016-12-31T23:59:60Z' }))).toEqual([
      {
        code: 'FORMAT',
        path: field,
        message: 'second 60 (a leap second) cannot be stored: timestamps here have no leap seconds; use :59 or the next minute',
      },
    ]);
  });

  it('logins_count is a non-negative integer', () => {
    expect(codesOf(user({ logins_count: 0 }))).toEqual([]);
    expect(codesOf(user({ logins_count: 12345 }))).toEqual([]);
    expect(codesOf(user({ logins_count: -1 }))).toEqual([['FORMAT', 'logins_count']]);
    expect(codesOf(user({ logins_count: 1.5 }))).toEqual([['INVALID_TYPE', 'logins_count']]);
    expect(codesOf(user({ logins_count: '3' }))).toEqual([['INVALID_TYPE', 'logins_count']]);
    expect(codesOf(user({ logins_count: Number.NaN }))).toEqual([['INVALID_TYPE', 'logins_count']]);
  });

  it.each(['app_metadata', 'user_metadata'])('%s must be an object', (field) => {
    expect(codesOf(user({ [field]: {} }))).toEqual([]);
    expect(codesOf(user({ [field]: [] }))).toEqual([['OBJECT_REQUIRED', field]]);
    expect(codesOf(user({ [field]: 'plan=gold' }))).toEqual([['OBJECT_REQUIRED', field]]);
  });

  it('custom_password_hash must be an object', () => {
    expect(codesOf(user({ custom_password_hash: 'md5:abc' }))).toEqual([['OBJECT_REQUIRED', 'custom_password_hash']]);
    expect(codesOf(user({ custom_password_hash: [] }))).toEqual([['OBJECT_REQUIRED', 'custom_password_hash']]);
  });
});

describe('validateUser: unknown fields', () => {
  it('are UNKNOWN_FIELD at their own path when rejectUnknownFields is on', () => {
    expect(codesOf(user({ nick: 'a', 'address.city': 'x' }))).toEqual([
      ['UNKNOWN_FIELD', 'nick'],
      ['UNKNOWN_FIELD', 'address.city'],
    ]);
  });

  it('are ignored when rejectUnknownFields is off', () => {
    expect(codesOf(user({ nick: 'a', department: 'R&D' }), false)).toEqual([]);
  });

  it('includes keys that merely look like Object.prototype members', () => {
    expect(codesOf(user({ constructor: 'x', toString: 'y' }))).toEqual([
      ['UNKNOWN_FIELD', 'constructor'],
      ['UNKNOWN_FIELD', 'toString'],
    ]);
  });

  it('does not switch off the nested unknown-key checks', () => {
    const record = user({ custom_password_hash: { algorithm: 'bcrypt', hash: { value: BCRYPT }, rounds: 10 } });
    expect(codesOf(record, false)).toEqual([['UNKNOWN_FIELD', 'custom_password_hash.rounds']]);
  });
});

describe('validateUser: several problems at once', () => {
  it('reports every error of the record, email first, then in key order', () => {
    const record = {
      email_verified: 'yes',
      username: 'has space',
      phone_number: '555-0100',
      given_name: '',
      picture: 'not a url',
      app_metadata: { email: 'x', 'a.b': 1 },
      mfa_factors: [{ totp: { secret: 'lowercase' } }],
      logins_count: -5,
      favourite_colour: 'blue',
    };
    expect(codesOf(record)).toEqual([
      ['REQUIRED', 'email'],
      ['INVALID_TYPE', 'email_verified'],
      ['PATTERN', 'username'],
      ['PATTERN', 'phone_number'],
      ['MIN_LENGTH', 'given_name'],
      ['FORMAT', 'picture'],
      ['FORMAT', 'app_metadata.a.b'],
      ['FORMAT', 'app_metadata.email'],
      ['PATTERN', 'mfa_factors[0].totp.secret'],
      ['FORMAT', 'logins_count'],
      ['UNKNOWN_FIELD', 'favourite_colour'],
    ]);
  });

  it('gives every error a code, a message and a path', () => {
    for (const e of errorsOf({ email: 1, blocked: 'x', foo: 1 })) {
      expect(Object.keys(e).sort()).toEqual(['code', 'message', 'path']);
      expect(e.message.length).toBeGreaterThan(0);
    }
  });
});

describe('validateUser: not an object', () => {
  it.each([[null], [[]], ['a@b.com'], [42]])('rejects %j as a whole', (record) => {
    expect(validateUser(record as unknown as Record<string, unknown>, { rejectUnknownFields: true }).map((e) => [e.code, e.path])).toEqual([
      ['OBJECT_REQUIRED', ''],
    ]);
  });
});
