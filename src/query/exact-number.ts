/**
 * Why a query number cannot be compared as written, or undefined when it can. A query number is a
 * double, bound as its shortest decimal form (`String(value)`), while the stores keep more exactly
 * (INTEGER in SQLite, bigint and numeric in PostgreSQL, numbers in JSON): `9007199254740993` was
 * bound as 9007199254740992 and matched another row, `1e-400` as 0 and matched the zeros. A number
 * whose double reads back as the same decimal value (`0.1`, `1e308`, `-0`) compares as written.
 */
export function inexactNumber(text: string, value: number): string | undefined {
  const bound = String(value);
  if (decimalValue(text) === decimalValue(bound)) return undefined;
  return `${text} cannot be compared exactly: as a number it reads as ${bound}`;
}

/** A number text's exact value as `<sign><digits>e<exponent>` with no redundant zeros, so equal values give equal strings. */
function decimalValue(text: string): string | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  let power = Number(exponent) - fraction.length;
  if (digits === '') return '0';
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  power += trailing;
  return `${sign === '-' ? '-' : ''}${digits}e${power}`;
}

/**
 * The order of two decimal texts as exact numbers (-1, 0 or 1; `1e-400` > 0, `0.10000000000000000001`
 * < `0.1`), or undefined when one is not a decimal. SQLite reads a JSON number as a double, where
 * PostgreSQL's jsonb keeps it exact: compared as doubles, `user_metadata.n:0.1` matched a stored
 * `0.10000000000000000001` on SQLite alone (sqlite-dialect.ts compares the stored text with this).
 */
export function compareDecimals(a: string, b: string): number | undefined {
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return undefined;
  // Rounding to a double keeps order: only numbers that round alike need their digits compared.
  const [near, far] = [Number(a), Number(b)];
  if (near !== far) return near < far ? -1 : 1;
  const x = decimalParts(a);
  const y = decimalParts(b);
  if (x === undefined || y === undefined) return undefined;
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign === 0) return 0;
  // Same sign: the larger magnitude has the larger exponent, or the same one and the larger digits
  // (no trailing zeros, so a prefix is the smaller: 1 < 15).
  const magnitude = x.exponent !== y.exponent ? (x.exponent > y.exponent ? 1 : -1) : x.digits === y.digits ? 0 : x.digits > y.digits ? 1 : -1;
  return magnitude === 0 ? 0 : magnitude * x.sign;
}

/** A decimal as sign, significant digits and the exponent of its first digit (`0.0123` is 1.23e-2); exponents of any size. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function decimalParts(text: string): { sign: -1 | 0 | 1; digits: string; exponent: bigint } | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const all = whole + fraction;
  const leading = /^0*/.exec(all)![0].length;
  const digits = all.slice(leading).replace(/0+$/, '');
  if (digits === '') return { sign: 0, digits, exponent: 0n };
  return { sign: sign === '-' ? -1 : 1, digits, exponent: BigInt(exponent) + BigInt(whole.length - 1 - leading) };
}
