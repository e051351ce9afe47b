import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileSourceOptions } from '../../../src/sources/types.js';
import { errorsOf, optionsFor, recordsOf, scanAndRead, tempDir } from './helpers.js';

/** NDJSON: one object per non-blank line. */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

function ndjsonFile(content: string): FileSourceOptions {
  return optionsFor('ndjson', tmp.file(`case-${++n}.ndjson`, content));
}

describe('ndjson lines', () => {
  it.each([1, 2, 1000])('yields an invalid line as an error at its row and goes on, at batch size %i', async (batchSize) => {
    const text = '{"email":"a@x.io"}\n{"email": oops}\n[1]\n{"email":"d@x.io"}\n';
    const options = ndjsonFile(text);
    const { scan, items } = await scanAndRead(options, batchSize);
    expect(scan.total).toBe(4);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3, 4]);
    expect(errorsOf(items)).toEqual([
      { row: 2, raw: '{"email": oops}', error: expect.stringMatching(/^invalid JSON: /) },
      { row: 3, raw: '[1]', error: `expected a JSON object, got an array at ${basename(options.path)}:3:1 (byte 35)` },
    ]);
    expect(recordsOf(items.filter((i) => i.row === 1 || i.row === 4))).toEqual([{ email: 'a@x.io' }, { email: 'd@x.io' }]);
  });

  it('skips blank and whitespace-only lines without counting them', async () => {
    const { scan, items } = await scanAndRead(ndjsonFile('\n\n{"email":"a@x.io"}\n  \t \n\r\n{"email":"b@x.io"}\n\n'), 1);
    expect(scan.total).toBe(2);
    expect(items.map((i) => i.row)).toEqual([1, 2]);
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io' }, { email: 'b@x.io' }]);
  });

  it('reads CRLF line ends, a BOM and a missing final newline', async () => {
    const { items } = await scanAndRead(ndjsonFile('\uFEFF{"email":"a@x.io"}\r\n{"email":"b@x.io","note":"x\\r\\ny"}'), 1);
    expect(recordsOf(items)).toEqual([{ email: 'a@x.io' }, { email: 'b@x.io', note: 'x\r\ny' }]);
  });

  it('rejects a line that starts with a BOM (files joined with their marks) with a message that names it', async () => {
    const options = ndjsonFile('\uFEFF\uFEFF{"email":"a@x.io"}\n{"email":"b@x.io"}\n\uFEFF{"email":"c@x.io"}\n');
    const { items } = await scanAndRead(options);
    const message = 'invalid JSON: it starts with a byte order mark (U+FEFF; only the one at the start of the file is dropped: files joined with theirs?) at';
    expect(errorsOf(items).map((e) => [e.row, e.error])).toEqual([
      [1, `${message} ${basename(options.path)}:1:1 (byte 3)`],
      [3, `${message} ${basename(options.path)}:3:1 (byte 44)`],
    ]);
    expect(items.flatMap((i) => ('record' in i ? [i.record] : []))).toEqual([{ email: 'b@x.io' }]);
  });

  it.each([1, 2, 1000])('ends a line at a lone CR outside a string, so no record is lost in another, at batch size %i', async (batchSize) => {
    // Old-Mac line ends, CRLF, and a raw CR inside a string (invalid JSON: one reject, not two halves).
    const text = '{"email":"a@x.io"}\r{"email":"b@x.io"}\r\n\r{"email":"c@x.io","note":"1\r2"}\r{"email":"d@x.io"}\r';
    const options = ndjsonFile(text);
    const { scan, items } = await scanAndRead(options, batchSize);
    expect(scan.total).toBe(4);
    expect(items.map((i) => i.row)).toEqual([1, 2, 3, 4]);
    expect(recordsOf(items.filter((i) => i.row !== 3))).toEqual([{ email: 'a@x.io' }, { email: 'b@x.io' }, { email: 'd@x.io' }]);
    expect(errorsOf(items)).toEqual([{ row: 3, raw: '{"email":"c@x.io","note":"1\r2"}', error: expect.stringMatching(/^invalid JSON: /) }]);
  });

  it('reads a large file whose only line ends are lone CRs, across read chunks', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => JSON.stringify({ email: `u${i}@x.io`, note: 'x'.repeat(40) }));
    const { scan, items } = await scanAndRead(ndjsonFile(lines.join('\r')), 7000);
    expect(scan.total).toBe(60_000);
    expect(errorsOf(items)).toEqual([]);
    expect(recordsOf(items).at(-1)).toEqual({ email: 'u59999@x.io', note: 'x'.repeat(40) });
  });

  it('keeps the raw text of a bad line as it is, without the line end', async () => {
    const { items } = await scanAndRead(ndjsonFile('  {"email":\r\n'));
    expect(errorsOf(items)).toEqual([{ row: 1, raw: '  {"email":', error: expect.stringMatching(/^invalid JSON/) }]);
  });
});
