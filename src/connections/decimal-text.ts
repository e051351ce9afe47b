/**
 * A plain decimal literal: digits, an optional fraction and exponent. Number() also reads hex,
 * binary and octal (`0x10` is 16, `0b11` is 3) and `Infinity`: text that is not a number in any
 * store's sense became another number without a word.
 */
export const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A number, or text written as a decimal (surrounding spaces allowed), as a double; NaN for anything else. */
export function decimalValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return NaN;
  const text = value.trim();
  return DECIMAL_TEXT.test(text) ? Number(text) : NaN;
}
