import type { RejectError } from './reject.js';
import type { AlgorithmRule } from './hash-algorithms.js';
import type { FieldCheck, JsonObject } from './checks.js';
import { checkIntegerAtLeast, hasUnknownKey, isAbsent, isObject, jsonType, quote, report, reportUnknownKeys } from './checks.js';
import { algorithmRules } from './hash-algorithms.js';
import { checkHash, checkPassword, checkSalt } from './hash-parts.js';

const BASE = 'custom_password_hash';
const ALGORITHM = `${BASE}.algorithm`;
const KEYLEN = `${BASE}.keylen`;
const COST = `${BASE}.cost`;
const BLOCK_SIZE = `${BASE}.blockSize`;
const PARALLELIZATION = `${BASE}.parallelization`;

const knownKeys: ReadonlySet<string> = new Set(['algorithm', 'hash', 'salt', 'password', 'keylen', 'cost', 'blockSize', 'parallelization']);

/**
 * `custom_password_hash`: a hash from another system, checked against the per-algorithm rules so that a
 * record is rejected at import rather than its user being locked out at first login.
 * Unknown keys are always rejected here (the format's `additionalProperties: false`), whatever the
 * source: a misspelt `salt` would otherwise silently make every login fail.
 */
export const checkCustomPasswordHash: FieldCheck = (errors, value, record) => {
  if (!isObject(value)) {
    report(errors, 'OBJECT_REQUIRED', BASE, `expected an object, got ${jsonType(value)}`);
    return;
  }
  if (!isAbsent(record.password_hash)) {
    report(errors, 'FORMAT', BASE, 'password_hash and custom_password_hash cannot both be set; keep only one');
  }
  if (hasUnknownKey(value, knownKeys)) reportUnknownKeys(errors, value, knownKeys, BASE);
  const rule = checkAlgorithm(errors, value.algorithm);
  checkHash(errors, value.hash, rule);
  checkSalt(errors, value.salt, rule);
  checkPassword(errors, value.password);
  checkScryptParameters(errors, value, rule);
};

/** The rule for a valid algorithm; undefined (after reporting) otherwise. */
function checkAlgorithm(errors: RejectError[], value: unknown): AlgorithmRule | undefined {
  if (isAbsent(value) || value === '') {
    report(errors, 'REQUIRED', ALGORITHM, 'algorithm is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    report(errors, 'INVALID_TYPE', ALGORITHM, `expected string, got ${jsonType(value)}`);
    return undefined;
  }
  const rule = algorithmRules.get(value);
  if (rule === undefined) {
    report(errors, 'ENUM_MISMATCH', ALGORITHM, `expected one of ${[...algorithmRules.keys()].join(', ')}; got ${quote(value)}`);
  }
  return rule;
}

/**
 * keylen/cost/blockSize/parallelization only matter for scrypt (other algorithms ignore them), but a
 * present value must still be well-formed, whatever the algorithm.
 */
function checkScryptParameters(errors: RejectError[], value: JsonObject, rule: AlgorithmRule | undefined): void {
  if (!isAbsent(value.keylen)) checkIntegerAtLeast(errors, KEYLEN, value.keylen, 1);
  else if (rule?.scrypt === true) report(errors, 'REQUIRED', KEYLEN, 'keylen is required for algorithm scrypt (the key length in bytes)');
  if (!isAbsent(value.cost) && checkIntegerAtLeast(errors, COST, value.cost, 2) && !isPowerOfTwo(value.cost)) {
    report(errors, 'FORMAT', COST, `must be a power of two greater than 1; got ${value.cost}`);
  }
  if (!isAbsent(value.blockSize)) checkIntegerAtLeast(errors, BLOCK_SIZE, value.blockSize, 1);
  if (!isAbsent(value.parallelization)) checkIntegerAtLeast(errors, PARALLELIZATION, value.parallelization, 1);
}

/** For safe integers ≥ 1 (bitwise operators would truncate past 2^31). */
function isPowerOfTwo(n: number): boolean {
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
