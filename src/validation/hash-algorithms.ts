import type { Problem } from './checks.js';
import type { Encoding } from './encodings.js';
import { argon2Problem, bcryptProblem, ldapProblem, pbkdf2Problem } from './hash-formats.js';

export type Algorithm = 'argon2' | 'bcrypt' | 'hmac' | 'ldap' | 'md4' | 'md5' | 'sha1' | 'sha256' | 'sha512' | 'pbkdf2' | 'scrypt';

/** What `custom_password_hash` may and must contain for one algorithm (reference §1, "Rules per algorithm"). */
export interface AlgorithmRule {
  readonly name: Algorithm;
  /** Allowed `hash.encoding` values. When utf8 is not among them, `hash.encoding` is required. */
  readonly encodings: ReadonlySet<Encoding>;
  /** Whether a `salt` object is allowed; algorithms whose value embeds the salt forbid a separate one. */
  readonly salt: boolean;
  /** hmac: `hash.digest` and `hash.key` are required (and not allowed for any other algorithm). */
  readonly hmac: boolean;
  /** scrypt: `keylen` is required. */
  readonly scrypt: boolean;
  /** Shape of `hash.value` for algorithms whose value is a self-describing string. */
  readonly value?: (value: string) => Problem | null;
  /** Upper bound (exclusive) on the decoded salt size: bcrypt reads only 72 bytes of salt + password. */
  readonly saltBytesBelow?: number;
}

const utf8Only: ReadonlySet<Encoding> = new Set<Encoding>(['utf8']);
const binary: ReadonlySet<Encoding> = new Set<Encoding>(['hex', 'base64']);

const plainDigest = (name: Algorithm): AlgorithmRule => ({ name, encodings: binary, salt: true, hmac: false, scrypt: false });

export const algorithmRules: ReadonlyMap<string, AlgorithmRule> = new Map<string, AlgorithmRule>([
  ['argon2', { name: 'argon2', encodings: utf8Only, salt: false, hmac: false, scrypt: false, value: argon2Problem }],
  ['bcrypt', { name: 'bcrypt', encodings: utf8Only, salt: true, hmac: false, scrypt: false, value: bcryptProblem, saltBytesBelow: 72 }],
  ['hmac', { name: 'hmac', encodings: binary, salt: true, hmac: true, scrypt: false }],
  ['ldap', { name: 'ldap', encodings: utf8Only, salt: false, hmac: false, scrypt: false, value: ldapProblem }],
  ['md4', plainDigest('md4')],
  ['md5', plainDigest('md5')],
  ['sha1', plainDigest('sha1')],
  ['sha256', plainDigest('sha256')],
  ['sha512', plainDigest('sha512')],
  ['pbkdf2', { name: 'pbkdf2', encodings: utf8Only, salt: false, hmac: false, scrypt: false, value: pbkdf2Problem }],
  ['scrypt', { name: 'scrypt', encodings: binary, salt: true, hmac: false, scrypt: true }],
]);

/** "utf8" or "hex or base64", for messages. */
export function describeEncodings(rule: AlgorithmRule): string {
  return [...rule.encodings].join(' or ');
}
