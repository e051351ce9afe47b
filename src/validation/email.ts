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
 * - Look-alikes are rejected, since an address that looks like another is how accounts are spoofed:
 *   invisible and control characters (C0/C1 controls, zero-width and bidi marks, soft hyphen, BOM —
 *   Unicode categories Cc, Cf, Co, Cn, Cs — and U+FFFD, the mark of a decoding error); any character
 *   that NFKC normalisation changes (ⅈ → i, ﬁ → fi, fullwidth letters, decomposed accents); and
 *   letters from more than one script in the local part or in one domain label (Cyrillic а in
 *   аdmin), except the mixes that are normal in Japanese, Chinese and Korean with Latin.
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
const invisible: Problem = { code: 'FORMAT', message: 'contains an invisible or control character (or U+FFFD, a decoding error)' };
const notNormalised: Problem = {
  code: 'FORMAT',
  message: 'contains a look-alike or compatibility character that Unicode NFKC normalisation changes (e.g. ⅈ → i, ﬁ → fi)',
};
/**
 * The decomposed character itself: the message's one example, "e + U+0301 for é", was given for
 * `bu\u0308cher.de` too. Only on the reject path.
 */
function decomposed(value: string): Problem {
  const mark = /\P{M}\p{M}+/u.exec(value);
  const [base, ...marks] = mark ? [...mark[0]] : [];
  const which =
    base === undefined
      ? ''
      : `: ${base} + ${marks.map((m) => `U+${m.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' + ')} for ${mark![0].normalize('NFC')} at character ${codePointCount(value, 0, mark!.index) + 1}`;
  return {
    code: 'FORMAT',
    message: `is in decomposed Unicode form (NFD${which}), which NFKC normalisation changes: write it composed (NFC)`,
  };
}
const mixedScripts: Problem = { code: 'FORMAT', message: 'mixes letters of different scripts in one part (e.g. Cyrillic а in a Latin name)' };

const surroundingSpace: Problem = {
  code: 'FORMAT',
  message: 'has whitespace before or after the address (trim it in the mapping, e.g. $trim(email))',
};

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\uFFFD]/u;
/** Any whitespace (no-break space included) at either end: a CSV cell's padding, the commonest reason an address is refused. */
const SURROUNDING_SPACE = /^\s|\s$/;
const ANY_NON_ASCII = /[^\x00-\x7f]/;

/** Why `value` is not an acceptable email address, or null when it is. */
export function emailProblem(value: string): Problem | null {
  // Length first: it bounds the regex's work on hostile input.
  if (value.length > MAX_EMAIL_LENGTH && codePointCount(value, 0, value.length) > MAX_EMAIL_LENGTH) return tooLong;
  if (SURROUNDING_SPACE.test(value)) return surroundingSpace;
  if (INVISIBLE.test(value)) return invisible;
  // Most addresses are ASCII, which NFKC leaves as it is and which is all Latin: the two checks
  // below would only allocate a normalised copy and the address's parts.
  const ascii = !ANY_NON_ASCII.test(value);
  if (!ascii && value.normalize('NFKC') !== value) return isOnlyDecomposed(value) ? decomposed(value) : notNormalised;
  if (!EMAIL.test(value)) return invalid;
  if (!ascii && mixesScripts(value)) return mixedScripts;
  const at = value.lastIndexOf('@');
  if (at > MAX_LOCAL_PART_LENGTH && codePointCount(value, 0, at) > MAX_LOCAL_PART_LENGTH) return localTooLong;
  return null;
}

/**
 * Why `value` is not acceptable as a user's email, or null. The users table keeps the address
 * lower-cased, and lower-casing can lengthen it: İ (U+0130) becomes i + U+0307, two characters,
 * so 40 of them before @ would be stored as 80, past the 64 this check allowed (and a re-import of
 * the export was then refused). The lower-cased form is checked too whenever its length differs.
 */
export function profileEmailProblem(value: string): Problem | null {
  const problem = emailProblem(value);
  if (problem !== null || !ANY_NON_ASCII.test(value)) return problem;
  const lower = value.toLowerCase();
  if (lower.length === value.length) return null;
  const stored = emailProblem(lower);
  return stored && { code: stored.code, message: `${stored.message} once lower-cased, as it is stored (İ lower-cases to two characters, i and U+0307)` };
}

/** Whether composing `value` (NFC) is all NFKC would change: a decomposed accent, not a look-alike. Only on the reject path. */
function isOnlyDecomposed(value: string): boolean {
  const composed = value.normalize('NFC');
  return composed !== value && composed.normalize('NFKC') === composed;
}

/** True when `value` is a whole email address (usernames may contain @ but may not be one). */
export function isEmail(value: string): boolean {
  return emailProblem(value) === null;
}

/** The scripts a letter may belong to; a letter of none of these counts as a script of its own. */
const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Cherokee',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Bopomofo',
].map((name) => ({ name, re: new RegExp(`\\p{Script=${name}}`, 'u') }));
const LETTER = /[\p{L}\p{M}]/u;

/** Mixes allowed by Unicode TR39's "highly restrictive" level: Latin with the CJK scripts each language writes together. */
const ALLOWED_MIXES = [new Set(['Latin', 'Han', 'Hiragana', 'Katakana']), new Set(['Latin', 'Han', 'Bopomofo']), new Set(['Latin', 'Han', 'Hangul'])];

/** Whether the local part, or any one domain label, has letters from more than one script. */
function mixesScripts(value: string): boolean {
  const at = value.lastIndexOf('@');
  return [value.slice(0, at), ...value.slice(at + 1).split('.')].some((part) => {
    if (!ANY_NON_ASCII.test(part)) return false; // ASCII is all Latin
    const scripts = new Set<string>();
    for (const char of part) {
      if (!LETTER.test(char) || /\p{M}/u.test(char)) continue; // digits, punctuation and combining marks take any script
      scripts.add(SCRIPTS.find((s) => s.re.test(char))?.name ?? 'other');
    }
    return scripts.size > 1 && !ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)));
  });
}
