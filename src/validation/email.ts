import type { Problem } from './checks.js';
import { codePointCount } from './text.js';

/*
 * A practical address check, not full RFC 5322: it accepts what mail systems deliver today and what
 * users type, and rejects what is almost always a data error.
 * - Local part: RFC 5322 dot-atom (letters, digits and !#$%&'*+/=?^_`{|}~-, dots not leading, trailing
 *   or doubled). Quoted local parts ("a b"@x.com) and comments are rejected: legal, but in a user
 *   import they are nearly always broken CSV quoting.
 * - Domain: two or more DNS labels (1–63 characters, no leading or trailing hyphen) ending in a TLD of
 *   letters or an IDNA `xn--` label. No IP literals ([192.0.2.1]) and no dot-free hosts (user@localhost):
 *   neither can receive mail for a real user.
 * - Non-ASCII characters are allowed in both parts (RFC 6531 internationalized addresses, IDN domains),
 *   whitespace anywhere is not.
 * - Limits from the profile rules: local part ≤ 64 characters, whole address ≤ 254.
 */

/** Non-ASCII minus C1 controls and the characters JavaScript's \s matches (no-break and other spaces). */
const NON_ASCII = '\\u00a1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u202a-\\u202e\\u2030-\\u205e\\u2060-\\u2fff\\u3001-\\ufefe\\uff00-\\uffff';
const ATOM = `[A-Za-z0-9!#$%&'*+/=?^_\`{|}~${NON_ASCII}-]+`;
const LABEL_CHAR = `[A-Za-z0-9${NON_ASCII}]`;
const LABEL = `${LABEL_CHAR}(?:[A-Za-z0-9${NON_ASCII}-]{0,61}${LABEL_CHAR})?`;
const TLD = `(?:[A-Za-z${NON_ASCII}]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59})`;
const EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+${TLD}$`);

export const MAX_EMAIL_LENGTH = 254;
export const MAX_LOCAL_PART_LENGTH = 64;

const tooLong: Problem = { code: 'MAX_LENGTH', message: `must be at most ${MAX_EMAIL_LENGTH} characters long` };
const localTooLong: Problem = {
  code: 'MAX_LENGTH',
  message: `the part before @ must be at most ${MAX_LOCAL_PART_LENGTH} characters long`,
};
const invalid: Problem = { code: 'FORMAT', message: 'is not a valid email address (expected local@domain.tld)' };

/** Why `value` is not an acceptable email address, or null when it is. */
export function emailProblem(value: string): Problem | null {
  // Length first: it bounds the regex's work on hostile input.
  if (value.length > MAX_EMAIL_LENGTH && codePointCount(value, 0, value.length) > MAX_EMAIL_LENGTH) return tooLong;
  if (!EMAIL.test(value)) return invalid;
  const at = value.lastIndexOf('@');
  if (at > MAX_LOCAL_PART_LENGTH && codePointCount(value, 0, at) > MAX_LOCAL_PART_LENGTH) return localTooLong;
  return null;
}

/** True when `value` is a whole email address (usernames may contain @ but may not be one). */
export function isEmail(value: string): boolean {
  return emailProblem(value) === null;
}
