import { standIn } from './stand-in.js';
import { integerPictureParts } from './integer-picture-parts.js';

type Impl = (this: unknown, ...args: never[]) => unknown;
type Call = (this: unknown, ...args: unknown[]) => unknown;

const TRILLION = 10n ** 12n;

/**
 * jsonata's `$formatInteger` with words or letters divides the number as a double: past 2^53 a
 * quotient or remainder is rounded, so the words spelled another number without a word
 * (1.2345678901234569e23 with "w" said "… three hundred and forty-five billion, six hundred and
 * seventy-seven million, seven hundred and fifty-…", for 345,690,000,000) and letters another
 * sequence (1e16 with "A" ended in Q, not P). The number is the one its shortest digits write, as
 * JSON and `$string` write it (1e46 is ten billion trillion trillion trillion, as jsonata's own
 * suite has it, not the double's exact 9999…368).
 * Past 2^53 the number's exact digits are split here, jsonata spelling each part below 2^53 as
 * it spells any number: trillions of trillions, as jsonata writes a number past its largest word.
 */
export function exactLargeIntegers<F extends Impl>(impl: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const [value, picture] = args;
    const own = impl as unknown as Call;
    if (typeof value !== 'number' || typeof picture !== 'string' || !Number.isFinite(value) || Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
      return own.apply(this, args);
    }
    const { primary, modifier } = integerPictureParts(picture);
    const sign = value < 0 ? '-' : '';
    const whole = shortestDigits(Math.abs(value));
    if (primary === 'A' || primary === 'a') return sign + letters(whole, primary);
    if (primary !== 'w' && primary !== 'W' && primary !== 'Ww') return own.apply(this, args);
    const spell = (n: bigint, ordinal: boolean): string => String(own.call(this, Number(n), `Ww${ordinal ? modifier : ''}`));
    const text = words(whole, modifier.startsWith(';o'), spell);
    return sign + (primary === 'W' ? text.toUpperCase() : primary === 'w' ? text.toLowerCase() : text);
  };
  return standIn(wrapped as unknown as F, impl);
}

/** jsonata's `numberToWords` past its largest word, in title case: the trillions, then the rest. */
function words(n: bigint, ordinal: boolean, spell: (n: bigint, ordinal: boolean) => string): string {
  if (n <= BigInt(Number.MAX_SAFE_INTEGER)) return spell(n, ordinal);
  const rest = n % TRILLION;
  const head = `${words(n / TRILLION, false, spell)} Trillion`;
  if (rest === 0n) return ordinal ? `${head}th` : head;
  return `${head}${rest < 100n ? ' and ' : ', '}${spell(rest, ordinal)}`;
}

/** jsonata's `decimalToLetters` on the exact integer. */
function letters(n: bigint, a: string): string {
  const code = a.charCodeAt(0);
  let out = '';
  for (let v = n; v > 0n; v = (v - 1n) / 26n) out = String.fromCharCode(Number((v - 1n) % 26n) + code) + out;
  return out;
}

/** An integer past 2^53 as its shortest decimal form writes it ("1.2345678901234568e+23"). */
function shortestDigits(n: number): bigint {
  const [mantissa = '', power = '0'] = String(n).split('e');
  const [integer = '', fraction = ''] = mantissa.split('.');
  return BigInt(integer + fraction) * 10n ** BigInt(Number(power) - fraction.length);
}

const FEW = 'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen'.split(' ');
const ORDINALS =
  'zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth'.split(
    ' ',
  );
const DECADES = 'twenty thirty forty fifty sixty seventy eighty ninety hundred'.split(' ');
const MAGNITUDES = 'thousand million billion trillion'.split(' ');

/** jsonata's `wordValues`: each word `$parseInteger` reads, with its value. */
const WORD_VALUES = new Map<string, bigint>([
  ...FEW.map((w, i) => [w, BigInt(i)] as const),
  ...ORDINALS.map((w, i) => [w, BigInt(i)] as const),
  ...DECADES.flatMap((w, i) => [[w, BigInt((i + 2) * 10)] as const, [`${w.slice(0, -1)}ieth`, BigInt((i + 2) * 10)] as const]),
  ['hundredth', 100n],
  ...MAGNITUDES.flatMap((w, i) => [[w, 10n ** BigInt((i + 1) * 3)] as const, [`${w}th`, 10n ** BigInt((i + 1) * 3)] as const]),
]);

/**
 * English words as jsonata's `$parseInteger` reads them (its tokens and word values), added up
 * exactly. jsonata multiplied only the last group by a magnitude, so "one thousand, two hundred
 * and thirty-four trillion, …" (its own words for 1234567890123456) was read as 234567890124456;
 * here a magnitude takes every group below it ("one thousand, two hundred and thirty-four"), and
 * a repeated "trillion" the number before it ("ten billion trillion trillion"). Undefined for a
 * word jsonata does not know.
 */
export function wordsValue(text: string): bigint | undefined {
  const groups: bigint[] = [0n];
  let previous: bigint | undefined;
  for (const part of text.toLowerCase().split(/,\s|\sand\s|[\s\\-]/)) {
    const value = WORD_VALUES.get(part);
    if (value === undefined) return undefined;
    if (value < 100n) {
      const top = groups.pop()!;
      if (top >= 1000n) groups.push(top, value);
      else groups.push(top + value);
    } else if (value === 100n || value === previous) {
      groups.push(groups.pop()! * value);
    } else {
      let below = 0n;
      while (groups.length > 0 && groups[groups.length - 1]! < value) below += groups.pop()!;
      groups.push(below * value);
    }
    previous = value;
  }
  return groups.reduce((a, b) => a + b, 0n);
}

/** Letters as jsonata's `lettersToDecimal` reads them (A is 1, Z 26, AA 27), exactly. */
export function lettersValue(text: string, a: string): bigint {
  const code = a.charCodeAt(0);
  let total = 0n;
  for (const c of text) total = total * 26n + BigInt(c.charCodeAt(0) - code + 1);
  return total;
}
