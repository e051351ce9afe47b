/**
 * jsonata's decimal-format properties of a `$formatNumber` call (its defaults, and any its options
 * argument sets), as the wrappers that redo part of its work read the picture: irregular-grouping.ts
 * and exponent-pictures.ts. An empty string in the options keeps the default.
 */
export interface DecimalFormat {
  /** The code point of the zero digit: its family is it and the nine after it. */
  zero: number;
  decimal: string;
  grouping: string;
  digit: string;
  pattern: string;
  exponent: string;
  minus: string;
  percent: string;
  perMille: string;
}

export function decimalFormat(options: unknown): DecimalFormat {
  const o = typeof options === 'object' && options !== null ? (options as Record<string, unknown>) : {};
  const text = (key: string, fallback: string): string => (typeof o[key] === 'string' && o[key] !== '' ? (o[key] as string) : fallback);
  return {
    zero: text('zero-digit', '0').codePointAt(0)!,
    decimal: text('decimal-separator', '.'),
    grouping: text('grouping-separator', ','),
    digit: text('digit', '#'),
    pattern: text('pattern-separator', ';'),
    exponent: text('exponent-separator', 'e'),
    minus: text('minus-sign', '-'),
    percent: text('percent', '%'),
    perMille: text('per-mille', '\u2030'),
  };
}

/** Whether `c` (one character) is a digit of the family that starts at the code point `zero`. */
export function inDigitFamily(c: string, zero: number): boolean {
  const code = c.codePointAt(0)!;
  return code >= zero && code <= zero + 9;
}
