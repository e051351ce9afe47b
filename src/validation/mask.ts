import type { JsonObject } from './checks.js';
import { isAbsent, isObject } from './checks.js';
import { setOwnField } from './own-field.js';

/*
 * Secrets are masked before a record is written to rejects.ndjson, as the import platform's error
 * report shows `hash.value` as "*****". Masked: password_hash; custom_password_hash's hash value, HMAC
 * key value and salt value (and the older string `hash`, `salt_prefix`, `salt_suffix` form); and any key
 * named password or secret (any case) at any depth, which covers mfa_factors[*].totp.secret.
 * custom_password_hash.password is the exception: it is `{ encoding }`, a setting, not a secret.
 */
export const MASK = '*****';

/** Past this depth everything is masked: hostile nesting must not exhaust the stack, and must not leak. */
const MAX_DEPTH = 256;
const SECRET_KEY = /^(?:password|secret)$/i;

/** Target columns whose values are secrets (or hold them, as mfa_factors holds TOTP secrets). */
const SECRET_COLUMN = /password|secret|token|credential|^mfa_factors$/i;

export function isSecretColumn(column: string): boolean {
  return SECRET_COLUMN.test(column);
}

/**
 * A key or CSV column whose value is masked wherever it is found in text no parser can read (a
 * malformed record's raw text): what maskRecord masks by name, and what a column so named would
 * be. Generous on purpose: `password_reset_at` is masked too, which costs a date, where a miss
 * costs a secret.
 */
export function isSecretName(name: string): boolean {
  return name === 'password_hash' || SECRET_KEY.test(name) || SECRET_COLUMN.test(name);
}

/**
 * A deep copy of `record` with secrets replaced by "*****"; the input is never modified. A secret
 * column given as text (a CSV cell holding custom_password_hash's or mfa_factors' JSON, not yet
 * parsed, or not parseable) is hidden whole: its secrets cannot be picked out of the text.
 */
export function maskRecord(record: unknown): unknown {
  if (!isObject(record)) return copy(record, 0);
  const out: JsonObject = {};
  for (const key in record) {
    const value = record[key];
    if (key === 'password_hash' || SECRET_KEY.test(key) || (typeof value === 'string' && isSecretColumn(key))) setOwnField(out, key, hide(value));
    else if (key === 'custom_password_hash' && isObject(value)) setOwnField(out, key, maskCustomPasswordHash(value));
    else setOwnField(out, key, copy(value, 1));
  }
  return out;
}

function maskCustomPasswordHash(value: JsonObject): JsonObject {
  const out = copyObject(value, 1, true);
  if (isObject(out.hash)) {
    maskKey(out.hash, 'value');
    if (isObject(out.hash.key)) maskKey(out.hash.key, 'value');
  } else maskKey(out, 'hash');
  if (isObject(out.salt)) maskKey(out.salt, 'value');
  maskKey(out, 'salt_prefix');
  maskKey(out, 'salt_suffix');
  return out;
}

function copy(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return MASK;
  if (Array.isArray(value)) return value.map((item: unknown) => copy(item, depth + 1));
  return copyObject(value as JsonObject, depth, false);
}

/** `keepPasswordObject`: inside custom_password_hash, `password` is the `{ encoding }` setting. */
function copyObject(value: JsonObject, depth: number, keepPasswordObject: boolean): JsonObject {
  const out: JsonObject = {};
  for (const key in value) {
    const item = value[key];
    const setting = keepPasswordObject && key === 'password' && isObject(item);
    setOwnField(out, key, SECRET_KEY.test(key) && !setting ? hide(item) : copy(item, depth + 1));
  }
  return out;
}

/** Replaces a present value; null and absent stay as they are (nothing to hide, and the reader sees it was empty). */
function hide(value: unknown): unknown {
  return isAbsent(value) ? value : MASK;
}

function maskKey(obj: JsonObject, key: string): void {
  if (Object.hasOwn(obj, key)) obj[key] = hide(obj[key]);
}
