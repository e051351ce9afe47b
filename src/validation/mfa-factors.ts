import type { RejectError } from './reject.js';
import type { FieldCheck, JsonObject } from './checks.js';
import { hasUnknownKey, isAbsent, isObject, jsonType, report, reportType, reportUnknownKeys } from './checks.js';
import { emailProblem } from './email.js';
import { isBase32, isE164 } from './patterns.js';

/*
 * mfa_factors: 1–10 enrollments, each an object with exactly one of totp, phone, email (the format's
 * `maxProperties: 1`, `additionalProperties: false`). Unknown keys are always rejected: a factor the
 * store cannot read would leave the user unable to pass MFA.
 * Paths carry the item index (`mfa_factors[2].totp.secret`) and are built only when reporting.
 */
const FIELD = 'mfa_factors';
const MIN_FACTORS = 1;
const MAX_FACTORS = 10;

type FactorCheck = (errors: RejectError[], value: JsonObject, index: number) => void;

const factorChecks: ReadonlyMap<string, FactorCheck> = new Map<string, FactorCheck>([
  ['totp', checkTotp],
  ['phone', checkPhone],
  ['email', checkEmail],
]);
const factorKinds = [...factorChecks.keys()].join(', ');
const totpKeys: ReadonlySet<string> = new Set(['secret']);
const valueKeys: ReadonlySet<string> = new Set(['value']);

export const checkMfaFactors: FieldCheck = (errors, value) => {
  if (!Array.isArray(value)) {
    reportType(errors, FIELD, 'array', value);
    return;
  }
  if (value.length < MIN_FACTORS) report(errors, 'MIN_LENGTH', FIELD, `must have at least ${MIN_FACTORS} factor`);
  if (value.length > MAX_FACTORS) report(errors, 'MAX_LENGTH', FIELD, `must have at most ${MAX_FACTORS} factors; got ${value.length}`);
  for (let i = 0; i < value.length; i++) checkFactor(errors, value[i], i);
};

function checkFactor(errors: RejectError[], item: unknown, index: number): void {
  if (!isObject(item)) {
    report(errors, 'OBJECT_REQUIRED', itemPath(index), `expected an object with one of ${factorKinds}, got ${jsonType(item)}`);
    return;
  }
  let kinds = 0;
  for (const key in item) {
    const check = factorChecks.get(key);
    const factor = item[key];
    if (check === undefined) {
      report(errors, 'UNKNOWN_FIELD', `${itemPath(index)}.${key}`, `unknown factor type "${key}"; expected one of ${factorKinds}`);
    } else if (!isAbsent(factor)) {
      kinds++;
      if (isObject(factor)) check(errors, factor, index);
      else report(errors, 'OBJECT_REQUIRED', `${itemPath(index)}.${key}`, `expected an object, got ${jsonType(factor)}`);
    }
  }
  if (kinds === 0) report(errors, 'REQUIRED', itemPath(index), `a factor needs one of ${factorKinds}`);
  if (kinds > 1) report(errors, 'FORMAT', itemPath(index), `a factor must have exactly one of ${factorKinds}; got ${kinds}`);
}

function checkTotp(errors: RejectError[], totp: JsonObject, index: number): void {
  if (hasUnknownKey(totp, totpKeys)) reportUnknownKeys(errors, totp, totpKeys, `${itemPath(index)}.totp`);
  const secret = totp.secret;
  if (typeof secret === 'string' && isBase32(secret)) return;
  const path = `${itemPath(index)}.totp.secret`;
  if (isAbsent(secret) || secret === '') report(errors, 'REQUIRED', path, 'totp.secret is required');
  else if (typeof secret !== 'string') reportType(errors, path, 'string', secret);
  else report(errors, 'PATTERN', path, 'must be un-padded base32: upper-case A-Z and digits 2-7 only');
}

function checkPhone(errors: RejectError[], phone: JsonObject, index: number): void {
  if (hasUnknownKey(phone, valueKeys)) reportUnknownKeys(errors, phone, valueKeys, `${itemPath(index)}.phone`);
  const value = phone.value;
  if (typeof value === 'string' && isE164(value)) return;
  const path = `${itemPath(index)}.phone.value`;
  if (isAbsent(value) || value === '') report(errors, 'REQUIRED', path, 'phone.value is required');
  else if (typeof value !== 'string') reportType(errors, path, 'string', value);
  else report(errors, 'PATTERN', path, 'must be an E.164 phone number: + then 1 to 15 digits, e.g. +12125550001');
}

function checkEmail(errors: RejectError[], email: JsonObject, index: number): void {
  if (hasUnknownKey(email, valueKeys)) reportUnknownKeys(errors, email, valueKeys, `${itemPath(index)}.email`);
  const value = email.value;
  const problem = typeof value === 'string' && value !== '' ? emailProblem(value) : undefined;
  if (problem === null) return;
  const path = `${itemPath(index)}.email.value`;
  if (isAbsent(value) || value === '') report(errors, 'REQUIRED', path, 'email.value is required');
  else if (problem === undefined) reportType(errors, path, 'string', value);
  else report(errors, problem.code, path, problem.message);
}

function itemPath(index: number): string {
  return `${FIELD}[${index}]`;
}
