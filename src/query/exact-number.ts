/**
 * Why a query number cannot be compared as written, or undefined when it can. Query numbers are
 * doubles, and the stores keep larger integers exactly (INTEGER in SQLite, bigint and numeric in
 * PostgreSQL, numbers in JSON): beyond ±2^53 a double skips integers, so `9007199254740993` read
 * as …992 and matched another row, and a non-zero number under 5e-324 reads as 0 and matched the
 * zeros. Other decimals round as the stored numbers they compare with do.
 */
export function inexactNumber(text: string, value: number): string | undefined {
  if (value === 0) return /[1-9]/.test(text.split(/e/i)[0] ?? '') ? `${text} is too small to compare: it reads as 0` : undefined;
  if (Math.abs(value) <= Number.MAX_SAFE_INTEGER) return undefined;
  const exact = integerText(text);
  if (exact !== undefined && BigInt(exact) === BigInt(value)) return undefined;
  return `${text} is beyond the integers a query compares exactly (±${Number.MAX_SAFE_INTEGER}): it reads as ${String(value)}`;
}

/** The integer a number text (already checked to be a number) writes, in decimal digits; undefined when it has a fraction. */
function integerText(text: string): string | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const shift = Number(exponent) - fraction.length;
  // a finite double is below 1e309: a longer integer is not the one it reads as anyway
  if (shift >= 0) return shift > 400 ? undefined : sign + digits + '0'.repeat(shift);
  const kept = digits.length + shift;
  const dropped = kept > 0 ? digits.slice(kept) : digits;
  if (/[1-9]/.test(dropped)) return undefined;
  return sign + (kept > 0 ? digits.slice(0, kept) : '0');
}
