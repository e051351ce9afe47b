import { type CodeUnitSet, caseClosure, escapeSet, foldedUnits, isSetEscape, newSet, setToClass } from './regex-sets.js';

/**
 * JSONata regex literals are JavaScript regexes (non-unicode mode; flags i and m only), but run on
 * RE2 (linear-regex.ts), whose same-looking syntax means other things: `\s` misses U+00A0 and
 * the other Unicode spaces, `.` matches `\r` and U+2028/9, `[[:alpha:]]` is a POSIX class, `\Q`,
 * `\z`, `\pL` and `\a` are RE2 escapes where JS reads the letter itself, and RE2's `i` folds
 * `k` with the Kelvin sign. So the pattern is parsed as JavaScript and written out in RE2 terms with
 * JavaScript's meaning: every character class as explicit ranges, case folding done here, as JS
 * folds (RE2 compiles without its own). What has no RE2 equivalent is refused, with the reason, at
 * validate: lookaround, backreferences, octal escapes, lone surrogates and astral characters in
 * a class or before a quantifier.
 *
 * Left as it is: RE2 matches code points, JS (non-unicode) UTF-16 units, so `.` or `[^a]` takes a
 * whole emoji where JS takes half; with the m flag, `^` and `$` see lines ending at `\n` only (JS
 * also at `\r`, U+2028 and U+2029).
 */

export class UntranslatableRegex extends Error {}

const DOT = newSet();
for (let c = 0; c < 0x10000; c++) DOT[c] = 1;
for (const c of [0x0a, 0x0d, 0x2028, 0x2029]) DOT[c] = 0;

const cache = new Map<string, string>();
const CACHE_SIZE = 500;

/** The RE2 pattern (to compile without RE2's case folding) matching what JS's `/source/flags` matches. */
export function toRe2Pattern(source: string, flags: string): string {
  const key = `${flags}/${source}`;
  let pattern = cache.get(key);
  if (pattern === undefined) {
    pattern = new Translator(source, flags.includes('i')).run();
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(key, pattern);
  }
  return pattern;
}

class Translator {
  private i = 0;
  private out = '';
  private readonly named: boolean;

  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {
    this.named = /\(\?<[^=!]/.test(src);
  }

  run(): string {
    while (this.i < this.src.length) this.token();
    return this.out;
  }

  private token(): void {
    const c = this.src[this.i]!;
    if (c === '\\') return this.escape();
    if (c === '[') return this.charClass();
    if (c === '(') return this.group();
    this.i++;
    if (c === '.') this.out += setToClass(DOT, false);
    else if ('|)^$*+?'.includes(c)) this.out += c;
    else if (c === '{') this.brace();
    else this.literal(this.codePointFrom(c));
  }

  /** `{n}`, `{n,}`, `{n,m}` quantify; any other `{` is a literal brace in JS. */
  private brace(): void {
    const quantifier = /^\{\d+(,\d*)?\}/.exec(this.src.slice(this.i - 1));
    if (quantifier === null) this.out += '\\{';
    else {
      this.out += quantifier[0];
      this.i += quantifier[0].length - 1;
    }
  }

  private group(): void {
    const rest = this.src.slice(this.i);
    if (/^\(\?(=|!|<=|<!)/.test(rest)) throw new UntranslatableRegex('lookahead and lookbehind have no RE2 equivalent');
    const name = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(rest);
    if (rest.startsWith('(?:')) {
      this.out += '(?:';
      this.i += 3;
    } else if (name !== null) {
      this.out += `(?P<${name[1]}>`;
      this.i += name[0].length;
    } else if (rest.startsWith('(?')) throw new UntranslatableRegex(`the group ${rest.slice(0, 4)}… has no RE2 equivalent`);
    else {
      this.out += '(';
      this.i++;
    }
  }

  /** A character: a surrogate pair in the pattern stands for its code point (as it does in the text). */
  private codePointFrom(c: string): number {
    const unit = c.charCodeAt(0);
    const next = this.src.charCodeAt(this.i);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      this.i++;
      return 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
    }
    return unit;
  }

  private literal(cp: number): void {
    if (cp >= 0x10000) {
      if (/^([*+?]|\{\d)/.test(this.src.slice(this.i)))
        throw new UntranslatableRegex('a quantifier after an astral character (JS repeats only its second UTF-16 unit)');
      this.out += `\\x{${cp.toString(16)}}`;
      return;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) throw new UntranslatableRegex('a lone surrogate has no RE2 equivalent');
    const same = this.ignoreCase ? foldedUnits(cp) : [cp];
    if (same.length === 1) {
      this.out += literalText(cp);
      return;
    }
    const set = newSet();
    for (const unit of same) set[unit] = 1;
    this.out += setToClass(set, false);
  }

  private escape(): void {
    const d = this.src[this.i + 1];
    if (d === undefined) throw new UntranslatableRegex('a trailing backslash');
    if (isSetEscape(d)) {
      this.i += 2;
      const set = escapeSet(d);
      if (this.ignoreCase) caseClosure(set);
      this.out += setToClass(set, false);
      return;
    }
    if (d === 'b' || d === 'B') {
      this.out += `\\${d}`;
      this.i += 2;
      return;
    }
    if (d === 'k' && this.named) throw new UntranslatableRegex('backreferences have no RE2 equivalent');
    const unit = this.escapedUnit(false);
    if (unit >= 0xd800 && unit <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(this.src.slice(this.i))) {
      const low = parseInt(this.src.slice(this.i + 2, this.i + 6), 16);
      this.i += 6;
      this.literal(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
    } else this.literal(unit);
  }

  /**
   * The UTF-16 unit an escape stands for (Annex B rules: `\x`, `\u`, `\c` without their digits or
   * letter are the letter itself, or a backslash for `\c`), consuming it.
   */
  private escapedUnit(inClass: boolean): number {
    const d = this.src[this.i + 1]!;
    const rest = this.src.slice(this.i + 2);
    const simple: Record<string, number> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };
    if (simple[d] !== undefined) return this.take(2, simple[d]);
    if (d === '0' && !/^[0-9]/.test(rest)) return this.take(2, 0);
    if (/[0-9]/.test(d)) throw new UntranslatableRegex('backreferences and octal escapes have no RE2 equivalent');
    const control = (inClass ? /^[A-Za-z0-9_]/ : /^[A-Za-z]/).exec(rest);
    if (d === 'c') return control ? this.take(3, control[0].charCodeAt(0) % 32) : this.take(1, 0x5c);
    const hex = d === 'x' ? /^[0-9a-fA-F]{2}/.exec(rest) : d === 'u' ? /^[0-9a-fA-F]{4}/.exec(rest) : null;
    if (hex) return this.take(2 + hex[0].length, parseInt(hex[0], 16));
    // an identity escape: the character itself (a pair is two units, as JS reads it)
    return this.take(2, d.charCodeAt(0));
  }

  private take(length: number, unit: number): number {
    this.i += length;
    return unit;
  }

  /** `[...]`: its members as code units (JS non-unicode), folded for i, written as explicit ranges. */
  private charClass(): void {
    this.i++;
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    const set = newSet();
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      const atom = this.classAtom();
      const rangeEnd = this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined;
      if (typeof atom === 'number' && rangeEnd) {
        this.i++;
        const end = this.classAtom();
        if (typeof end === 'number') {
          for (let c = atom; c <= end; c++) set[c] = 1;
          continue;
        }
        // Annex B: a class escape at either end makes the dash a literal
        set[atom] = 1;
        set[0x2d] = 1;
        end.forEach((bit, c) => (set[c] = set[c]! | bit));
        continue;
      }
      if (typeof atom === 'number') set[atom] = 1;
      else atom.forEach((bit, c) => (set[c] = set[c]! | bit));
    }
    this.i++;
    if (set.subarray(0xd800, 0xe000).some((bit) => bit === 1) && !set.subarray(0xd800, 0xe000).every((bit) => bit === 1)) {
      throw new UntranslatableRegex('an astral character or surrogate inside [...] (JS matches its UTF-16 units one by one)');
    }
    if (this.ignoreCase) caseClosure(set);
    this.out += setToClass(set, negated);
  }

  private classAtom(): number | CodeUnitSet {
    const c = this.src[this.i]!;
    if (c !== '\\') {
      this.i++;
      return c.charCodeAt(0);
    }
    const d = this.src[this.i + 1];
    if (d === undefined) throw new UntranslatableRegex('a trailing backslash');
    if (isSetEscape(d)) {
      this.i += 2;
      return escapeSet(d);
    }
    if (d === 'b') return this.take(2, 0x08);
    if (d === '-') return this.take(2, 0x2d);
    return this.escapedUnit(true);
  }
}

/** A code unit as RE2 reads it literally: ASCII letters and digits as they are, anything else as `\x{…}`. */
function literalText(cp: number): string {
  return /[A-Za-z0-9]/.test(String.fromCharCode(cp)) && cp < 0x80 ? String.fromCharCode(cp) : `\\x{${cp.toString(16)}}`;
}
