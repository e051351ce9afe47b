import { afterAll, describe, expect, it } from 'vitest';
import { jsonErrorIndex } from '../../../src/sources/json-error.js';
import { errorsOf, optionsFor, scanAndRead, tempDir, placeOf } from './helpers.js';

/**
 * Every JSON syntax error of a record says where it is as the byte of the file. JSON.parse gives
 * some errors with no position ("Unexpected token '}', "{…}" is not valid JSON", "Unexpected end
 * of JSON input") and one with a position that is not "in JSON" ("… after JSON at position 21",
 * UTF-16 units into the record): those were passed on as they were, with no place in the file,
 * or a place counted from the record's start that no one could find in the file.
 */
const t = tempDir();
afterAll(() => t.cleanup());

/** The byte of the file where `needle` starts, searched from the byte of `after`. */
const byteOf = (text: string, needle: string, after: string): number => {
  const file = Buffer.from(text);
  const from = file.indexOf(after);
  expect(from).toBeGreaterThanOrEqual(0);
  const at = file.indexOf(needle, from);
  expect(at).toBeGreaterThanOrEqual(0);
  return at;
};

describe('a JSON syntax error is placed in the file', () => {
  // Each bad line after a line with a two-byte character, so a count of characters would be off.
  const lines = [
    '{"email":"é@x.io"}',
    '{"email":"b@x.io"}  trailing', // after JSON at position N
    '{"email":"c@x.io","x":tru}', // Unexpected token '}', "…" is not valid JSON
    '{"email":"d@x.io","y":[1,]}', // Unexpected token ']', …
    '{"email":"e@x.io","z":', // Unexpected end of JSON input
    '{"email":"f@x.io","w":nul }', // a literal cut short before a space
  ];
  const text = lines.join('\n') + '\n';

  it.each([1, 1000])('NDJSON, batch size %i: each message names the byte of the offending character, and quotes no record text', async (size) => {
    const options = optionsFor('ndjson', t.file(`lines-${size}.ndjson`, text));
    const { items } = await scanAndRead(options, size);
    const errors = errorsOf(items).map((e) => [e.row, e.error]);
    const at = (byte: number): string => placeOf(options.path, text, byte);
    expect(errors).toEqual([
      [2, `invalid JSON: Unexpected non-whitespace character after the JSON value at ${at(byteOf(text, 'trailing', 'b@x.io'))}`],
      [3, `invalid JSON: Unexpected token '}' at ${at(byteOf(text, '}', 'c@x.io'))}`],
      [4, `invalid JSON: Unexpected token ']' at ${at(byteOf(text, ']', 'd@x.io'))}`],
      [5, `invalid JSON: Unexpected end of JSON input at ${at(byteOf(text, '\n', 'e@x.io'))}`],
      [6, `invalid JSON: Unexpected token ' ' at ${at(byteOf(text, ' }', 'f@x.io'))}`],
    ]);
  });

  it('names a character that shows nothing where the error is: a NUL, a line separator, a no-break space', async () => {
    const text = '{"email":"a@x.io",\u2028"name":"A"}\n{"email":"b@x.io"}\u00a0x\n\u0000\u0000\u0000\n{"email":"c@x.io"}\n';
    const options = optionsFor('ndjson', t.file('unseen.ndjson', text));
    const { items } = await scanAndRead(options, 2);
    const at = (byte: number): string => placeOf(options.path, text, byte);
    expect(errorsOf(items).map((e) => [e.row, e.error])).toEqual([
      [1, `invalid JSON: Expected double-quoted property name (U+2028, which shows as nothing or a blank) at ${at(byteOf(text, '\u2028', 'a@x.io'))}`],
      [
        2,
        `invalid JSON: Unexpected non-whitespace character after the JSON value (U+00A0, which shows as nothing or a blank) at ${at(byteOf(text, '\u00a0', 'b@x.io'))}`,
      ],
      [3, `invalid JSON: Unexpected character (U+0000, a NUL byte, which shows as nothing or a blank) at ${at(byteOf(text, '\u0000', 'b@x.io'))}`],
    ]);
  });

  it('a JSON array element: the same, past a long element before it', async () => {
    const long = `{"email":"a@x.io","name":"${'é'.repeat(3000)}"}`;
    const array = `[${long},\n {"email":"b@x.io","x":[1,2,,3]}, {"email":"c@x.io"}]`;
    const options = optionsFor('json', t.file('array.json', array));
    const { items } = await scanAndRead(options, 2);
    const at = (byte: number): string => placeOf(options.path, array, byte);
    expect(errorsOf(items).map((e) => [e.row, e.error])).toEqual([[2, `invalid JSON: Unexpected token ',' at ${at(byteOf(array, ',,', 'b@x.io') + 1)}`]]);
  });
});

describe('jsonErrorIndex', () => {
  /** -1 when JSON.parse takes it; else where it says the error is, or null when it does not say. */
  const parsed = (text: string): number | null => {
    try {
      JSON.parse(text);
      return -1;
    } catch (err) {
      const m = / (?:in|after) JSON at position (\d+)/.exec((err as Error).message);
      return m ? Number(m[1]) : null;
    }
  };

  it('finds an error exactly where JSON.parse finds one, in texts made of JSON pieces', () => {
    const pieces = ['{', '}', '[', ']', '"a"', ':', ',', ' ', '1', '-0.5e+3', '01', '1.', 'true', 'nul', '"\\u00e9"', '"\\x"', '"\t"', '\n', 'é'];
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 65536) % n;
    };
    let valid = 0;
    for (let k = 0; k < 20_000; k++) {
      const text = Array.from({ length: 1 + next(8) }, () => pieces[next(pieces.length)]).join('');
      const expected = parsed(text);
      if (expected === -1) valid++;
      const index = jsonErrorIndex(text);
      if (expected === null) expect([text, index]).not.toEqual([text, -1]);
      else expect([text, index]).toEqual([text, expected]);
    }
    expect(valid).toBeGreaterThan(100);
  });

  it('walks 100,000 levels of nesting without a stack of its own', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonErrorIndex(deep)).toBe(-1);
    expect(jsonErrorIndex(deep.slice(0, -1))).toBe(deep.length - 1);
    expect(jsonErrorIndex(`${'{"a":'.repeat(100_000)}1${'}'.repeat(99_999)}]`)).toBe(100_000 * 5 + 1 + 99_999);
  });
});
