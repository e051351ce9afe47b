import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { LinearRegExp, linearRegexProblem } from '../../../src/mapping/linear-regex.js';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * Regex literals mean what they mean in JavaScript (and so in JSONata), though they run on RE2:
 * every pattern accepted gives JS RegExp's matches on every input of the table. Before, `\s` missed
 * U+00A0, `.` matched `\r`, `[[:alpha:]]` was a POSIX class and `/k/i` matched the Kelvin sign.
 */

const inputs = [
  'Ann\u00a0Lee',
  'a\tb\nc\rd\u2028e\u2029f\u000bg\u000ch',
  ' \u1680\u2000\u200a\u202f\u205f\u3000\ufeff\u200b|',
  '[[:alpha:]] abc :]',
  'Kk\u212aSs\u017fÅå\u212b σςΣ İıi ß\u1e9e ǅǄǆ',
  'x😀y😀😀z',
  'line1\r\nline2\nline3\u2028line4',
  'Q\\E az AZ pL a{2} u{41} u41 ]}{',
  'a-b_c.d$e^f|g(h)i*j+k?l',
  '\u0000\u0001\u0008\u001b end',
  'aaaa bbb 0123 ٣',
];

/**
 * What stays different (linear-regex.ts says so too): RE2 reads code points, so a pattern for one
 * arbitrary character takes a whole emoji where JS takes half; with m, lines end at \n only.
 */
const astral = 'x😀y😀😀z';
const otherLineEnds = 'line1\r\nline2\nline3\u2028line4';
const residual: Record<string, string[]> = {
  '.': [astral],
  '[\\S]': [astral],
  '[^k]': [astral],
  '[^]': [astral],
  '^line\\d': [otherLineEnds],
  '\\d$': [otherLineEnds],
};

const patterns: [string, string][] = [
  ['\\s+', ''],
  ['\\S+', ''],
  ['[\\s,]+', ''],
  ['[^\\s]+', ''],
  ['[\\S]', ''],
  ['.', ''],
  ['a.b', ''],
  ['.+', ''],
  ['[[:alpha:]]', ''],
  ['[[:alpha:]]+', ''],
  ['[a-z]+', 'i'],
  ['k', 'i'],
  ['s+', 'i'],
  ['å', 'i'],
  ['σ', 'i'],
  ['ß', 'i'],
  ['ǅ', 'i'],
  ['i', 'i'],
  ['[^k]', 'i'],
  ['[\\w]+', 'i'],
  ['\\w+', 'i'],
  ['\\W+', ''],
  ['\\d+', ''],
  ['\\D+', ''],
  ['\\bb\\w*', ''],
  ['\\Bb', ''],
  ['\\Q', ''],
  ['\\E', ''],
  ['\\z', ''],
  ['\\pL', ''],
  ['\\a', ''],
  ['a{2}', ''],
  ['u{41}', ''],
  ['\\u{41}', ''],
  ['\\u0041', 'i'],
  ['\\x41', ''],
  ['\\x4', ''],
  ['\\cA|\\cH|\\c1', ''],
  ['[\\b]', ''],
  ['[\\d-z]+', ''],
  ['[a\\-z]+', ''],
  ['[-a]+', ''],
  ['[]', ''],
  ['[^]', ''],
  ['[\\]}{]+', ''],
  ['\\]', ''],
  ['{', ''],
  ['a{,2}', ''],
  ['\\0', ''],
  ['(?:a|b)+', ''],
  ['(?<word>\\w+) (\\w+)', ''],
  ['(a)|(b)', ''],
  ['a*?b', ''],
  ['^line\\d', 'm'],
  ['\\d$', 'm'],
  ['^\\w+', ''],
  ['😀', ''],
  ['\\ud83d\\ude00', ''],
  ['[\\u0000-\\u001f]+', ''],
  ['\\$|\\^|\\||\\(|\\)|\\*|\\+|\\?|\\.', ''],
];

function jsMatches(source: string, flags: string, text: string): unknown[] {
  const re = new RegExp(source, `${flags}g`);
  const found: unknown[] = [];
  for (let m = re.exec(text); m !== null && found.length < 50; m = re.exec(text)) {
    found.push([m.index, ...m]);
    if (m[0] === '') re.lastIndex++;
  }
  return found;
}

function linearMatches(source: string, flags: string, text: string): unknown[] {
  const re = new LinearRegExp(source, flags);
  const found: unknown[] = [];
  for (let m = re.exec(text); m !== null && found.length < 50; m = re.exec(text)) {
    found.push([m.index, ...m]);
    if (m[0] === '') re.lastIndex++;
  }
  return found;
}

describe('regexes mean what they mean in JavaScript', () => {
  it.each(patterns)('/%s/%s matches as JS RegExp does on every input', (source, flags) => {
    expect(linearRegexProblem(source, flags)).toBeNull();
    for (const text of inputs.filter((t) => !(residual[source] ?? []).includes(t)))
      expect(linearMatches(source, flags, text), `/${source}/${flags} on ${JSON.stringify(text)}`).toEqual(jsMatches(source, flags, text));
  });

  it('\\s is exactly JS whitespace, on every UTF-16 unit outside the surrogates', () => {
    const s = new LinearRegExp('^\\s$', '');
    const notS = new LinearRegExp('^\\S$', '');
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      const js = /^\s$/.test(ch);
      s.lastIndex = notS.lastIndex = 0;
      if (s.test(ch) !== js || notS.test(ch) === js) throw new Error(`\\s differs on U+${c.toString(16)}`);
    }
  });

  it('case-insensitive letters fold as JS folds them, for every BMP letter', () => {
    for (let c = 0x41; c < 0x10000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      if (ch.toUpperCase() === ch.toLowerCase()) continue;
      const source = `\\u${c.toString(16).padStart(4, '0')}`;
      const texts = [ch, ch.toUpperCase(), ch.toLowerCase(), 'k', 'K', 's', 'S', '\u212a', '\u017f'];
      for (const text of texts)
        if (new LinearRegExp(source, 'i').test(text) !== new RegExp(source, 'i').test(text)) {
          throw new Error(`/${source}/i differs on ${JSON.stringify(text)}`);
        }
    }
  });

  it.each([
    ['a(?=b)', 'lookahead'],
    ['(?<!a)b', 'lookbehind'],
    ['(a)\\1', 'backreferences'],
    ['\\07', 'octal'],
    ['[😀]', 'astral character'],
    ['😀+', 'quantifier after an astral character'],
    ['\\ud83d', 'lone surrogate'],
    ['(?<n>a)\\k<n>', 'backreferences'],
  ])('refuses /%s/ at validate, saying why (%s)', (source, why) => {
    expect(linearRegexProblem(source, '')).toContain(why);
  });

  it('the probe: $split(name, /\\s+/)[0] on "Ann\\u00a0Lee" is "Ann", compiled and interpreted', async () => {
    const ctx: MappingContext = { id: 'j', pipeline: 'p', started_at: '2024-01-02T00:00:00.000Z' };
    const expr = '$split(name, /\\s+/)[0]';
    const record = { name: 'Ann\u00a0Lee' };
    expect(await jsonata(expr).evaluate(record)).toBe('Ann');
    expect((await createMapper({ c: expr }, ctx).map(record)).values).toEqual({ c: 'Ann' });
    expect((await createMapper({ c: expr }, ctx, undefined, { interpretOnly: true }).map(record)).values).toEqual({ c: 'Ann' });
  });
});
