import { afterAll, describe, expect, it } from 'vitest';
import { errorsOf, optionsFor, recordsOf, scanAndRead, tempDir } from './helpers.js';

/**
 * NDJSON whose lines end with a lone CR (an old-Mac file, `\r`-joined output): a CR inside a JSON
 * string is no line end, so a line with an unbalanced quote (`"O"Brien"`) made every later CR look
 * like one inside a string. Every record after it, to the next LF (in such a file: the end of the
 * file), joined its reject: 1 record counted where the file has hundreds, none of them imported nor
 * rejected on its own (or, past 16 MiB, the whole job failed).
 */
const t = tempDir();
afterAll(() => t.cleanup());

describe('an unbalanced quote in a CR-separated NDJSON file', () => {
  const good = Array.from({ length: 300 }, (_, i) => `{"email":"u${i}@x.io"}`);
  const lines = [good[0]!, '{"email":"bad@x.io","name":"O"Brien"}', ...good.slice(1)];

  it.each([1, 7, 1000])('is one reject at its row, and every later record is read on its own (batch size %i)', async (size) => {
    const { scan, items } = await scanAndRead(optionsFor('ndjson', t.file(`cr-${size}.ndjson`, lines.join('\r') + '\r')), size);
    expect(scan.total).toBe(lines.length);
    expect(errorsOf(items).map((e) => [e.row, e.raw])).toEqual([[2, lines[1]]]);
    expect(recordsOf(items.filter((item) => !('error' in item)))).toEqual(good.map((line) => JSON.parse(line) as unknown));
  });

  it('an odd quote in a string value too (a raw CR then a record start)', async () => {
    const text = '{"email":"a@x.io","note":"say \\"hi"}\r{"email":"b@x.io","note":"x"y"}\r{"email":"c@x.io"}\r{"email":"d@x.io"}';
    const { items } = await scanAndRead(optionsFor('ndjson', t.file('odd.ndjson', text)), 2);
    expect(items.map((item) => ('error' in item ? `reject ${item.row}` : item.record['email']))).toEqual(['a@x.io', 'reject 2', 'c@x.io', 'd@x.io']);
  });
});
