import type { RejectError } from './reject.js';
import type { FieldCheck } from './checks.js';
import { isAbsent, isObject, jsonType, report } from './checks.js';
import { checkCustomPasswordHash } from './custom-password-hash.js';
import { checkAppMetadata, checkUserMetadata } from './metadata.js';
import { checkMfaFactors } from './mfa-factors.js';
import {
  booleanField,
  checkEmailField,
  checkLoginsCount,
  checkPasswordHash,
  checkPhoneNumber,
  checkPicture,
  checkUsername,
  dateTimeField,
  identifierField,
  MAX_USER_ID_LENGTH,
  nameField,
} from './profile-fields.js';

export interface ValidateUserOptions {
  /**
   * Reject top-level fields outside the user profile (UNKNOWN_FIELD). On for user files (JSON/NDJSON),
   * where the format forbids them; off where mapped columns may carry extras for other tables.
   * Unknown keys inside custom_password_hash and mfa_factors are rejected either way.
   */
  rejectUnknownFields: boolean;
}

/** The user profile's top-level fields (DESIGN.md "Records") and the check for each. */
const fieldChecks: ReadonlyMap<string, FieldCheck> = new Map<string, FieldCheck>([
  ['user_id', identifierField('user_id', MAX_USER_ID_LENGTH)],
  ['email', checkEmailField],
  ['email_verified', booleanField('email_verified')],
  ['username', checkUsername],
  ['phone_number', checkPhoneNumber],
  ['phone_verified', booleanField('phone_verified')],
  ['given_name', nameField('given_name', 1, 150)],
  ['family_name', nameField('family_name', 1, 150)],
  ['name', nameField('name', 1, 150)],
  ['nickname', nameField('nickname', 1, 350)],
  ['picture', checkPicture],
  ['blocked', booleanField('blocked')],
  ['password_hash', checkPasswordHash],
  ['custom_password_hash', checkCustomPasswordHash],
  ['app_metadata', checkAppMetadata],
  ['user_metadata', checkUserMetadata],
  ['mfa_factors', checkMfaFactors],
  ['connection', identifierField('connection')],
  ['created_at', dateTimeField('created_at')],
  ['updated_at', dateTimeField('updated_at')],
  ['last_login', dateTimeField('last_login')],
  ['logins_count', checkLoginsCount],
]);

export const userFields: readonly string[] = [...fieldChecks.keys()];

/**
 * Every problem of one record under `validate.schema: user` (DESIGN.md "Records"), in the record's key
 * order after a missing email; [] when the record is valid. Pure and allocation-free for valid records
 * apart from the returned array: it runs once per record on the hot path.
 */
export function validateUser(record: Record<string, unknown>, options: ValidateUserOptions): RejectError[] {
  const errors: RejectError[] = [];
  if (!isObject(record)) {
    report(errors, 'OBJECT_REQUIRED', '', `a user record must be an object, got ${jsonType(record)}`);
    return errors;
  }
  if (isAbsent(record.email) || record.email === '') report(errors, 'REQUIRED', 'email', 'email is required');
  for (const key in record) {
    const check = fieldChecks.get(key);
    if (check === undefined) {
      if (options.rejectUnknownFields) report(errors, 'UNKNOWN_FIELD', key, `unknown field "${key}" (not a user profile field)`);
      continue;
    }
    const value = record[key];
    if (!isAbsent(value)) check(errors, value, record);
  }
  return errors;
}
