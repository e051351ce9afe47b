import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../src/sources/index.js';
import type { FileSourceOptions } from '../../../src/sources/types.js';
import { errorsOf, optionsFor, recordsOf, scanAndRead, tempDir } from './helpers.js';

/** JSON arrays: elements are found by depth, strings and escapes, then parsed one by one. */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

function jsonFile(content: string): FileSourceOptions {
  return optionsFor('json', tmp.file(`case-${++n}.json`, content));
}

describe('json elements', () => {
  const tricky = [
    { email: 'a@x.io', tags: ['x', ['y', { z: '}]' }]], profile: { nested: { deep: [1, 2, { k: '[[' }] } } },
    { email: 'b@x.io', note: 'brackets ] } [ { and "escaped quotes" and \\ backslash \\' },
    { email: 'c@x.io', note: 'ends with a backslash \\', n: 1.5e3, ok: true, none: null },
    { email: 'd@x.io', unicode: 'Zoë 日本 😀 \u2028', escaped: '\u0000\t\n' },
  ];

  it.each([1, 2, 1000])('delimits nested objects, arrays and strings with brackets at batch size %i', async (batchSize) => {
    const { scan, items } = await scanAndRead(jsonFile(JSON.stringify(tricky, null, batchSize === 2 ? 2 : undefined)), batchSize);
    expect(scan.total).toBe(4);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3, 4]);
    expect(recordsOf(items)).toEqual(tricky);
  });

  it('ignores whitespace, newlines and a BOM around elements', async () => {
    const { items } = await scanAndRead(jsonFile('\uFEFF \r\n[\r\n\t{"email":"a@x.io"}  ,\n\n  {"email":"b@x.io"}\n]\r\n\n'));
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io' }, { email: 'b@x.io' }]);
  });

  it('names a second BOM before the array: only the first is dropped', async () => {
    const options = jsonFile('\uFEFF\uFEFF[{"email":"a@x.io"}]');
    await expect(sources.json.scan(options, 10)).rejects.toThrow(
      `[source:json] ${options.path}:1:1: expected a JSON array of users at byte 3, found a second byte order mark (EF BB BF; only the one at the file's start is dropped). Hint: remove it`,
    );
  });

  it('keeps values typed as JSON has them', async () => {
    const { items } = await scanAndRead(jsonFile('[{"email":"a@x.io","age":30,"admin":false,"meta":{"a":[1]}}]'));
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io', age: 30, admin: false, meta: { a: [1] } }]);
  });

  it('reads an empty array, with or without whitespace', async () => {
    for (const text of ['[]', ' [ \n ] \n']) {
      const { scan, items } = await scanAndRead(jsonFile(text));
      expect(scan.total).toBe(0);
      expect(items).toEqual([]);
    }
  });
});

describe('json malformed elements', () => {
  // "at position 31" counted UTF-16 units from the element's start: no place anyone could find in a file of a million users on one line.
  it.each([1, 1000])('says where a syntax error is as the byte of the file, at batch size %i', async (batchSize) => {
    const text = '[{"email":"a@x.io"},\n {"email":"é@x.io",\n  "name":"B",}, {"email":"c@x.io" "name":"C"}]';
    const options = jsonFile(text);
    const { items } = await scanAndRead(options, batchSize);
    const name = basename(options.path);
    expect(errorsOf(items).map((e) => [e.row, e.error])).toEqual([
      [2, `invalid JSON: Expected double-quoted property name at ${name}:3:14 (byte 55)`],
      [3, `invalid JSON: Expected ',' or '}' after property value at ${name}:3:35 (byte 76)`],
    ]);
    expect(Buffer.from(text).subarray(55, 56).toString()).toBe('}');
    expect(Buffer.from(text).subarray(76, 82).toString()).toBe('"name"');
  });

  it('yields a delimited but invalid element as an error at its row, and goes on', async () => {
    const text = '[{"email":"a@x.io"}, {"email": }, {"email":"c@x.io"}]';
    const { scan, items } = await scanAndRead(jsonFile(text), 1);
    expect(scan.total).toBe(3);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3]);
    expect(errorsOf(items)).toEqual([{ row: 2, raw: '{"email": }', error: expect.stringMatching(/^invalid JSON: .+/) }]);
    expect(recordsOf(items.filter((i) => i.row !== 2))).toEqual([{ email: 'a@x.io' }, { email: 'c@x.io' }]);
  });

  it('yields elements that are not objects as errors', async () => {
    const options = jsonFile('[[1,2], 42, "str", null, true, {"email":"a@x.io"}]');
    const { items } = await scanAndRead(options);
    // Each at its own place: they are all on line 1.
    const at = (byte: number): string => `${basename(options.path)}:1:${byte + 1} (byte ${byte})`;
    expect(errorsOf(items).map((e) => [e.row, e.raw, e.error])).toEqual([
      [1, '[1,2]', `expected a JSON object, got an array at ${at(1)}`],
      [2, '42', `expected a JSON object, got a number at ${at(8)}`],
      [3, '"str"', `expected a JSON object, got a string at ${at(12)}`],
      [4, 'null', `expected a JSON object, got null at ${at(19)}`],
      [5, 'true', `expected a JSON object, got a boolean at ${at(25)}`],
    ]);
    expect(recordsOf(items.slice(5))).toEqual([{ email: 'a@x.io' }]);
  });

  it.each([
    ['after a complete element and a comma', '[{"email":"a@x.io"},{"email":"b@x.io"},\n', 2],
    ['after a complete element', '[{"email":"a@x.io"},{"email":"b@x.io"}', 2],
    ['inside a string', '[{"email":"a@x.io"}, {"email":"b@x', 2],
    ['inside an object', '[{"email":"a@x.io"}, {"email":"b@x.io", "name":', 2],
    ['after the opening bracket', '[', 0],
    ['with a "}" missing, the "]" taken into the element', '[{"email":"a@x.io"},{"email":"b@x.io"]', 2],
  ])('fails the scan for an array cut %s', async (_, text, elements) => {
    // Issue 17: `[{…},{…},` imported as complete and the job "succeeded".
    const bytes = Buffer.byteLength(text);
    await expect(sources.json.scan(jsonFile(text), 1)).rejects.toMatchObject({
      name: 'SourceError',
      retryable: false,
      offset: bytes,
      message: expect.stringContaining(
        `ends at byte ${bytes} before the closing "]" of its array (after ${elements} element(s)). Hint: the file looks cut short`,
      ),
    });
  });

  it.each([
    [
      'a comma missing between two elements',
      '[{"email":"a@x.io"} {"email":"b@x.io"}]',
      /expected "," or "\]" between the elements of the array, found "\{" at byte 20, after 1 element\(s\)/,
    ],
    ['a comma missing between two scalars', '[1 2]', /expected "," or "\]" between the elements of the array, found "2" at byte 3, after 1 element/],
    ['a leading comma', '[ ,{"email":"a@x.io"}]', /unexpected "," at byte 2, after 0 element\(s\): the array starts with a comma/],
    [
      'a doubled comma',
      '[{"email":"a@x.io"},,{"email":"b@x.io"}]',
      /unexpected "," at byte 20, after 1 element\(s\): an element is missing between two commas/,
    ],
  ])('fails the scan for %s, naming the byte', async (_, text, message) => {
    await expect(sources.json.scan(jsonFile(text), 1)).rejects.toMatchObject({
      name: 'SourceError',
      retryable: false,
      message: expect.stringMatching(message),
    });
  });

  it('still reads a closed array whose last element is followed by a comma', async () => {
    const { scan, items } = await scanAndRead(jsonFile('[{"email":"a@x.io"},\n]'));
    expect(scan.total).toBe(1);
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io' }]);
  });
});

describe('json that is not an array of users', () => {
  it.each([
    ['an object', '{"users": []}', /expected a JSON array of users at byte 0, found "\{"/],
    ['an object after whitespace', '\n  {"a":1}', /expected a JSON array of users at byte 3/],
    ['an empty file', '', /expected a JSON array of users at byte 0, found the end of the file/],
    ['only whitespace', '  \n', /expected a JSON array of users at byte 3, found the end of the file/],
  ])('fails the scan for %s', async (_, text, message) => {
    await expect(sources.json.scan(jsonFile(text), 10)).rejects.toThrow(message);
  });

  it('fails the scan on data after the array', async () => {
    await expect(sources.json.scan(jsonFile('[{"a":1}]\n[{"b":2}]'), 10)).rejects.toThrow(/unexpected "\[" after the end of the JSON array at byte 10/);
  });

  it('says which source failed and is not retryable', async () => {
    const options = jsonFile('{}');
    await expect(sources.json.scan(options, 10)).rejects.toMatchObject({
      name: 'SourceError',
      retryable: false,
      offset: 0,
      message: expect.stringMatching(/^\[source:json\] /),
    });
  });

  // The job's error is all a user sees of a failed plan: "expected a JSON array of users at byte 0" named no file.
  it.each([
    ['an object', '{}'],
    ['data after the array', '[{"a":1}] x'],
    ['a missing comma', '[{"a":1} {"a":2}]'],
    ['only whitespace', '  \n'],
  ])('names the file for %s', async (_name, text) => {
    const options = jsonFile(text);
    // By its place when the error has one (file:line:col), as validate says places.
    await expect(sources.json.scan(options, 10)).rejects.toThrow(new RegExp(`^\\[source:json\\] ${escapeRegExp(options.path)}(?::\\d+:\\d+)?: `));
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
