import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../src/sources/index.js';
import { errorsOf, optionsFor, placeOf, scanAndRead, tempDir } from './helpers.js';

/**
 * A JSON array is often one minified line: every place in it is on line 1, far past any read's
 * buffer. Errors there said `users.json:1 (byte N)`, no column, once the line had begun more than
 * a read (1 MiB) before: the column was counted only from a line start in the bytes at hand. An
 * editor goes to line:col; a 3 MB line with no column is no place at all.
 */
const t = tempDir();
afterAll(() => t.cleanup());

/** `count` users, each with a two-byte character so a byte count is no character count. */
const users = (count: number, from = 0): string[] =>
  Array.from({ length: count }, (_, i) => `{"email":"u${from + i}@x.io","name":"Zoë ${'x'.repeat(40)}","n":${i}}`);

describe('a JSON error on a line longer than a read is placed at its line and column', () => {
  const many = users(40_000);
  const bad = '{"email":"bad@x.io","x":[1,,2]}';

  it.each([7, 1000, 50_000])('a bad element near the end of a >2 MiB single-line array, batch size %i', async (size) => {
    const text = `[${[...many, bad, ...users(3, 40_000)].join(',')}]`;
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    const options = optionsFor('json', t.file(`one-line-${size}.json`, text));
    const { items } = await scanAndRead(options, size);
    const at = Buffer.from(text).indexOf(',,2') + 1;
    expect(errorsOf(items).map((e) => [e.row, e.error])).toEqual([[40_001, `invalid JSON: Unexpected token ',' at ${placeOf(options.path, text, at)}`]]);
  });

  it('the same with a byte order mark and a CRLF line before the long one', async () => {
    const text = `\uFEFF[\r\n${[...many, bad].join(',')}\r\n]\r\n`;
    const options = optionsFor('json', t.file('bom-crlf.json', text));
    const { items } = await scanAndRead(options, 777);
    const at = Buffer.from(text).indexOf(',,2') + 1;
    expect(placeOf(options.path, text, at)).toMatch(/:2:\d+ /);
    expect(errorsOf(items).map((e) => e.error)).toEqual([`invalid JSON: Unexpected token ',' at ${placeOf(options.path, text, at)}`]);
  });

  it('a CRLF multi-line array: each bad element at its own line and column', async () => {
    const lines = [...users(30_000).map((u, i) => (i % 10_000 === 9_999 ? u.replace('"n":', '"n":-') + ' ' : u)), '{"email":"z@x.io","y":tru}'];
    // A few bad ones between good ones, some past the first MiB.
    lines[20_000] = '  {"email":"q@x.io","w":nul }';
    const text = `[\r\n${lines.join(',\r\n')}\r\n]\r\n`;
    const options = optionsFor('json', t.file('crlf.json', text));
    const { items } = await scanAndRead(options, 4096);
    const file = Buffer.from(text);
    expect(errorsOf(items).map((e) => e.error)).toEqual([
      `invalid JSON: Unexpected token ' ' at ${placeOf(options.path, text, file.indexOf('nul }') + 3)}`,
      `invalid JSON: Unexpected token '}' at ${placeOf(options.path, text, file.indexOf('tru}') + 3)}`,
    ]);
  });

  it('a whole-file error deep in a >2 MiB single line (two elements with no comma between) says its line and column', async () => {
    const text = `[${many.join(',')} ${users(1, 99).join('')}]`;
    const path = t.file('no-comma.json', text);
    const failed = await sources.json.scan(optionsFor('json', path), 1000).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    const at = Buffer.from(text).lastIndexOf(' {');
    const [, line, column] = /:(\d+):(\d+) \(byte/.exec(placeOf(path, text, at + 1))!;
    expect(failed?.message).toContain(`${path}:${line}:${column}:`);
  });

  it('an array cut short on a >2 MiB single line says the line and column where the file ends', async () => {
    const text = `\uFEFF[${many.join(',')},{"email":"cut@x.`;
    const path = t.file('cut.json', text);
    const failed = await sources.json.scan(optionsFor('json', path), 1000).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    const bytes = Buffer.byteLength(text);
    const [, line, column] = /:(\d+):(\d+) \(byte/.exec(placeOf(path, text, bytes))!;
    expect(failed?.message).toContain(`${path}:${line}:${column}: the file ends at byte ${bytes} before the closing "]"`);
  });
});
