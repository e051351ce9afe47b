import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { sources } from '../../../src/sources/index.js';
import { firstInvalidUtf8 } from '../../../src/sources/utf8.js';
import type { FileFormat } from '../../../src/spec/pipeline-schema.js';
import { errorsOf, optionsFor, recordsOf, scanAndRead, tempDir, placeOf } from './helpers.js';

/**
 * Issue 17, item 3: bytes that are not UTF-8 never become U+FFFD silently. Without `encoding:`, a
 * record holding them is a PARSE_ERROR at its row, naming the byte offset and how to fix it; the
 * other records are read as usual. A UTF-16 file is refused at its byte order mark.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

const file = (format: FileFormat, content: Buffer, csv = {}) => optionsFor(format, tmp.file(`enc-${++n}.${format}`, content), csv);
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('bytes that are not UTF-8', () => {
  it('CSV: the record is a PARSE_ERROR at its row with the byte offset and a hint; the others are read', async () => {
    const content = latin1('email,name\nl1@example.com,A\nl3@ex\u00e4mple.com,B\nl4@example.com,C\n');
    const options = file('csv', content);
    const { scan, items } = await scanAndRead(options, 2);
    expect(scan.total).toBe(3);
    const at = content.indexOf(0xe4);
    expect(errorsOf(items)).toEqual([
      {
        row: 2,
        raw: 'l3@ex\uFFFDmple.com,B',
        error: `invalid UTF-8 (0xe4) at ${placeOf(options.path, content, at)}: the file is not UTF-8. Hint: for a Latin-1 / Windows-1252 file set source.csv.encoding: latin1, or convert the file to UTF-8`,
      },
    ]);
    expect(recordsOf([items[0]!, items[2]!])).toEqual([
      { email: 'l1@example.com', name: 'A' },
      { email: 'l4@example.com', name: 'C' },
    ]);
  });

  it('CSV with encoding: latin1 reads the same bytes as text', async () => {
    const { items } = await scanAndRead(file('csv', latin1('email\nl3@ex\u00e4mple.com\n'), { encoding: 'latin1' }));
    expect(recordsOf(items)).toEqual([{ email: 'l3@ex\u00e4mple.com' }]);
  });

  it('CSV with encoding: latin1 reads bytes 0x80–0x9F as Windows-1252 punctuation, not C1 controls', async () => {
    const high = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    const content = Buffer.concat([Buffer.from('email,n\x80me\na@x.io,', 'latin1'), high, Buffer.from('\nb@x.io,Caf\xe9 \x93Bo\x94\n', 'latin1')]);
    // batch size 1: each record is read from its own range, cut anywhere in the file
    const { scan, items } = await scanAndRead(file('csv', content, { encoding: 'latin1' }), 1);
    expect(scan.header).toEqual(['email', 'n€me']);
    const windows1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
    expect(recordsOf(items)).toEqual([
      { email: 'a@x.io', 'n€me': windows1252 },
      { email: 'b@x.io', 'n€me': 'Café “Bo”' },
    ]);
    // what WHATWG's TextDecoder('windows-1252') gives, where it is built with the full table
    expect(windows1252).toBe(
      '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178',
    );
  });

  it.each(['ndjson', 'json'] as const)('%s: the record is a PARSE_ERROR at its row with the byte offset', async (format) => {
    const lines = ['{"email":"a@example.com"}', '{"email":"l3@ex\u00e4mple.com"}', '{"email":"c@example.com"}'];
    const content = latin1(format === 'json' ? `[${lines.join(',\n')}]` : lines.join('\n'));
    const options = file(format, content);
    const { scan, items } = await scanAndRead(options, 1);
    expect(scan.total).toBe(3);
    const errors = errorsOf(items);
    expect(errors.map((e) => e.row)).toEqual([2]);
    expect(errors[0]!.error).toBe(
      `invalid UTF-8 (0xe4) at ${placeOf(options.path, content, content.indexOf(0xe4))}: the file is not UTF-8. Hint: JSON must be UTF-8 (RFC 8259); convert the file, e.g. iconv -f latin1 -t utf-8`,
    );
    expect(recordsOf([items[0]!, items[2]!])).toEqual([{ email: 'a@example.com' }, { email: 'c@example.com' }]);
  });

  it.each([
    ['an overlong slash', [0xc0, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a cut sequence', [0xe2, 0x82]],
    ['a byte past U+10FFFF', [0xf5, 0x80, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
  ])('rejects %s', async (_, bytes) => {
    const content = Buffer.concat([Buffer.from('email\nok@example.com\nx'), Buffer.from(bytes), Buffer.from('@example.com\n')]);
    const options = file('csv', content);
    const { items } = await scanAndRead(options);
    const errors = errorsOf(items);
    expect(errors.map((e) => e.row)).toEqual([2]);
    const at = content.indexOf(Buffer.from(bytes));
    expect(errors[0]!.error.startsWith(`invalid UTF-8 (0x${bytes[0]!.toString(16)}) at ${placeOf(options.path, content, at)}: `)).toBe(true);
  });

  it('keeps valid UTF-8, a real U+FFFD and 4-byte characters included', async () => {
    const { items } = await scanAndRead(file('csv', Buffer.from('email,name\na@example.com,\uFFFD Zoë 😀 日本\n')));
    expect(recordsOf(items)).toEqual([{ email: 'a@example.com', name: '\uFFFD Zoë 😀 日本' }]);
  });

  it('fails the scan when the CSV header is not UTF-8', async () => {
    await expect(sources.csv.scan(file('csv', latin1('email,n\u00e4me\na@example.com,A\n')), 10)).rejects.toThrow(
      /bad header row: invalid UTF-8 at byte 7 \(0xe4\).*source\.csv\.encoding: latin1/,
    );
  });

  it('finds the first invalid byte exactly where a strict decoder fails', () => {
    let state = 7;
    const next = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const strict = new TextDecoder('utf-8', { fatal: true });
    const pieces = [
      [0x41],
      [0xc3, 0xa9],
      [0xe2, 0x82, 0xac],
      [0xf0, 0x9f, 0x98, 0x80],
      [0x80],
      [0xc3],
      [0xed, 0xa0],
      [0xf4, 0x90],
      [0xef, 0xbf, 0xbd],
      [0xe0, 0x80],
      [0xff],
    ];
    for (let i = 0; i < 1000; i++) {
      const buf = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 6) }, () => pieces[Math.floor(next() * pieces.length)]!).flat());
      const bad = firstInvalidUtf8(buf, 0, buf.length);
      let valid = true;
      try {
        strict.decode(buf);
      } catch {
        valid = false;
      }
      expect(bad === -1, buf.toString('hex')).toBe(valid);
      if (bad !== -1) {
        expect(() => strict.decode(buf.subarray(0, bad))).not.toThrow();
      }
    }
  });
});

describe('a UTF-16 file', () => {
  it.each([
    ['csv', 'utf16le', 'looks like UTF-16LE text without a byte order mark', 'utf-16'],
    ['ndjson', 'utf16be', 'looks like UTF-16BE text without a byte order mark', 'utf-16'],
    ['json', 'utf32le', 'looks like UTF-32LE text', 'utf-32'],
  ] as const)('%s in %s without a byte order mark is refused too, with the conversion', async (format, encoding, said, from) => {
    const text = format === 'json' ? '[{"email":"a@example.com"}]' : format === 'csv' ? 'email\na@example.com\n' : '{"email":"a@example.com"}\n';
    const le = Buffer.from(text, 'utf16le');
    const body =
      encoding === 'utf16be' ? Buffer.from(le).swap16() : encoding === 'utf32le' ? Buffer.from([...text].flatMap((c) => [c.charCodeAt(0), 0, 0, 0])) : le;
    await expect(sources[format].scan(file(format, body), 10)).rejects.toMatchObject({
      name: 'SourceError',
      retryable: false,
      message: expect.stringMatching(
        new RegExp(`${said}.*; Ferry reads UTF-8 files \\(and latin1 CSV\\)\\. Hint: convert it, e\\.g\\. iconv -f ${from} -t utf-8$`),
      ),
    });
  });

  it('a UTF-8 file whose first characters are ASCII is read as usual', async () => {
    const { total } = await sources.csv.scan(file('csv', Buffer.from('e,mail\na@example.com,x\n')), 10);
    expect(total).toBe(1);
  });

  it.each([
    ['csv', 'UTF-16LE', 'utf16le', [0xff, 0xfe]],
    ['ndjson', 'UTF-16LE', 'utf16le', [0xff, 0xfe]],
    ['json', 'UTF-16BE', 'utf16be', [0xfe, 0xff]],
  ] as const)('%s with a %s byte order mark is refused, not read as garbage', async (format, name, encoding, bom) => {
    const text = format === 'json' ? '[{"email":"a@example.com"}]' : format === 'csv' ? 'email\na@example.com\nb@example.com\n' : '{"email":"a@example.com"}\n';
    const le = Buffer.from(text, 'utf16le');
    const body = encoding === 'utf16be' ? Buffer.from(le).swap16() : le;
    await expect(sources[format].scan(file(format, Buffer.concat([Buffer.from(bom), body])), 10)).rejects.toMatchObject({
      name: 'SourceError',
      retryable: false,
      message: expect.stringContaining(
        `starts with a ${name} byte order mark; Ferry reads UTF-8 files (and latin1 CSV). Hint: convert it, e.g. iconv -f utf-16 -t utf-8`,
      ),
    });
  });
});

/** They failed at their first byte as "invalid UTF-8 at byte 1", or (a latin1 CSV) were read as rows of garbage. */
describe('a compressed file or a workbook', () => {
  const zipped = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x65, 0x6d, 0x0a, 0x61, 0x0a]);
  const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00, 0x0a, 0x41, 0x0a]);
  it.each([
    ['csv', gzipSync('email\na@example.com\n'), {}, 'is gzip-compressed, not a csv text file. Hint: decompress it first (gunzip)'],
    ['csv', gzipSync('email\na@example.com\n'), { encoding: 'latin1' }, 'is gzip-compressed'],
    ['ndjson', gzipSync('{"email":"a@example.com"}\n'), {}, 'is gzip-compressed, not a ndjson text file'],
    ['json', gzipSync('[{"email":"a@example.com"}]'), {}, 'is gzip-compressed, not a json text file'],
    [
      'csv',
      zipped,
      { encoding: 'latin1' },
      'is a ZIP archive, not a csv text file. Hint: an Excel .xlsx workbook is one: save it from the spreadsheet as CSV UTF-8',
    ],
    ['csv', xls, { encoding: 'latin1' }, 'is an Excel .xls workbook (OLE2), not a csv text file. Hint: save it from the spreadsheet as CSV UTF-8'],
  ] as const)('%s, case %#: refused, saying what the file is', async (format, body, csv, said) => {
    await expect(sources[format].scan(file(format, body, csv), 10)).rejects.toMatchObject({
      name: 'SourceError',
      retryable: false,
      message: expect.stringContaining(said),
    });
  });
});
