import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { caseMappedLength } from '../../../src/mapping/compiler/output-guards.js';
import { compileExpression, createMapper, type MappingContext } from '../../../src/mapping/mapper.js';

/**
 * No built-in can make a value too large to hold: one call that would pass the output limit, or
 * many that together would, reject the record (MAPPING_ERROR) the same way compiled and
 * interpreted. Before, `$length($pad("", 140000000))` aborted the whole process (V8 "invalid size
 * error" in Runtime_GrowArrayElements at ~3 GB), and so did `ferry jobs resume` after it.
 */

const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2024-01-02T09:53:00.000Z' };

async function bothPaths(expr: string, record: Record<string, unknown> = {}) {
  const compiled = createMapper({ c: expr }, ctx);
  const interpreted = createMapper({ c: expr }, ctx, undefined, { interpretOnly: true });
  const start = performance.now();
  const a = await compiled.map(record);
  const b = await interpreted.map(record);
  return { compiled: a, interpreted: b, ms: performance.now() - start, plan: compiled.plan };
}

const refused: [string, RegExp][] = [
  ['$length($pad("", 140000000))', /\$pad would make at least 140000000 characters/],
  ['{"a": $pad("", 200000000, "ab")}', /\$pad would make at least 200000000 characters/],
  ['$substring($pad("", 140000000, "😀"), 1, 2)', /\$pad would make/],
  ['$formatInteger(1e300, "I")', /\$formatInteger would make at least 1\.00e\+297 characters/],
  ['$join([1..20].$pad("", 5000000))', /output limit per record/],
  ['$length($join([1..90000].$pad("", 1000000)))', /output limit per record/],
  ['($s := $pad("", 1000000); $join([1..100].$s, $s))', /\$join would make at least 199000000 characters/],
  ['($s := $pad("", 10000000, "a"); $replace($s, "a", "aaaaaaaaaa"))', /\$replace would make at least 100000000 characters/],
  ['($s := $pad("", 1000000); $string([1..30000].$s))', /output limit per record/],
  ['($s := $pad("", 1000000); $length([1..30000].$s & ""))', /output limit per record/],
  ['($s := $pad("", 1000000); {"a": [1..30000].$s})', /the column's value as JSON would make at least/],
  ['($f := function($s, $n){ $n = 0 ? $length($s) : $f($s & $s, $n - 1) }; $f("ab", 40))', /output limit per record/],
  // $clone is JSON.parse(JSON.stringify(x)): this took 28 s and 3 GB before "Invalid string length"
  ['($s := $pad("", 1000000); $count($clone({"a": [1..3000].$s}).a))', /output limit per record/],
  ['($s := $pad("", 1000000); $x := {"a": [1..40].$s}; $count([1..100].$clone($x)))', /output limit per record/],
  // a case mapping can make up to three units of one: uncounted, these made 120 million characters
  ['$length($uppercase($pad("", 60000000, "ß")))', /output limit per record/],
  ['$length($lowercase($pad("", 60000000, "İ")))', /output limit per record/],
  ['$length($pad("", 60000000, "ß") ~> $uppercase)', /output limit per record/],
  ['($f := function($s, $n){ $n = 0 ? $length($s) : $f($join([$s, $s, $s]), $n - 1) }; $f("ab", 40))', /output limit per record/],
  // a date picture is read in one call: 20 million characters took 14 s compiled, longer interpreted
  ['$fromMillis(0, $pad("", 20000000, "[Y]"))', /the picture of \$fromMillis has 20000000 characters, more than 1000/],
  ['$toMillis("2024", $pad("", 20000000, "[Y]"))', /the picture of \$toMillis has 20000000 characters, more than 1000/],
  ['$now($pad("", 20000000, "[Y]"))', /the picture of \$fromMillis has 20000000 characters, more than 1000/],
  // uncounted, 31 arrays of 16 million items zipped aborted the process (out of heap) after 80 s
  [`($a := $split($pad("", 3000000, "ab"), ""); $count($zip(${Array(30).fill('$a').join(', ')})))`, /\$zip would make at least 93000000 /],
  // copies of an array made in the expression: uncounted, 40 of 16 million items held 3 GB
  ['($a := $split($pad("", 16000000, "a"), ""); $sum([1..40].$count($reverse($a))))', /the output limit per record/],
];

describe('the output limit', () => {
  it.each(refused)('%s is a MAPPING_ERROR reject, the same compiled and interpreted', async (expr, message) => {
    const { compiled, interpreted, ms } = await bothPaths(expr);
    expect(compiled.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(message) as unknown }]);
    expect(compiled.errors[0]!.message).toMatch(/^column c: evaluation stopped/);
    expect(interpreted).toEqual(compiled);
    expect(ms).toBeLessThan(5_000);
  });

  // The interpreter builds the doubling arrays of the third case slowly: on a loaded machine its
  // time limit (2 s) may stop it before the sequence limit does. Either way the record is rejected.
  const sequenceOrTime = /D2015: The maximum sequence length of \d+ was exceeded|the time limit per record/;
  it.each([
    ['($a := [1..300]; $count($a.$a.$a.$a))', /D2015/, /D2015/],
    ['($a := [1..3000]; $count($a.$a.$a))', /steps limit per record/, /steps limit per record/],
    [
      '($f := function($a, $n){ $n = 0 ? $count($a) : $f([$a, $a], $n - 1) }; $f([1], 40))',
      /D2015: The maximum sequence length of \d+ was exceeded/,
      sequenceOrTime,
    ],
    ['($f := function($a, $n){ $n = 0 ? $count($a) : $f($append($a, $a), $n - 1) }; $f([1], 40))', /D2015/, /D2015/],
  ])('sequences are bounded too: %s', async (expr, message, interpretedMessage) => {
    const { compiled, interpreted } = await bothPaths(expr);
    expect(compiled.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(message) as unknown }]);
    expect(interpreted.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(interpretedMessage) as unknown }]);
  });

  it('leaves large but reasonable values alone', async () => {
    const big = 'x'.repeat(5_000_000);
    const { compiled, interpreted } = await bothPaths(
      '{"len": $length($string($) & Big), "tail": $substring(Big & "😀!", -2), "padded": $length($pad(Big, 6000000))}',
      {
        Big: big,
      },
    );
    expect(compiled).toEqual({ values: { c: { len: 10_000_010, tail: '😀!', padded: 6_000_000 } }, errors: [] });
    expect(interpreted).toEqual(compiled);
  });
  it('passes a guarded built-in every argument it was given, as many as there were (its first four by position)', async () => {
    const { compiled, interpreted } = await bothPaths(
      '{"z6": $zip([1], [2], [3], [4], [5], [6]), "z2": $zip([1], [2]), "pad": $pad("x", 3), "replace": $replace("aaa", "a", "bb", 2), "split": $split("a;b", ";"), "lower": $lowercase(N)}',
      { N: 'ÀB' },
    );
    expect(compiled).toEqual({
      values: { c: { z6: [[1, 2, 3, 4, 5, 6]], z2: [[1, 2]], pad: 'x  ', replace: 'bbbba', split: ['a', 'b'], lower: 'àb' } },
      errors: [],
    });
    expect(interpreted).toEqual(compiled);
    expect((await bothPaths('$pad("x")')).interpreted.errors[0]?.message).toMatch(/T0410: Argument 2 of function "pad"/);
  });
});

describe('$split and $replace, async in jsonata', () => {
  // their interpreter results are promises, and what they made went uncounted: the interpreter
  // wrote `$split` of 60 million characters into as many items, where compiled code refused it
  const limits = { steps: 100_000, depth: 2_000, timeMs: 2_000, output: 100 };
  const record = { s: 'a'.repeat(150), short: 'a'.repeat(80) };

  it.each(['$split(s, "a")', '$replace(s, /a/, "$0$0")', '$split(s, /a/)', '$replace(s, "a", function($m){ $m & $m })'])(
    '%s counts what it makes, compiled and interpreted',
    async (expr) => {
      const compiled = await createMapper({ c: expr }, ctx, limits).map(record);
      const interpreted = await createMapper({ c: expr }, ctx, limits, { interpretOnly: true }).map(record);
      expect(compiled.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringMatching(/output limit per record/) as unknown }]);
      expect(interpreted).toEqual(compiled);
    },
  );

  it('$split by "" is refused before its array is made (the interpreter made 50 million items first)', async () => {
    for (const interpretOnly of [false, true]) {
      const result = await createMapper({ c: '$split(s, "")' }, ctx, limits, { interpretOnly }).map(record);
      const message = 'column c: evaluation stopped: $split would make at least 150 characters or items, more than the output limit per record (100)';
      expect(result).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
    }
    // one item per UTF-16 unit, as jsonata splits, so the count is exact
    expect(await compileExpression('$split("a😀b", "", 3)', ctx).evaluate({})).toEqual(['a', '\ud83d', '\ude00']);
  });

  it('leaves results within the limit alone', async () => {
    const interpreted = await createMapper({ c: '$count($split(short, ""))' }, ctx, limits, { interpretOnly: true }).map(record);
    expect(interpreted).toEqual({ values: { c: 80 }, errors: [] });
  });
});

describe('case mappings', () => {
  it('know their exact length before they run, where it matters', () => {
    const samples = ['', 'abc', 'straße', 'İstanbul', 'ΐΰ ﬃ', 'ΣΑΣ', 'a😀ß', '\ud83d', 'ǰẖẗẘẙẚ'];
    for (const s of samples) {
      expect(caseMappedLength(s, s.length * 3 - 1, 'upper')).toBe(s.toUpperCase().length);
      expect(caseMappedLength(s, s.length * 3 - 1, 'lower')).toBe(s.toLowerCase().length);
    }
  });

  it('map as before', async () => {
    const { compiled, interpreted } = await bothPaths('[$uppercase("straße ΐ"), $lowercase("İSTANBUL ΣΑΣ"), "ß" ~> $uppercase]');
    expect(compiled).toEqual({ values: { c: ['straße ΐ'.toUpperCase(), 'i\u0307stanbul σας', 'SS'] }, errors: [] });
    expect(interpreted).toEqual(compiled);
  });
});

describe('string functions count code points without spreading the string', () => {
  const inputs = ['', 'abc', 'a😀b', '😀😀', '\ud83d', 'x\ude00y', '\ude00\ud83d', 'é́e', '𝒳𝒴𝒵 end'];
  const exprs = [
    '$length(s)',
    '$substring(s, 1)',
    '$substring(s, -2)',
    '$substring(s, 1, 2)',
    '$substring(s, -3, 2)',
    '$substring(s, 0.5, 1.7)',
    '$substring(s, -100, 2)',
    '$pad(s, 7, "😀a")',
    '$pad(s, -6, "\\ude00\\ud83d")',
    '$pad(s, 5)',
  ];
  it.each(exprs)('%s gives what jsonata gives, compiled and interpreted', async (expr) => {
    for (const s of inputs) {
      const expected: unknown = await jsonata(expr).evaluate({ s });
      const { compiled, interpreted } = await bothPaths(expr, { s });
      expect(compiled.values['c'], `${expr} on ${JSON.stringify(s)}`).toEqual(expected);
      expect(interpreted.values['c'], `${expr} on ${JSON.stringify(s)}`).toEqual(expected);
    }
  });
});

describe('$formatInteger with roman numerals', () => {
  // 0, which jsonata wrote as "", is "0" (number-edges.test.ts)
  it.each([1, 3999, 4000, 4321, -4321, 12345.9, 1_000_000])('formats %d as jsonata does, without recursing per letter', async (n) => {
    for (const picture of ['I', 'i', 'I;o']) {
      const expr = `$formatInteger(${n}, "${picture}")`;
      const expected: unknown = await jsonata(expr).evaluate({});
      const { compiled, interpreted } = await bothPaths(expr);
      expect(compiled.values['c']).toEqual(expected);
      expect(interpreted.values['c']).toEqual(expected);
    }
  });

  it('makes a numeral of 10 million Ms (the old code overflowed the stack)', async () => {
    const { compiled, interpreted } = await bothPaths('$length($formatInteger(1e10 + 4, "I"))');
    expect(compiled.values['c']).toBe(10_000_000 + 2);
    expect(interpreted).toEqual(compiled);
  });
});

describe('$now(picture, timezone)', () => {
  it.each([
    ['$now()', '2024-01-02T09:53:00.000Z'],
    ['$now("[H01]:[m01]", "-0500")', '04:53'],
    ['$now("[Y0001]-[M01]-[D01]")', '2024-01-02'],
    ['$now("[FNn], [D1o] [MNn]", "+1400")', 'Tuesday, 2nd January'],
    ['$now(undefined, "+0100")', '2024-01-02T10:53:00.000+01:00'],
  ])('%s formats the job start as $fromMillis would', async (expr, expected) => {
    const { compiled, interpreted, plan } = await bothPaths(expr);
    expect(plan.compiled).toEqual(['c']);
    expect(compiled).toEqual({ values: { c: expected }, errors: [] });
    expect(interpreted).toEqual(compiled);
    const upstream = expr.replace('$now(', `$fromMillis(${Date.parse(ctx.started_at)}, `).replace(', )', ')');
    expect(await jsonata(upstream).evaluate({})).toEqual(expected);
  });

  it('reports a bad picture as jsonata does, in both paths', async () => {
    const { compiled, interpreted } = await bothPaths('$now("[Q]")');
    expect(compiled.errors).toEqual([{ code: 'MAPPING_ERROR', path: 'c', message: expect.stringContaining('D3132') as unknown }]);
    expect(interpreted).toEqual(compiled);
  });

  it('the interpreter alone uses the job clock', async () => {
    expect(await compileExpression('$now("[H01]:[m01]", "-0500")', ctx).evaluate({})).toBe('04:53');
  });
});
