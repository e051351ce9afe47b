import { standIn } from './stand-in.js';
import { integerPictureParts } from './integer-picture-parts.js';
import { decimalFormat, inDigitFamily, type DecimalFormat } from './decimal-format.js';

type Impl = (this: unknown, ...args: never[]) => unknown;
type Call = (this: unknown, ...args: unknown[]) => unknown;

/**
 * A picture whose grouping separators are not evenly spaced (the Indian `#,##,##0`) writes a
 * separator only where a digit stands to its left. jsonata placed each at a fixed offset from the
 * decimal point even when the number was shorter, counting from the string's far end instead:
 * `$formatNumber(1234, "#,##,##0")` wrote "12,34,", 123 "1,2,3", 12345 ",12,345", and
 * `$formatInteger(1234, "#,##,##0")` ",4", each as the column's value without a word; separators
 * in a fraction went past its last digit ("1.5," for 1.5 with "0.0,##", "1.," for 1). The number is
 * formatted without those separators and they are put in here, the picture's own checks having run.
 */
export function irregularFormatNumber<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, value: unknown, picture: unknown, options?: unknown): unknown {
    const own = impl as unknown as Call;
    const result = own.call(this, value, picture, options);
    if (typeof value !== 'number' || typeof picture !== 'string' || typeof result !== 'string') return result;
    const p = decimalFormat(options);
    const subs = picture.split(p.pattern);
    const index = value < 0 && subs.length > 1 ? 1 : 0;
    const grouping = subGrouping(subs[index]!, p);
    if (grouping === undefined) return result;
    subs[index] = grouping.without;
    const plain = own.call(this, value, subs.join(p.pattern), options);
    if (typeof plain !== 'string') return result;
    const grouped = group(plain, p.zero, p.decimal, grouping.integer);
    return grouping.fraction.length === 0 ? grouped : groupFraction(grouped, p.zero, p.decimal, grouping.fraction);
  };
  return standIn(wrapped as unknown as F, impl);
}

export function irregularFormatInteger<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, value: unknown, picture: unknown): unknown {
    const own = impl as unknown as Call;
    const result = own.call(this, value, picture);
    if (typeof picture !== 'string' || typeof result !== 'string') return result;
    const { primary, modifier } = integerPictureParts(picture);
    const separators = integerSeparators(primary);
    if (separators === undefined) return result;
    const without = [...primary].filter((c) => familyOf(c) !== undefined || c === '#').join('');
    const plain = own.call(this, value, without + modifier);
    return typeof plain === 'string' ? group(plain, familyOf([...without].find((c) => familyOf(c) !== undefined)!)!, undefined, separators) : result;
  };
  return standIn(wrapped as unknown as F, impl);
}

interface Separator {
  /** Digits (and `#`) to its right in the integer part. */
  position: number;
  character: string;
}

/**
 * A sub-picture's separators that jsonata misplaces: the integer part's when irregular (jsonata's
 * `regular` says 0), and any in the fraction (`0.000,000`: "1.5," for 1.5), with the sub-picture
 * without them.
 */
function subGrouping(sub: string, p: DecimalFormat): { integer: Separator[]; fraction: Separator[]; without: string } | undefined {
  const chars = [...sub];
  const isDigit = (c: string) => c === p.digit || inDigitFamily(c, p.zero);
  const start = chars.findIndex((c) => isDigit(c) || c === p.grouping || c === p.decimal);
  if (start === -1) return undefined;
  let end = start;
  while (end < chars.length && (isDigit(chars[end]!) || chars[end] === p.grouping)) end++;
  const integer: Separator[] = [];
  const drop = new Set<number>();
  for (let i = start; i < end; i++) {
    if (chars[i] === p.grouping) integer.push({ position: chars.slice(i, end).filter(isDigit).length, character: p.grouping });
  }
  if (integer.length > 0 && regular(integer.map((s) => s.position)) > 0) integer.length = 0;
  else for (let i = start; i < end; i++) if (chars[i] === p.grouping) drop.add(i);
  const fraction: Separator[] = [];
  if (chars[end] === p.decimal) {
    let last = end + 1;
    while (last < chars.length && (isDigit(chars[last]!) || chars[last] === p.grouping)) last++;
    for (let i = end + 1; i < last; i++) {
      if (chars[i] !== p.grouping) continue;
      fraction.push({ position: chars.slice(end + 1, i).filter(isDigit).length, character: p.grouping });
      drop.add(i);
    }
  }
  if (drop.size === 0) return undefined;
  return { integer, fraction, without: chars.filter((_, i) => !drop.has(i)).join('') };
}

/** An integer picture's separators when irregular (jsonata's `regularRepeat` says 0: other characters, or uneven). */
function integerSeparators(primary: string): Separator[] | undefined {
  const chars = [...primary];
  if (!chars.some((c) => familyOf(c) !== undefined)) return undefined;
  const separators: Separator[] = [];
  chars.forEach((c, i) => {
    if (familyOf(c) === undefined && c !== '#')
      separators.push({ position: chars.slice(i).filter((d) => familyOf(d) !== undefined || d === '#').length, character: c });
  });
  if (separators.length === 0) return undefined;
  const same = separators.every((s) => s.character === separators[0]!.character);
  return same && regular(separators.map((s) => s.position)) > 0 ? undefined : separators;
}

/** jsonata's test: the positions are multiples 1..n of their greatest common divisor (the factor), or 0. */
function regular(positions: number[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const factor = positions.reduce(gcd);
  for (let i = 1; i <= positions.length; i++) if (!positions.includes(i * factor)) return 0;
  return factor;
}

/** `text` with `separators` put into its integer digits (the first run of the family's digits, unless a decimal separator comes first). */
function group(text: string, zero: number, decimal: string | undefined, separators: Separator[]): string {
  const chars = [...text];
  const isDigit = (c: string) => inDigitFamily(c, zero);
  const start = chars.findIndex(isDigit);
  if (start === -1 || (decimal !== undefined && chars.slice(0, start).includes(decimal))) return text;
  let end = start;
  while (end < chars.length && isDigit(chars[end]!)) end++;
  const digits = chars.slice(start, end);
  const out: string[] = [];
  for (let i = digits.length - 1, counted = 0; i >= 0; i--, counted++) {
    // a separator only where a digit stands to its left
    const at = separators.filter((s) => s.position === counted && counted > 0);
    for (const s of at) out.unshift(s.character);
    out.unshift(digits[i]!);
  }
  return [...chars.slice(0, start), ...out, ...chars.slice(end)].join('');
}

/** `text` with `separators` put into the digits after its decimal separator, each only where a digit stands on both sides. */
function groupFraction(text: string, zero: number, decimal: string, separators: Separator[]): string {
  const chars = [...text];
  const isDigit = (c: string) => inDigitFamily(c, zero);
  const point = chars.indexOf(decimal);
  if (point === -1) return text;
  let end = point + 1;
  while (end < chars.length && isDigit(chars[end]!)) end++;
  const out: string[] = [];
  chars.slice(point + 1, end).forEach((digit, i) => {
    for (const s of separators) if (s.position === i && i > 0) out.push(s.character);
    out.push(digit);
  });
  return [...chars.slice(0, point + 1), ...out, ...chars.slice(end)].join('');
}

const DIGIT_FAMILIES = [
  0x30, 0x0660, 0x06f0, 0x07c0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6, 0x0e50, 0x0ed0, 0x0f20, 0x1040, 0x1090, 0x17e0,
  0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

/** The zero of the decimal digit family `c` belongs to (jsonata's integer pictures), if any. */
export function familyOf(c: string): number | undefined {
  const code = c.codePointAt(0)!;
  return DIGIT_FAMILIES.find((zero) => code >= zero && code <= zero + 9);
}
