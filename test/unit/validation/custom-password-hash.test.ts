import { describe, it, expect } from 'vitest';
import { ARGON2, BCRYPT, LDAP, PBKDF2, SHA256_HEX, errorsOf, hashCodes, user } from './fixtures.js';

const MD4_BASE64 = 'AbuUujgF0pPPkJPSFRTpmA==';
const SCRYPT_HEX = '097f6197e1b41538f723e32aa7a68e8d76227d8e432ce5faa4882a913032db29';

/** One valid custom_password_hash per algorithm (the import format's examples where it has one). */
const valid: Record<string, Record<string, unknown>> = {
  argon2: { algorithm: 'argon2', hash: { value: ARGON2 } },
  bcrypt: { algorithm: 'bcrypt', hash: { value: BCRYPT, encoding: 'utf8' }, salt: { value: 'pepper', position: 'suffix' } },
  hmac: {
    algorithm: 'hmac',
    hash: { value: 'cg7f42jH39/2EaAU4wNd4s2lKIk=', encoding: 'base64', digest: 'sha1', key: { value: '736868', encoding: 'hex' } },
  },
  ldap: { algorithm: 'ldap', hash: { value: LDAP, encoding: 'utf8' } },
  md4: { algorithm: 'md4', hash: { value: MD4_BASE64, encoding: 'base64' } },
  md5: { algorithm: 'md5', hash: { value: '67A1E09BB1F83F5007DC119C14D663AA', encoding: 'hex' }, salt: { value: 'salt' } },
  sha1: { algorithm: 'sha1', hash: { value: 'qUqP5cyxm6YcTAhz05Hph5gvu9M', encoding: 'base64' } },
  sha256: { algorithm: 'sha256', hash: { value: SHA256_HEX, encoding: 'hex' }, salt: { value: 'abc123', position: 'prefix' } },
  sha512: {
    algorithm: 'sha512',
    hash: { value: 'z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg_SpIdNs6c5H0NE8XYXysP-DGNKHfuwvY7kxvUdBeoGlODJ6-SfaPg', encoding: 'base64' },
    salt: { value: 'c2FsdA==', encoding: 'base64' },
    password: { encoding: 'utf16le' },
  },
  pbkdf2: { algorithm: 'pbkdf2', hash: { value: PBKDF2 } },
  scrypt: {
    algorithm: 'scrypt',
    hash: { value: SCRYPT_HEX, encoding: 'hex' },
    salt: { value: 'abc123', encoding: 'utf8' },
    keylen: 32,
    cost: 4096,
    blockSize: 8,
    parallelization: 1,
  },
};

function withHash(algorithm: string, hash: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { algorithm, hash, ...extra };
}

describe('custom_password_hash: one valid example per algorithm', () => {
  it('covers the 11 algorithms', () => {
    expect(Object.keys(valid)).toHaveLength(11);
  });

  it.each(Object.keys(valid))('%s is valid', (algorithm) => {
    expect(errorsOf(user({ custom_password_hash: valid[algorithm] }))).toEqual([]);
  });
});

describe('custom_password_hash: structure', () => {
  it('requires algorithm and hash', () => {
    expect(hashCodes({})).toEqual([
      ['REQUIRED', 'custom_password_hash.algorithm'],
      ['REQUIRED', 'custom_password_hash.hash'],
    ]);
  });

  it('rejects an unknown algorithm with ENUM_MISMATCH', () => {
    expect(hashCodes(withHash('sha384', { value: 'ab', encoding: 'hex' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.algorithm']]);
    expect(hashCodes(withHash('MD5', { value: 'ab', encoding: 'hex' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.algorithm']]);
  });

  it('rejects a non-string algorithm with INVALID_TYPE', () => {
    expect(hashCodes(withHash(5 as unknown as string, { value: 'x' }))).toEqual([['INVALID_TYPE', 'custom_password_hash.algorithm']]);
  });

  it('still checks the hash shape when the algorithm is invalid', () => {
    expect(hashCodes(withHash('rot13', { value: 'zz', encoding: 'hex' }))).toEqual([
      ['ENUM_MISMATCH', 'custom_password_hash.algorithm'],
      ['FORMAT', 'custom_password_hash.hash.value'],
    ]);
  });

  it('rejects unknown keys at every level, even with rejectUnknownFields off', () => {
    const value = {
      algorithm: 'hmac',
      iterations: 3,
      hash: { value: 'abcd', encoding: 'hex', digest: 'sha1', key: { value: 'k', kind: 'x' }, format: 'x' },
      salt: { value: 's', length: 1 },
      password: { encoding: 'utf8', charset: 'x' },
    };
    expect(errorsOf(user({ custom_password_hash: value }), false).map((e) => [e.code, e.path])).toEqual([
      ['UNKNOWN_FIELD', 'custom_password_hash.iterations'],
      ['UNKNOWN_FIELD', 'custom_password_hash.hash.format'],
      ['UNKNOWN_FIELD', 'custom_password_hash.hash.key.kind'],
      ['UNKNOWN_FIELD', 'custom_password_hash.salt.length'],
      ['UNKNOWN_FIELD', 'custom_password_hash.password.charset'],
    ]);
  });

  it('requires hash, salt, password and key to be objects', () => {
    expect(hashCodes(withHash('md5', 'abc' as unknown as Record<string, unknown>))).toEqual([['OBJECT_REQUIRED', 'custom_password_hash.hash']]);
    expect(hashCodes({ ...valid.md5, salt: 'salt' })).toEqual([['OBJECT_REQUIRED', 'custom_password_hash.salt']]);
    expect(hashCodes({ ...valid.md5, password: 'utf8' })).toEqual([['OBJECT_REQUIRED', 'custom_password_hash.password']]);
    const hmac = valid.hmac as { hash: Record<string, unknown> };
    expect(hashCodes(withHash('hmac', { ...hmac.hash, key: 'secret' }))).toEqual([['OBJECT_REQUIRED', 'custom_password_hash.hash.key']]);
  });

  it('requires hash.value as a non-empty string', () => {
    expect(hashCodes(withHash('md5', { encoding: 'hex' }))).toEqual([['REQUIRED', 'custom_password_hash.hash.value']]);
    expect(hashCodes(withHash('md5', { value: '', encoding: 'hex' }))).toEqual([['REQUIRED', 'custom_password_hash.hash.value']]);
    expect(hashCodes(withHash('md5', { value: 123, encoding: 'hex' }))).toEqual([['INVALID_TYPE', 'custom_password_hash.hash.value']]);
  });

  it('checks hash.encoding against base64, hex, utf8', () => {
    expect(hashCodes(withHash('md5', { value: 'abcd', encoding: 'binary' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.encoding']]);
    expect(hashCodes(withHash('md5', { value: 'abcd', encoding: 7 }))).toEqual([['INVALID_TYPE', 'custom_password_hash.hash.encoding']]);
  });

  it('accepts hex in either case and rejects invalid hex', () => {
    expect(hashCodes(withHash('md5', { value: 'AbCdEf0123456789', encoding: 'hex' }))).toEqual([]);
    expect(hashCodes(withHash('md5', { value: 'abcg', encoding: 'hex' }))).toEqual([['FORMAT', 'custom_password_hash.hash.value']]);
    expect(hashCodes(withHash('md5', { value: 'abc', encoding: 'hex' }))).toEqual([['FORMAT', 'custom_password_hash.hash.value']]);
  });

  it('accepts standard and url-safe base64 and rejects invalid base64', () => {
    expect(hashCodes(withHash('sha1', { value: 'a+b/cw==', encoding: 'base64' }))).toEqual([]);
    expect(hashCodes(withHash('sha1', { value: 'a-b_cw', encoding: 'base64' }))).toEqual([]);
    for (const value of ['a+b_cw==', 'abc!', 'abcde', 'ab=c', 'abc===']) {
      expect(hashCodes(withHash('sha1', { value, encoding: 'base64' }))).toEqual([['FORMAT', 'custom_password_hash.hash.value']]);
    }
  });

  it('checks salt: value required, encoding and position enums, value decodable', () => {
    expect(hashCodes({ ...valid.md5, salt: {} })).toEqual([['REQUIRED', 'custom_password_hash.salt.value']]);
    expect(hashCodes({ ...valid.md5, salt: { value: 5 } })).toEqual([['INVALID_TYPE', 'custom_password_hash.salt.value']]);
    expect(hashCodes({ ...valid.md5, salt: { value: 's', encoding: 'latin1' } })).toEqual([['ENUM_MISMATCH', 'custom_password_hash.salt.encoding']]);
    expect(hashCodes({ ...valid.md5, salt: { value: 's', position: 'middle' } })).toEqual([['ENUM_MISMATCH', 'custom_password_hash.salt.position']]);
    expect(hashCodes({ ...valid.md5, salt: { value: 'xyz', encoding: 'hex' } })).toEqual([['FORMAT', 'custom_password_hash.salt.value']]);
    expect(hashCodes({ ...valid.md5, salt: { value: 'c2FsdA', encoding: 'base64', position: 'suffix' } })).toEqual([]);
  });

  it('checks password.encoding', () => {
    for (const encoding of ['ascii', 'utf8', 'utf16le', 'ucs2', 'latin1', 'binary']) {
      expect(hashCodes({ ...valid.md5, password: { encoding } })).toEqual([]);
    }
    expect(hashCodes({ ...valid.md5, password: { encoding: 'utf-8' } })).toEqual([['ENUM_MISMATCH', 'custom_password_hash.password.encoding']]);
  });

  it('treats null optional parts as absent', () => {
    expect(hashCodes({ ...valid.md5, salt: null, password: null, cost: null })).toEqual([]);
  });

  it('never quotes secret values in messages', () => {
    const errors = errorsOf(
      user({ custom_password_hash: withHash('md5', { value: 'SECRETVALUEzz', encoding: 'hex' }, { salt: { value: 'SALTYzz', encoding: 'hex' } }) }),
    );
    expect(errors).toHaveLength(2);
    for (const e of errors) expect(e.message).not.toMatch(/SECRET|SALTY/);
  });
});

describe('custom_password_hash: argon2', () => {
  it('accepts argon2i/argon2d and a PHC string without version', () => {
    expect(hashCodes(withHash('argon2', { value: ARGON2.replace('argon2id', 'argon2i') }))).toEqual([]);
    expect(hashCodes(withHash('argon2', { value: ARGON2.replace('argon2id', 'argon2d').replace('v=19$', '') }))).toEqual([]);
  });

  it.each([
    ['no salt', '$argon2id$v=19$m=65536,t=2,p=1$m04qUAB8rexWDR4+/0f+SFB+4XMFxt7YAvAq2UycYos'],
    ['no parameters', '$argon2id$v=19$J6Q/82PCyaNpYKRELJyTZg$m04qUAB8rexWDR4+/0f+SFB+4XMFxt7YAvAq2UycYos'],
    ['not PHC', 'm04qUAB8rexWDR4+/0f+SFB+4XMFxt7YAvAq2UycYos'],
    ['another id', ARGON2.replace('argon2id', 'argon3')],
  ])('is FORMAT with %s', (_, value) => {
    expect(hashCodes(withHash('argon2', { value }))).toEqual([['FORMAT', 'custom_password_hash.hash.value']]);
  });

  it('requires utf8 encoding', () => {
    expect(hashCodes(withHash('argon2', { value: ARGON2, encoding: 'base64' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.encoding']]);
  });

  it('does not allow a salt object', () => {
    expect(hashCodes(withHash('argon2', { value: ARGON2 }, { salt: { value: 'abc' } }))).toEqual([['FORMAT', 'custom_password_hash.salt']]);
  });
});

describe('custom_password_hash: bcrypt', () => {
  it('accepts $2a$, $2b$ and $2y$', () => {
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      expect(hashCodes(withHash('bcrypt', { value: BCRYPT.replace('$2b$', prefix) }))).toEqual([]);
    }
  });

  it.each(['$2$', '$2x$', '$sha1$'])('is PATTERN with the %s prefix', (prefix) => {
    expect(hashCodes(withHash('bcrypt', { value: BCRYPT.replace('$2b$', prefix) }))).toEqual([['PATTERN', 'custom_password_hash.hash.value']]);
  });

  it('is PATTERN when incomplete', () => {
    expect(hashCodes(withHash('bcrypt', { value: '$2b$10$short' }))).toEqual([['PATTERN', 'custom_password_hash.hash.value']]);
  });

  it('requires utf8 encoding', () => {
    expect(hashCodes(withHash('bcrypt', { value: BCRYPT, encoding: 'hex' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.encoding']]);
  });

  it('rejects a prefix salt that fills the 72-byte input', () => {
    const at = (value: string, extra: Record<string, unknown> = {}) => hashCodes(withHash('bcrypt', { value: BCRYPT }, { salt: { value, ...extra } }));
    expect(at('s'.repeat(71))).toEqual([]);
    expect(at('s'.repeat(72))).toEqual([['MAX_LENGTH', 'custom_password_hash.salt.value']]);
    expect(at('é'.repeat(36))).toEqual([['MAX_LENGTH', 'custom_password_hash.salt.value']]);
    expect(at('ab'.repeat(72), { encoding: 'hex' })).toEqual([['MAX_LENGTH', 'custom_password_hash.salt.value']]);
    expect(at('ab'.repeat(71), { encoding: 'hex' })).toEqual([]);
    expect(at('s'.repeat(80), { position: 'suffix' })).toEqual([]);
  });
});

describe('custom_password_hash: hmac', () => {
  const hash = { value: 'cg7f42jH39/2EaAU4wNd4s2lKIk=', encoding: 'base64', digest: 'sha1', key: { value: 'k' } };

  it('accepts every documented digest', () => {
    for (const digest of ['md4', 'md5', 'ripemd160', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'whirlpool']) {
      expect(hashCodes(withHash('hmac', { ...hash, digest }))).toEqual([]);
    }
  });

  it('requires digest and key', () => {
    expect(hashCodes(withHash('hmac', { value: hash.value, encoding: 'base64' }))).toEqual([
      ['REQUIRED', 'custom_password_hash.hash.digest'],
      ['REQUIRED', 'custom_password_hash.hash.key'],
    ]);
  });

  it('requires key.value and checks key.encoding', () => {
    expect(hashCodes(withHash('hmac', { ...hash, key: { encoding: 'hex' } }))).toEqual([['REQUIRED', 'custom_password_hash.hash.key.value']]);
    expect(hashCodes(withHash('hmac', { ...hash, key: { value: 'k', encoding: 'ascii' } }))).toEqual([
      ['ENUM_MISMATCH', 'custom_password_hash.hash.key.encoding'],
    ]);
    expect(hashCodes(withHash('hmac', { ...hash, key: { value: 'zz', encoding: 'hex' } }))).toEqual([['FORMAT', 'custom_password_hash.hash.key.value']]);
  });

  it('is ENUM_MISMATCH for an unknown digest', () => {
    expect(hashCodes(withHash('hmac', { ...hash, digest: 'sha3-256' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.digest']]);
  });

  it('requires hex or base64 encoding', () => {
    expect(hashCodes(withHash('hmac', { ...hash, encoding: 'utf8' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.encoding']]);
    const { encoding: _, ...noEncoding } = hash;
    expect(hashCodes(withHash('hmac', noEncoding))).toEqual([['REQUIRED', 'custom_password_hash.hash.encoding']]);
  });

  it('does not allow digest or key with another algorithm', () => {
    expect(hashCodes(withHash('sha1', hash))).toEqual([
      ['FORMAT', 'custom_password_hash.hash.digest'],
      ['FORMAT', 'custom_password_hash.hash.key'],
    ]);
  });
});

describe('custom_password_hash: ldap', () => {
  it.each(['{MD5}X03MO1qnZdYdgyfeuILPmQ==', '{SMD5}X03MO1qnZdYdgyfeuILPmQabcd', '{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=', '{ssha512}abcdABCD', '{SHA256}abcd'])(
    'accepts %s',
    (value) => {
      expect(hashCodes(withHash('ldap', { value }))).toEqual([]);
    },
  );

  it.each([
    ['{CRYPT}', '{CRYPT}$1$abc$def'],
    ['an unknown scheme', '{PBKDF2}abcd'],
    ['no scheme', 'qUqP5cyxm6YcTAhz05Hph5gvu9M='],
    ['a non-base64 payload', '{SHA}not base64!'],
    ['an empty payload', '{SHA}'],
  ])('is FORMAT with %s', (_, value) => {
    expect(hashCodes(withHash('ldap', { value }))).toEqual([['FORMAT', 'custom_password_hash.hash.value']]);
  });

  it('says {CRYPT} is not supported', () => {
    const [error] = errorsOf(user({ custom_password_hash: withHash('ldap', { value: '{crypt}abc' }) }));
    expect(error?.message).toMatch(/\{crypt\}.*not supported/);
  });

  it('requires utf8 encoding and no salt', () => {
    expect(hashCodes(withHash('ldap', { value: LDAP, encoding: 'hex' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.encoding']]);
    expect(hashCodes(withHash('ldap', { value: LDAP }, { salt: { value: 'x' } }))).toEqual([['FORMAT', 'custom_password_hash.salt']]);
  });
});

describe.each(['md4', 'md5', 'sha1', 'sha256', 'sha512'])('custom_password_hash: %s', (algorithm) => {
  it('accepts hex and base64, with or without a salt', () => {
    expect(hashCodes(withHash(algorithm, { value: SHA256_HEX, encoding: 'hex' }))).toEqual([]);
    expect(hashCodes(withHash(algorithm, { value: MD4_BASE64, encoding: 'base64' }, { salt: { value: 'x' } }))).toEqual([]);
  });

  it('rejects utf8 and requires an encoding', () => {
    expect(hashCodes(withHash(algorithm, { value: SHA256_HEX, encoding: 'utf8' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.encoding']]);
    expect(hashCodes(withHash(algorithm, { value: SHA256_HEX }))).toEqual([['REQUIRED', 'custom_password_hash.hash.encoding']]);
  });
});

describe('custom_password_hash: pbkdf2', () => {
  it.each([
    ['the md4 example', '$pbkdf2-md4$i=100000,l=64$+N375B8q0Fw$fp2R9KAM4hK/votGHC5Fu+jhqbxUD8+Nic/EMSGvNC3UP/k7wSHI0uXluHRSkZfl/BOheYqNOemayG90ZaSSQw'],
    ['no parameters', '$pbkdf2-sha256$c2FsdA$aGFzaA'],
    ['only i', '$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA'],
    ['only l', '$pbkdf2-sha256$l=32$c2FsdA$aGFzaA'],
    ['an RSA- digest', '$pbkdf2-RSA-SHA256$i=1000,l=32$c2FsdA$aGFzaA'],
  ])('accepts %s', (_, value) => {
    expect(hashCodes(withHash('pbkdf2', { value, encoding: 'utf8' }))).toEqual([]);
  });

  it.each([
    ['an unsupported digest', '$pbkdf2-sha3-256$i=1000,l=32$c2FsdA$aGFzaA'],
    ['padded salt', '$pbkdf2-sha256$i=1000,l=32$c2FsdA==$aGFzaA'],
    ['padded hash', '$pbkdf2-sha256$i=1000,l=32$c2FsdA$aGFzaA=='],
    ['no salt', '$pbkdf2-sha256$i=1000,l=32$aGFzaA'],
    ['zero iterations', '$pbkdf2-sha256$i=0,l=32$c2FsdA$aGFzaA'],
    ['passlib form', '$pbkdf2-sha256$29000$c2FsdA$aGFzaA'],
    ['not PHC', 'c2FsdA$aGFzaA'],
  ])('is FORMAT with %s', (_, value) => {
    expect(hashCodes(withHash('pbkdf2', { value }))).toEqual([['FORMAT', 'custom_password_hash.hash.value']]);
  });

  it('names the padding problem', () => {
    const [error] = errorsOf(user({ custom_password_hash: withHash('pbkdf2', { value: '$pbkdf2-sha256$i=1$c2FsdA==$aGFzaA' }) }));
    expect(error?.message).toMatch(/padding/);
  });

  it('requires utf8 encoding and no salt', () => {
    expect(hashCodes(withHash('pbkdf2', { value: PBKDF2, encoding: 'base64' }))).toEqual([['ENUM_MISMATCH', 'custom_password_hash.hash.encoding']]);
    expect(hashCodes(withHash('pbkdf2', { value: PBKDF2 }, { salt: { value: 'x' } }))).toEqual([['FORMAT', 'custom_password_hash.salt']]);
  });
});

describe('custom_password_hash: scrypt', () => {
  const hash = { value: SCRYPT_HEX, encoding: 'hex' };

  it('requires keylen', () => {
    expect(hashCodes(withHash('scrypt', hash))).toEqual([['REQUIRED', 'custom_password_hash.keylen']]);
  });

  it('requires keylen to be a positive integer', () => {
    expect(hashCodes(withHash('scrypt', hash, { keylen: 0 }))).toEqual([['FORMAT', 'custom_password_hash.keylen']]);
    expect(hashCodes(withHash('scrypt', hash, { keylen: 1.5 }))).toEqual([['INVALID_TYPE', 'custom_password_hash.keylen']]);
    expect(hashCodes(withHash('scrypt', hash, { keylen: '32' }))).toEqual([['INVALID_TYPE', 'custom_password_hash.keylen']]);
  });

  it('requires cost to be a power of two greater than 1', () => {
    for (const cost of [2, 1024, 16384, 2 ** 40]) expect(hashCodes(withHash('scrypt', hash, { keylen: 32, cost }))).toEqual([]);
    for (const cost of [1, 0, 3, 1000, -16]) {
      expect(hashCodes(withHash('scrypt', hash, { keylen: 32, cost }))).toEqual([['FORMAT', 'custom_password_hash.cost']]);
    }
    expect(hashCodes(withHash('scrypt', hash, { keylen: 32, cost: 'high' }))).toEqual([['INVALID_TYPE', 'custom_password_hash.cost']]);
  });

  it('requires positive integer blockSize and parallelization', () => {
    expect(hashCodes(withHash('scrypt', hash, { keylen: 32, blockSize: 0, parallelization: 2.5 }))).toEqual([
      ['FORMAT', 'custom_password_hash.blockSize'],
      ['INVALID_TYPE', 'custom_password_hash.parallelization'],
    ]);
  });

  it('requires hex or base64 encoding', () => {
    expect(hashCodes(withHash('scrypt', { value: SCRYPT_HEX, encoding: 'utf8' }, { keylen: 32 }))).toEqual([
      ['ENUM_MISMATCH', 'custom_password_hash.hash.encoding'],
    ]);
  });

  it('ignores scrypt parameters for other algorithms but still checks their type', () => {
    expect(hashCodes({ ...valid.md5, keylen: 32, cost: 1024 })).toEqual([]);
    expect(hashCodes({ ...valid.md5, keylen: -1 })).toEqual([['FORMAT', 'custom_password_hash.keylen']]);
  });
});
