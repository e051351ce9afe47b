import type { FieldCheck } from './checks.js';
import { checkIntegerAtLeast, checkLength, report, reportType } from './checks.js';
import { dateTimeProblem } from './date-time.js';
import { isEmail, profileEmailProblem } from './email.js';
import { passwordHashProblem } from './hash-formats.js';
import { isE164 } from './patterns.js';
import { codePointCount } from './text.js';

/*
 * Checks for the scalar profile fields (reference §1, "Top-level properties"). Each is called only for
 * a present, non-null value; whether email is present at all is checked by validateUser.
 */

/** Unaccented letters and digits plus @ ` ^ $ ! - # . + ' ~ _ (upper case is accepted: the store lower-cases it). */
const USERNAME = /^[A-Za-z0-9@`^$!#.+'~_-]+$/;
/**
 * Absolute http(s) URL with a host. Other schemes (data:, file:, javascript:) are refused: a profile
 * picture is fetched by browsers, and those schemes are either huge, local or dangerous there.
 */
const HTTP_URL = /^https?:\/\/[^\s/?#@\u0000-\u001f\u007f-\u009f]+(?:@[^\s/?#@\u0000-\u001f\u007f-\u009f]+)?(?:[/?#][^\s\u0000-\u001f\u007f-\u009f]*)?$/i;

/** C0 and C1 control characters and DEL (Unicode category Cc). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A display name (given_name, family_name, name, nickname): any text of `min`–`max` characters but
 * control characters, which are refused in email too. A name is shown on one line, and C1
 * controls in one (U+0080–U+009F) are nearly always a file decoded with the wrong encoding: a
 * Windows-1252 “quote” read as ISO-8859-1.
 */
export function nameField(path: string, min: number, max: number): FieldCheck {
  return textField(path, min, max, 'a name');
}

/**
 * An identifier (user_id, connection): text of `1`–`max` characters but control characters.
 * U+0000 in one was stored by SQLite and refused by PostgreSQL at write time (its text cannot hold
 * it), and a tab, line break or C1 control in an id is a damaged source, never part of the id.
 */
export function identifierField(path: string, max = Infinity): FieldCheck {
  return textField(path, 1, max, 'an identifier');
}

/**
 * The longest user_id: the key is in the stores' unique and export-order indexes, and a
 * PostgreSQL index entry holds at most 2704 bytes, so a longer id (a few kilobytes of random text)
 * failed its whole batch, and the job, where SQLite stored it. 512 characters are at most 2048
 * bytes of UTF-8, room for every index either store builds on the id.
 */
export const MAX_USER_ID_LENGTH = 512;

function textField(path: string, min: number, max: number, what: string): FieldCheck {
  return (errors, value) => {
    if (typeof value !== 'string') reportType(errors, path, 'string', value);
    else if (checkLength(errors, path, value, min, max) && CONTROL.test(value)) report(errors, 'FORMAT', path, controlProblem(value, what));
  };
}

function controlProblem(value: string, what: string): string {
  const at = value.search(CONTROL);
  const code = value.charCodeAt(at);
  const unit = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const hint = code >= 0x80 ? `; a C1 control in ${what} usually means the file was decoded with the wrong encoding` : '';
  return `contains a control character (${unit} at character ${codePointCount(value, 0, at) + 1}), which ${what} cannot hold${hint}`;
}

export function booleanField(path: string): FieldCheck {
  return (errors, value) => {
    if (typeof value !== 'boolean') reportType(errors, path, 'boolean', value);
  };
}

export function dateTimeField(path: string): FieldCheck {
  return (errors, value) => {
    if (typeof value !== 'string') {
      reportType(errors, path, 'string', value);
      return;
    }
    const problem = dateTimeProblem(value);
    if (problem !== undefined) report(errors, 'FORMAT', path, problem);
  };
}

/** Empty email is REQUIRED (reported by validateUser), so only non-empty strings are checked here, as they will be stored. */
export const checkEmailField: FieldCheck = (errors, value) => {
  if (typeof value !== 'string') {
    reportType(errors, 'email', 'string', value);
    return;
  }
  const problem = value === '' ? null : profileEmailProblem(value);
  if (problem !== null) report(errors, problem.code, 'email', problem.message);
};

export const checkUsername: FieldCheck = (errors, value) => {
  if (typeof value !== 'string') {
    reportType(errors, 'username', 'string', value);
    return;
  }
  if (!checkLength(errors, 'username', value, 1, 128)) return;
  if (!USERNAME.test(value)) {
    report(errors, 'PATTERN', 'username', "may contain only letters a-z, digits and @ ` ^ $ ! - # . + ' ~ _");
  } else if (value.includes('@') && isEmail(value)) {
    report(errors, 'PATTERN', 'username', 'may contain @ but may not be an email address');
  }
};

export const checkPhoneNumber: FieldCheck = (errors, value) => {
  if (typeof value !== 'string') {
    reportType(errors, 'phone_number', 'string', value);
    return;
  }
  if (!isE164(value)) {
    report(errors, 'PATTERN', 'phone_number', 'must be an E.164 phone number: + then 1 to 15 digits, e.g. +12125550001');
  }
};

export const checkPicture: FieldCheck = (errors, value) => {
  if (typeof value !== 'string') {
    reportType(errors, 'picture', 'string', value);
    return;
  }
  if (!HTTP_URL.test(value)) report(errors, 'FORMAT', 'picture', 'must be an absolute http or https URL');
};

export const checkPasswordHash: FieldCheck = (errors, value) => {
  if (typeof value !== 'string') {
    reportType(errors, 'password_hash', 'string', value);
    return;
  }
  const problem = passwordHashProblem(value);
  if (problem !== null) report(errors, problem.code, 'password_hash', problem.message);
};

export const checkLoginsCount: FieldCheck = (errors, value) => {
  checkIntegerAtLeast(errors, 'logins_count', value, 0);
};
