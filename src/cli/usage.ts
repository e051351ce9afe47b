import { CliExit, EXIT_INVALID } from './exit-codes.js';

/** An option's whole-number value, at least `min`; anything else is a usage error (exit 2) naming the option. */
export function wholeNumber(text: string, option: string, min: number): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min) throw new CliExit(EXIT_INVALID, `${option} expects a whole number ≥ ${min}, got "${text}"`);
  return n;
}
