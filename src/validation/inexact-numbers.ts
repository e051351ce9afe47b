import type { RejectError } from './reject.js';
import { scanJsonText, valuePath } from './json-text.js';

/*
 * JSON.parse reads every number as a double, which holds integers exactly only up to ±2^53 − 1:
 * 12345678901234567891 comes back as 12345678901234567000, and two ids one apart become one. The
 * parsed value cannot tell, so this reads the digits as written, in the text JSON.parse accepted,
 * and reports each number that the double does not give back: it would be stored as another
 * number. A big number the double does keep as written (1e20, 1.5e300, 12345678901234567000) is
 * left alone; a fraction rounded in its last digits (0.1 + many digits) is how doubles work, not
 * an integer lost. Infinity (1e400) is well-formed.ts's to report. A number too small for a
 * double (1e-400, or 0. and 400 zeros before a 1) reads as 0: another number too, reported.
 */

/**
 * Only a number written with 16 or more digits before its point, or with an exponent, can lie
 * beyond ±2^53 − 1 (16 digits). Every number in JSON text follows a `:`, `,` or `[`, or starts
 * the text (a JSON column holding one number), maybe after spaces and a minus, so the regex starts
 * only there, not at every digit of a date or an email: about 0.3 µs a record, a quarter of the
 * alternative `\d{16}|…`.
 */
const SCREEN = /(?:^|[:,[])\s*-?(?:\d{16}|[\d.]+[eE]|0\.0{300})/;

/** The reject message of `literal`; `inJson`: the number is written in JSON, where the fix is to quote it. */
export function inexactNumberMessage(inJson: boolean, literal?: string): string {
  const fix = inJson ? '; write it as a string' : '';
  if (literal !== undefined && Number(literal) === 0)
    return `number too small for a double cannot be kept: numbers are read as doubles, which would make it 0${fix}`;
  return `number beyond ±2^53 (${Number.MAX_SAFE_INTEGER}) cannot be kept exactly: numbers are read as doubles, which would round it to another number${fix}`;
}

/**
 * A FORMAT reject for each number of `text` (JSON that JSON.parse accepted) that a double would
 * change, at its path under `base`. Every JSON record passes here, so it screens first: a record
 * with no long run of digits and no exponent cannot hold such a number, and is not tokenized.
 */
export function inexactNumbers(text: string, base: readonly (string | number)[] = []): RejectError[] {
  if (!SCREEN.test(text)) return [];
  const found: RejectError[] = [];
  scanJsonText(text, {
    number(start, end, frames) {
      const literal = text.slice(start, end);
      if (isInexact(literal)) found.push({ code: 'FORMAT', path: valuePath(frames, base), message: inexactNumberMessage(true, literal) });
      return false;
    },
  });
  return found;
}

/** Whether the double JSON.parse makes of the number written as `literal` is another number: beyond ±2^53 − 1, or 0 of a number that is not. */
export function isInexact(literal: string): boolean {
  const n = Number(literal);
  if (n === 0) return /[1-9]/.test(literal.split(/[eE]/)[0] ?? '');
  if (!Number.isFinite(n) || Math.abs(n) <= Number.MAX_SAFE_INTEGER) return false;
  return decimal(literal) !== decimal(String(n));
}

/** A number's exact decimal value as `digits`e`exponent` with no leading or trailing zeros: equal values, equal strings. */
function decimal(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return literal;
  const fraction = m[3] ?? '';
  let digits = (m[2]! + fraction).replace(/^0+/, '');
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  return `${m[1]}${digits}e${exponent}`;
}
