import { inexactNumberMessage, isInexact } from '../../validation/inexact-numbers.js';
import { integerPictureParts } from './integer-picture-parts.js';
import { OUT_OF_RANGE_CODE } from './functions-numeric.js';
import { familyOf } from './irregular-grouping.js';
import { lettersValue, wordsValue } from './large-integers.js';
import { standIn } from './stand-in.js';

type Impl = (this: unknown, ...args: never[]) => unknown;

/**
 * The picture functions jsonata borrows to compiled code and the interpreter alike (linear-dates.ts
 * `safeBorrowed`) read their picture without checking it is there: `$formatInteger(1, nope)` (a
 * field the record lacks, or `"#".("##")`, a path that finds nothing) was rejected with jsonata's
 * internal "Cannot read properties of undefined (reading 'lastIndexOf')". A missing picture, and any
 * other JavaScript error such a function lets out, is now a message naming the call and its picture.
 */
export function pictureChecked<F extends Impl>(name: string, impl: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const [value, picture] = args;
    if (value !== undefined && typeof picture !== 'string') {
      throw {
        code: OUT_OF_RANGE_CODE,
        message: `${call(name, value)}: the picture is missing (the expression for it gave no value: a field the record does not have?)`,
      };
    }
    try {
      return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).apply(this, args);
    } catch (err) {
      // jsonata's own errors are objects with a code; a TypeError or RangeError is its bug, not a message
      if (!(err instanceof Error)) throw err;
      throw { code: OUT_OF_RANGE_CODE, message: `${call(name, value, picture)}: the picture cannot be used (${err.message})` };
    }
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}

/**
 * `$parseInteger` as jsonata has it checks nothing of the value (its source says "TODO validate
 * input"): a decimal picture ran `parseInt`, so "1.5", "12abc" and "1e5" were 1, 12 and 1, "1.234"
 * with "#.##0" was 1 (it strips only commas), and a letters picture made a number of any text ("B"
 * with "a" was -30): each written as the column's value without a word. And "x" was NaN, rejected
 * as "a division by zero". Now a value the picture cannot have written is a MAPPING_ERROR saying
 * so; a decimal one is read here (separators stripped, digits of the picture's family), and one
 * past ±2^53 is refused as `$number` refuses it.
 */
export function checkedParseInteger<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const [value, picture] = args;
    const own = () => (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).apply(this, args);
    if (typeof value !== 'string' || typeof picture !== 'string') return own();
    const read = integerPicture(picture);
    let result: unknown;
    let digits: string | undefined;
    if (read.kind === 'decimal') ({ number: result, digits } = decimal(value, read) ?? { number: undefined });
    // jsonata's own regex for letters, which its arithmetic skipped
    else if (read.kind === 'letters') result = (read.upper ? /^[A-Z]+$/ : /^[a-z]+$/).test(value) ? own() : undefined;
    // roman numerals and words jsonata reads as NaN unless they are; a picture it cannot read it refuses (D3130, D3131)
    else result = own();
    if (typeof result !== 'number' || !Number.isFinite(result)) {
      throw { code: OUT_OF_RANGE_CODE, message: `${call('parseInteger', value, picture)}: the value does not match the picture (${expected(read)})` };
    }
    // jsonata adds words and letters up as doubles, and misreads words of a magnitude before "trillion"
    const exact = read.kind === 'words' ? wordsValue(value) : read.kind === 'letters' ? lettersValue(value, read.upper ? 'A' : 'a') : undefined;
    if (exact !== undefined) {
      if (isInexact(exact.toString())) throw { code: OUT_OF_RANGE_CODE, message: `${call('parseInteger', value, picture)}: ${inexactNumberMessage(false)}` };
      result = Number(exact);
    }
    if (digits !== undefined && isInexact(digits)) {
      throw { code: OUT_OF_RANGE_CODE, message: `${call('parseInteger', value, picture)}: ${inexactNumberMessage(false)}` };
    }
    return result;
  };
  standIn(wrapped, impl);
  return wrapped as unknown as F;
}

/** `$name(value, picture)`, values quoted as JSON (so the mapper masks a secret one as other quotes). */
function call(name: string, ...args: unknown[]): string {
  const shown = args.filter((a) => a !== undefined).map((a) => (typeof a === 'number' ? String(a) : JSON.stringify(a)));
  return `$${name}(${shown.join(', ')})`;
}

type IntegerPicture =
  | { kind: 'letters' | 'roman'; upper: boolean }
  | { kind: 'words' }
  | { kind: 'decimal'; zero: number; separators: Set<string>; ordinal: boolean }
  | { kind: 'other' };

/** What jsonata's `analyseIntegerPicture` reads a picture as (it has already refused one it cannot read). */
function integerPicture(picture: string): IntegerPicture {
  const { primary, modifier } = integerPictureParts(picture);
  const ordinal = modifier[1] === 'o';
  if (primary === 'A' || primary === 'a') return { kind: 'letters', upper: primary === 'A' };
  if (primary === 'I' || primary === 'i') return { kind: 'roman', upper: primary === 'I' };
  if (primary === 'W' || primary === 'Ww' || primary === 'w') return { kind: 'words' };
  let zero: number | undefined;
  const separators = new Set<string>();
  for (const c of primary) {
    const family = familyOf(c);
    // digits of two families: jsonata's D3131
    if (family !== undefined && zero !== undefined && family !== zero) return { kind: 'other' };
    if (family !== undefined) zero = family;
    else if (c !== '#') separators.add(c);
  }
  return zero === undefined ? { kind: 'other' } : { kind: 'decimal', zero, separators, ordinal };
}

/** A decimal value: an optional minus, the family's digits with the picture's separators between them, and an ordinal suffix if the picture has `;o`. */
function decimal(value: string, picture: { zero: number; separators: Set<string>; ordinal: boolean }): { number: number; digits: string } | undefined {
  let text = value;
  if (picture.ordinal) {
    if (!/(?:th|st|nd|rd)$/.test(text)) return undefined;
    text = text.slice(0, -2);
  }
  const negative = text.startsWith('-');
  let digits = '';
  let lastWasDigit = false;
  for (const c of negative ? text.slice(1) : text) {
    const code = c.codePointAt(0)!;
    if (code >= picture.zero && code <= picture.zero + 9) {
      digits += String(code - picture.zero);
      lastWasDigit = true;
    } else if (picture.separators.has(c) && lastWasDigit) {
      lastWasDigit = false;
    } else {
      return undefined;
    }
  }
  if (!lastWasDigit) return undefined;
  const signed = negative ? `-${digits}` : digits;
  return { number: Number(signed), digits: signed };
}

function expected(picture: IntegerPicture): string {
  switch (picture.kind) {
    case 'letters':
      return picture.upper ? 'letters A to Z' : 'letters a to z';
    case 'roman':
      return 'a roman numeral';
    case 'words':
      return 'a number in English words';
    case 'decimal': {
      const digits = `${String.fromCodePoint(picture.zero)}–${String.fromCodePoint(picture.zero + 9)}`;
      const separators = [...picture.separators].map((s) => JSON.stringify(s)).join(' ');
      const between = separators === '' ? '' : ` with ${separators} between them`;
      return `digits ${digits}${between}${picture.ordinal ? ', then st, nd, rd or th' : ''}`;
    }
    default:
      return 'a picture jsonata reads';
  }
}
