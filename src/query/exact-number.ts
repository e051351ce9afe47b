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
