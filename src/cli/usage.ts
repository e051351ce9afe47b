import { CliExit, EXIT_INVALID } from './exit-codes.js';

/**
 * An option's whole-number value, at least `min` (and at most `max`); anything else is a usage
 * error (exit 2) naming the option. Plain decimal digits only: `Number` also reads `0x10`, `1e3`
 * and ` 7 `, which no one means on a command line.
 */
export function wholeNumber(text: string, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliExit(
      EXIT_INVALID,
      `${option} expects a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, got "${text}"`,
    );
  }
  return n;
}

/** An option's positive decimal value (`2`, `0.5`): finite, above 0, written in digits; otherwise a usage error (exit 2). */
export function positiveNumber(text: string, option: string, what: string): number {
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new CliExit(EXIT_INVALID, `${option} expects ${what} > 0, got "${text}"`);
  return n;
}
