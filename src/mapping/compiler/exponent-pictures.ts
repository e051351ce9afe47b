import { decimalFormat, inDigitFamily, type DecimalFormat } from './decimal-format.js';
import { round } from './functions-numeric.js';
import { standIn } from './stand-in.js';

type Impl = (this: unknown, ...args: never[]) => unknown;
type Call = (this: unknown, ...args: unknown[]) => unknown;

/**
 * `$formatNumber` with an exponent picture (`0.0e0`). jsonata scaled the mantissa while it was
 * greater than 10^N (N the picture's integer digits), so one equal to it stayed: 100 with "0.0e0"
 * was written "10.0e1", 1e15 "10.0e14", 1 with "#.00e0" "1.00e0" (the picture's mantissa is below
 * 1), and a mantissa its rounding carried up (9.99) "10.0e0"; with no integer or fraction digit
 * (`#e0`) the digit it kept was cut with the decimal point, 1234 written "0.e4" (0). And it looked
 * for the exponent at its place in the sub-picture counted in the part after the prefix: a picture
 * with a prefix lost an exponent digit ("X0.0e00" wrote "X1.2e3"), or was refused (`0.0e0;(0.0e0)`,
 * D3093). Here the mantissa and exponent are chosen as XPath F&O 4.7.5 says (the mantissa from the
 * number's shortest digits, in [10^(N-1), 10^N) after rounding), jsonata formats the mantissa with
 * the picture's mantissa part, and the exponent is written here.
 */
export function exponentFormatNumber<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, value: unknown, picture: unknown, options?: unknown): unknown {
    const own = (v: unknown, p: unknown) => (impl as unknown as Call).call(this, v, p, options);
    if (typeof value !== 'number' || typeof picture !== 'string' || !Number.isFinite(value)) return own(value, picture);
    const s = decimalFormat(options);
    const subs = picture.split(s.pattern);
    if (subs.length > 2) return own(value, picture);
    const parsed = subs.map((sub) => splitSub(sub, s));
    const sub = parsed[value >= 0 ? 0 : subs.length - 1]!;
    if (sub.exponent === undefined) return own(value, picture);
    // jsonata's own checks of the picture, made on its sub-pictures without prefix and suffix
    own(0, parsed.map((p) => p.bare).join(s.pattern));
    const written = formatExponent(value, sub, subs.length === 1 && value < 0, s, (m, p) => own(m, p));
    // a mantissa of more integer digits than a double holds (a picture of 309 zeros): jsonata's own
    return written === undefined ? own(value, picture) : written;
  };
  return standIn(wrapped as unknown as F, impl);
}

interface SubPicture {
  prefix: string;
  suffix: string;
  mantissa: string;
  exponent?: string;
  /** The active part, with any percent or per-mille sign of the prefix and suffix (so jsonata still refuses one with an exponent). */
  bare: string;
}

/** A sub-picture's parts as jsonata's `splitParts` makes them, the exponent found in the active part. */
function splitSub(sub: string, s: DecimalFormat): SubPicture {
  const isDigit = (c: string) => inDigitFamily(c, s.zero);
  const active = (c: string) => isDigit(c) || [s.decimal, s.grouping, s.digit, s.pattern].includes(c);
  let first = 0;
  while (first < sub.length && !active(sub.charAt(first))) first++;
  let last = sub.length - 1;
  while (last >= 0 && !active(sub.charAt(last))) last--;
  if (first > last) return { prefix: '', suffix: '', mantissa: sub, bare: sub };
  const prefix = sub.substring(0, first);
  const suffix = sub.substring(last + 1);
  const middle = sub.substring(first, last + 1);
  const signs = [...(prefix + suffix)].filter((c) => c === s.percent || c === s.perMille).join('');
  const at = middle.indexOf(s.exponent);
  const bare = middle + signs;
  if (at === -1) return { prefix, suffix, mantissa: middle, bare };
  return { prefix, suffix, mantissa: middle.substring(0, at), exponent: middle.substring(at + 1), bare };
}

function formatExponent(value: number, sub: SubPicture, minus: boolean, s: DecimalFormat, format: (m: number, picture: string) => unknown): unknown {
  const isDigit = (c: string) => inDigitFamily(c, s.zero);
  const point = sub.mantissa.indexOf(s.decimal);
  let integer = point === -1 ? sub.mantissa : sub.mantissa.substring(0, point);
  let fraction = point === -1 ? '' : sub.mantissa.substring(point);
  const scaling = [...integer].filter(isDigit).length;
  let places = [...fraction].filter((c) => isDigit(c) || c === s.digit).length;
  const zero = String.fromCodePoint(s.zero);
  // F&O 4.7.4: no digit either side of the point, one fraction digit; a `#` before it, one integer digit
  if (scaling === 0 && places === 0) {
    fraction = s.decimal + zero;
    places = 1;
  }
  const hash = integer.lastIndexOf(s.digit);
  if (scaling === 0 && hash !== -1) integer = integer.substring(0, hash) + zero + integer.substring(hash + 1);
  let mantissa = 0;
  let exponent = 0;
  if (value !== 0) {
    const [digits, power] = Math.abs(value).toExponential().split('e');
    mantissa = Number(`${digits}e${scaling - 1}`);
    if (!Number.isFinite(mantissa)) return undefined;
    exponent = Number(power) - (scaling - 1);
    mantissa = round(mantissa, places) as number;
    if (mantissa >= Math.pow(10, scaling)) {
      mantissa = Number(`1e${scaling - 1}`);
      exponent += 1;
    }
  }
  const written = format(mantissa, integer + fraction);
  if (typeof written !== 'string') return written;
  const size = [...(sub.exponent ?? '')].filter(isDigit).length;
  const digits = [...String(Math.abs(exponent)).padStart(size, '0')].map((d) => String.fromCodePoint(s.zero + Number(d))).join('');
  return `${minus ? s.minus : ''}${sub.prefix}${written}${s.exponent}${exponent < 0 ? s.minus : ''}${digits}${sub.suffix}`;
}
