import type { Problem } from './checks.js';
import { quote } from './checks.js';
import { isBase64 } from './encodings.js';

/*
 * Shapes of the hash strings that carry their own parameters (algorithm `utf8` encodings). A prefix or
 * charset mismatch is PATTERN; a malformed structured string (PHC, RFC 2307) is FORMAT.
 * Each function returns null for a valid value and allocates only when it reports a problem.
 */

/** bcrypt: $2<v>$<cost 04–31>$ + 22 characters of salt + 31 of hash, in bcrypt's ./A-Za-z0-9 alphabet. */
const BCRYPT_BODY = /^\$2[aby]\$(?:0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
const BCRYPT_IMPORT_PREFIX = /^\$2[ab]\$/;
const BCRYPT_CUSTOM_PREFIX = /^\$2[aby]\$/;

const bcryptIncomplete: Problem = {
  code: 'PATTERN',
  message: 'is not a complete bcrypt hash: expected $2b$<cost 04-31>$ followed by 53 characters of ./A-Za-z0-9',
};

const bcryptImportCost: Problem = {
  code: 'PATTERN',
  message: 'must be a bcrypt hash of cost 10 ($2b$10$…); a bcrypt hash of another cost goes in custom_password_hash with algorithm bcrypt',
};

/**
 * `password_hash`: only $2a$ and $2b$ of cost 10 are accepted there (the import format's rule:
 * "bcrypt $2a$ or $2b$ with 10 salt rounds"); custom_password_hash takes any other cost.
 */
export function passwordHashProblem(value: string): Problem | null {
  if (!BCRYPT_IMPORT_PREFIX.test(value)) {
    return { code: 'PATTERN', message: 'must be a bcrypt hash starting with $2a$ or $2b$ (other algorithms go in custom_password_hash)' };
  }
  if (!BCRYPT_BODY.test(value)) return bcryptIncomplete;
  // The prefix is 4 characters ($2a$ or $2b$), so the cost is the two digits after it.
  return value.startsWith('10$', 4) ? null : bcryptImportCost;
}

/** `custom_password_hash` with algorithm bcrypt: $2y$ (PHP's name for $2b$) is accepted too. */
export function bcryptProblem(value: string): Problem | null {
  if (!BCRYPT_CUSTOM_PREFIX.test(value)) {
    return { code: 'PATTERN', message: 'must start with $2a$, $2b$ or $2y$ ($2$, $2x$ and other variants are not supported)' };
  }
  return BCRYPT_BODY.test(value) ? null : bcryptIncomplete;
}

/**
 * argon2: PHC string format with the salt inside, as the argon2 reference implementation writes it.
 * The version segment is optional (argon2 1.0 hashes lack it); keyid/data are the optional PHC params.
 * PHC's B64 has no `=` padding.
 */
const ARGON2 =
  /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=[1-9]\d*,t=[1-9]\d*,p=[1-9]\d*(?:,keyid=[A-Za-z0-9+/]+)?(?:,data=[A-Za-z0-9+/]+)?\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

export function argon2Problem(value: string): Problem | null {
  if (ARGON2.test(value)) return null;
  return {
    code: 'FORMAT',
    message: 'is not an argon2 PHC string: expected $argon2id$v=19$m=<memory>,t=<iterations>,p=<parallelism>$<base64 salt>$<base64 hash>',
  };
}

/** ldap: RFC 2307 `{SCHEME}base64`. Scheme names are case-insensitive; {CRYPT} depends on the host's crypt(3). */
const LDAP_FORM = /^\{[^}]*\}/;
const LDAP_SCHEME = /^\{(?:S?MD5|S?SHA(?:1|224|256|384|512)?)\}/i;
const LDAP_CRYPT = /^\{CRYPT\}/i;

export function ldapProblem(value: string): Problem | null {
  if (!LDAP_FORM.test(value)) {
    return { code: 'FORMAT', message: 'is not an RFC 2307 userPassword value: expected {SCHEME}<base64>, e.g. {SSHA}…' };
  }
  if (!LDAP_SCHEME.test(value)) {
    const scheme = value.slice(0, value.indexOf('}') + 1);
    const why = LDAP_CRYPT.test(value) ? 'is not supported (its result depends on the system crypt(3))' : 'is not supported';
    return { code: 'FORMAT', message: `scheme ${quote(scheme)} ${why}; expected {MD5}, {SMD5}, {SHA*} or {SSHA*}` };
  }
  if (isBase64(value, value.indexOf('}') + 1)) return null;
  return { code: 'FORMAT', message: 'the part after the {SCHEME} prefix is not valid base64' };
}

/** pbkdf2 digests: the list the import format documents (Node crypto names). Case-sensitive, as written there. */
export const pbkdf2Digests: readonly string[] = [
  'RSA-MD4',
  'RSA-MD5',
  'RSA-MDC2',
  'RSA-RIPEMD160',
  'RSA-SHA1',
  'RSA-SHA1-2',
  'RSA-SHA224',
  'RSA-SHA256',
  'RSA-SHA384',
  'RSA-SHA512',
  'md4',
  'md4WithRSAEncryption',
  'md5',
  'md5WithRSAEncryption',
  'mdc2',
  'mdc2WithRSA',
  'ripemd',
  'ripemd160',
  'ripemd160WithRSA',
  'rmd160',
  'sha1',
  'sha1WithRSAEncryption',
  'sha224',
  'sha224WithRSAEncryption',
  'sha256',
  'sha256WithRSAEncryption',
  'sha384',
  'sha384WithRSAEncryption',
  'sha512',
  'sha512WithRSAEncryption',
  'ssl3-md5',
  'ssl3-sha1',
  'whirlpool',
];

/** `$pbkdf2-<digest>[$i=<n>[,l=<n>] | $l=<n>]$<salt>$<hash>`; i and l default to 100000 and 64 when omitted. */
const PBKDF2 = new RegExp(`^\\$pbkdf2-(?:${pbkdf2Digests.join('|')})(?:\\$(?:i=[1-9]\\d*(?:,l=[1-9]\\d*)?|l=[1-9]\\d*))?\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+$`);
const PBKDF2_ID = /^\$pbkdf2-([^$]*)\$/;
const digestSet: ReadonlySet<string> = new Set(pbkdf2Digests);
const PADDED = /[A-Za-z0-9+/]=+(?:\$|$)/;

export function pbkdf2Problem(value: string): Problem | null {
  if (PBKDF2.test(value)) return null;
  const digest = PBKDF2_ID.exec(value)?.[1];
  if (digest !== undefined && !digestSet.has(digest)) {
    return { code: 'FORMAT', message: `unsupported pbkdf2 digest ${quote(digest)}; expected one of ${pbkdf2Digests.join(', ')}` };
  }
  const padding = PADDED.test(value) ? ' (PHC base64 has no = padding)' : '';
  return {
    code: 'FORMAT',
    message: `is not a pbkdf2 PHC string: expected $pbkdf2-<digest>$i=<iterations>,l=<keylen>$<base64 salt>$<base64 hash>${padding}`,
  };
}
