/**
 * Character sets of JavaScript regexes in non-unicode mode, as bitmaps over UTF-16 code units,
 * written out as RE2 classes (see regex-translate.ts).
 */

export type CodeUnitSet = Uint8Array;

export function newSet(): CodeUnitSet {
  return new Uint8Array(0x10000);
}

/** JS `\s`: WhiteSpace and LineTerminator (RE2's `\s` is `[\t\n\f\r ]`). */
const SPACES: readonly (readonly [number, number])[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const DIGITS = [[0x30, 0x39]] as const;
const WORD = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
] as const;

export function isSetEscape(letter: string): boolean {
  return 'dDsSwW'.includes(letter);
}

/** The set of `\d`, `\D`, `\s`, `\S`, `\w` or `\W`. */
export function escapeSet(letter: string): CodeUnitSet {
  const ranges = { d: DIGITS, s: SPACES, w: WORD }[letter.toLowerCase() as 'd' | 's' | 'w'];
  const set = newSet();
  for (const [from, to] of ranges) set.fill(1, from, to + 1);
  if (letter !== letter.toLowerCase()) for (let c = 0; c < set.length; c++) set[c] = set[c] === 1 ? 0 : 1;
  return set;
}

let canonical: Uint16Array | null = null;
let orbits: Map<number, number[]> | null = null;

/** JS's `Canonicalize` for non-unicode `i`: the upper case, unless that is several units, or ASCII for a non-ASCII unit. */
function canonicalize(unit: number): number {
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const cu = upper.charCodeAt(0);
  return unit >= 128 && cu < 128 ? unit : cu;
}

function tables(): { canonical: Uint16Array; orbits: Map<number, number[]> } {
  if (canonical === null || orbits === null) {
    canonical = new Uint16Array(0x10000);
    orbits = new Map();
    for (let c = 0; c < 0x10000; c++) {
      const canon = canonicalize(c);
      canonical[c] = canon;
      const orbit = orbits.get(canon);
      if (orbit) orbit.push(c);
      else orbits.set(canon, [c]);
    }
  }
  return { canonical, orbits };
}

/** The units matching `unit` under the i flag (itself included). */
export function foldedUnits(unit: number): readonly number[] {
  const { canonical, orbits } = tables();
  return orbits.get(canonical[unit]!) ?? [unit];
}

/** With the i flag a unit matches every unit of the same canonical form: adds them all. */
export function caseClosure(set: CodeUnitSet): void {
  const members: number[] = [];
  for (let c = 0; c < 0x10000; c++) if (set[c] === 1) members.push(c);
  for (const c of members) for (const same of foldedUnits(c)) set[same] = 1;
}

/**
 * The set as an RE2 class. RE2 reads the text as code points, so surrogates are left out; a set
 * holding every surrogate (`\S`, `[^a]`) matches a whole astral character, as JS matches either half.
 */
export function setToClass(set: CodeUnitSet, negated: boolean): string {
  let body = '';
  let c = 0;
  while (c < 0x10000) {
    if (set[c] !== 1 || (c >= 0xd800 && c <= 0xdfff)) {
      c++;
      continue;
    }
    const from = c;
    while (c + 1 < 0x10000 && set[c + 1] === 1 && !(c + 1 >= 0xd800 && c + 1 <= 0xdfff)) c++;
    body += from === c ? hex(from) : `${hex(from)}-${hex(c)}`;
    c++;
  }
  if (set[0xd800] === 1 && set[0xdfff] === 1) body += `${hex(0x10000)}-${hex(0x10ffff)}`;
  if (body === '') return negated ? `[${hex(0)}-${hex(0x10ffff)}]` : `[^${hex(0)}-${hex(0x10ffff)}]`;
  return `[${negated ? '^' : ''}${body}]`;
}

function hex(cp: number): string {
  return `\\x{${cp.toString(16)}}`;
}
