import type { RejectError } from './reject.js';
import type { AlgorithmRule } from './hash-algorithms.js';
import type { Encoding } from './encodings.js';
import type { JsonObject } from './checks.js';
import { checkEnum, hasUnknownKey, isAbsent, isObject, jsonType, report, reportUnknownKeys, requiredString } from './checks.js';
import { decodedByteLength, encodingProblem, encodings } from './encodings.js';
import { describeEncodings } from './hash-algorithms.js';

/*
 * The sub-objects of custom_password_hash: hash (with the hmac digest and key), salt and password.
 * `rule` is undefined when the algorithm itself is invalid: the shapes are still checked, the
 * per-algorithm requirements are not (they would only repeat the algorithm error).
 * Messages never quote hash, salt or key values: they are secrets.
 */

// Paths are module constants so that checking a valid record builds no strings.
const HASH = 'custom_password_hash.hash';
const HASH_VALUE = `${HASH}.value`;
const HASH_ENCODING = `${HASH}.encoding`;
const HASH_DIGEST = `${HASH}.digest`;
const KEY = `${HASH}.key`;
const KEY_VALUE = `${KEY}.value`;
const KEY_ENCODING = `${KEY}.encoding`;
const SALT = 'custom_password_hash.salt';
const SALT_VALUE = `${SALT}.value`;
const SALT_ENCODING = `${SALT}.encoding`;
const SALT_POSITION = `${SALT}.position`;
const PASSWORD = 'custom_password_hash.password';
const PASSWORD_ENCODING = `${PASSWORD}.encoding`;

const hashKeys: ReadonlySet<string> = new Set(['value', 'encoding', 'digest', 'key']);
const keyKeys: ReadonlySet<string> = new Set(['value', 'encoding']);
const saltKeys: ReadonlySet<string> = new Set(['value', 'encoding', 'position']);
const passwordKeys: ReadonlySet<string> = new Set(['encoding']);
const hmacDigests: ReadonlySet<string> = new Set(['md4', 'md5', 'ripemd160', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'whirlpool']);
const saltPositions: ReadonlySet<string> = new Set(['prefix', 'suffix']);
const passwordEncodings: ReadonlySet<string> = new Set(['ascii', 'utf8', 'utf16le', 'ucs2', 'latin1', 'binary']);

export function checkHash(errors: RejectError[], hash: unknown, rule: AlgorithmRule | undefined): void {
  if (isAbsent(hash)) {
    report(errors, 'REQUIRED', HASH, 'hash is required (an object with value and encoding)');
    return;
  }
  if (!isObject(hash)) {
    report(errors, 'OBJECT_REQUIRED', HASH, `expected an object, got ${jsonType(hash)}`);
    return;
  }
  if (hasUnknownKey(hash, hashKeys)) reportUnknownKeys(errors, hash, hashKeys, HASH);
  const encoding = hashEncoding(errors, hash.encoding, rule);
  const value = requiredString(errors, HASH_VALUE, hash.value, 'hash.value');
  if (value !== undefined) {
    if (encoding !== undefined) checkEncoded(errors, HASH_VALUE, value, encoding);
    const shape = rule?.value?.(value);
    if (shape) report(errors, shape.code, HASH_VALUE, shape.message);
  }
  checkHmacParts(errors, hash, rule);
}

/** The encoding to decode hash.value with, or undefined when it is missing or not allowed (already reported). */
function hashEncoding(errors: RejectError[], value: unknown, rule: AlgorithmRule | undefined): Encoding | undefined {
  const path = HASH_ENCODING;
  if (isAbsent(value)) {
    // The format gives hash.encoding no default; utf8-only algorithms need none, binary digests must say which.
    if (rule === undefined) return undefined;
    if (rule.encodings.has('utf8')) return 'utf8';
    report(errors, 'REQUIRED', path, `hash.encoding is required for algorithm ${rule.name}: ${describeEncodings(rule)}`);
    return undefined;
  }
  const encoding = checkEnum(errors, path, value, encodings);
  if (encoding === undefined || rule === undefined || rule.encodings.has(encoding)) return encoding;
  report(errors, 'ENUM_MISMATCH', path, `must be ${describeEncodings(rule)} for algorithm ${rule.name}; got "${encoding}"`);
  return undefined;
}

/** hmac needs a digest and a key; for any other algorithm they are a mistake (probably meant hmac). */
function checkHmacParts(errors: RejectError[], hash: JsonObject, rule: AlgorithmRule | undefined): void {
  if (rule !== undefined && !rule.hmac) {
    if (!isAbsent(hash.digest)) report(errors, 'FORMAT', HASH_DIGEST, `hash.digest is only used with algorithm hmac, not ${rule.name}`);
    if (!isAbsent(hash.key)) report(errors, 'FORMAT', KEY, `hash.key is only used with algorithm hmac, not ${rule.name}`);
    return;
  }
  if (!isAbsent(hash.digest)) checkEnum(errors, HASH_DIGEST, hash.digest, hmacDigests);
  else if (rule !== undefined) report(errors, 'REQUIRED', HASH_DIGEST, 'hash.digest is required for algorithm hmac');
  checkKey(errors, hash.key, rule !== undefined);
}

function checkKey(errors: RejectError[], key: unknown, required: boolean): void {
  if (isAbsent(key)) {
    if (required) report(errors, 'REQUIRED', KEY, 'hash.key is required for algorithm hmac (an object with value and encoding)');
    return;
  }
  if (!isObject(key)) {
    report(errors, 'OBJECT_REQUIRED', KEY, `expected an object, got ${jsonType(key)}`);
    return;
  }
  if (hasUnknownKey(key, keyKeys)) reportUnknownKeys(errors, key, keyKeys, KEY);
  const encoding = optionalEncoding(errors, KEY_ENCODING, key.encoding);
  const value = requiredString(errors, KEY_VALUE, key.value, 'hash.key.value');
  if (value !== undefined && encoding !== undefined) checkEncoded(errors, KEY_VALUE, value, encoding);
}

export function checkSalt(errors: RejectError[], salt: unknown, rule: AlgorithmRule | undefined): void {
  if (isAbsent(salt)) return;
  if (!isObject(salt)) {
    report(errors, 'OBJECT_REQUIRED', SALT, `expected an object, got ${jsonType(salt)}`);
    return;
  }
  if (rule !== undefined && !rule.salt) {
    report(errors, 'FORMAT', SALT, `salt is not allowed with algorithm ${rule.name}: the salt is part of hash.value`);
    return;
  }
  if (hasUnknownKey(salt, saltKeys)) reportUnknownKeys(errors, salt, saltKeys, SALT);
  const encoding = optionalEncoding(errors, SALT_ENCODING, salt.encoding);
  const position = isAbsent(salt.position) ? 'prefix' : checkEnum(errors, SALT_POSITION, salt.position, saltPositions);
  const value = requiredString(errors, SALT_VALUE, salt.value, 'salt.value');
  if (value === undefined || encoding === undefined || !checkEncoded(errors, SALT_VALUE, value, encoding)) return;
  if (rule !== undefined && position === 'prefix') checkSaltSize(errors, value, encoding, rule);
}

/** bcrypt hashes only the first 72 bytes of salt + password: a prefix salt that fills them makes every password match. */
function checkSaltSize(errors: RejectError[], value: string, encoding: Encoding, rule: AlgorithmRule): void {
  const limit = rule.saltBytesBelow;
  if (limit === undefined || decodedByteLength(value, encoding) < limit) return;
  const why = `${rule.name} reads only ${limit} bytes of salt + password, so the password would be ignored`;
  report(errors, 'MAX_LENGTH', SALT_VALUE, `must be under ${limit} bytes with salt.position prefix: ${why}`);
}

export function checkPassword(errors: RejectError[], password: unknown): void {
  if (isAbsent(password)) return;
  if (!isObject(password)) {
    report(errors, 'OBJECT_REQUIRED', PASSWORD, `expected an object, got ${jsonType(password)}`);
    return;
  }
  if (hasUnknownKey(password, passwordKeys)) reportUnknownKeys(errors, password, passwordKeys, PASSWORD);
  if (!isAbsent(password.encoding)) checkEnum(errors, PASSWORD_ENCODING, password.encoding, passwordEncodings);
}

/** salt and key encodings default to utf8. */
function optionalEncoding(errors: RejectError[], path: string, value: unknown): Encoding | undefined {
  return isAbsent(value) ? 'utf8' : checkEnum(errors, path, value, encodings);
}

function checkEncoded(errors: RejectError[], path: string, value: string, encoding: Encoding): boolean {
  const problem = encodingProblem(value, encoding);
  if (problem === null) return true;
  report(errors, 'FORMAT', path, `${problem}; the declared encoding is ${encoding}`);
  return false;
}
