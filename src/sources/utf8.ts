import { SourceError } from './source-error.js';

const REPLACEMENT = '\uFFFD';

/**
 * The text of bytes [start, end) decoded as UTF-8, or the index of the first byte that is not valid
 * UTF-8 (a number). Node's decoder silently turns bad bytes into U+FFFD, so a record without U+FFFD
 * is valid as decoded (the fast path: one indexOf); only one holding U+FFFD is checked byte by byte,
 * since the file may hold a real U+FFFD.
 */
export function decodeUtf8(buf: Buffer, start: number, end: number): string | number {
  const text = buf.toString('utf8', start, end);
  if (text.indexOf(REPLACEMENT) === -1) return text;
  const bad = firstInvalidUtf8(buf, start, end);
  return bad === -1 ? text : bad;
}

/** Index of the first byte of an invalid UTF-8 sequence in [start, end), or -1 (RFC 3629: no overlongs, surrogates or code points past U+10FFFF). */
export function firstInvalidUtf8(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [length, min, cp] = [2, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [length, min, cp] = [3, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [length, min, cp] = [4, 0x10000, b & 0x07];
    else return i;
    if (i + length > end) return i;
    for (let k = 1; k < length; k++) {
      const c = buf[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += length;
  }
  return -1;
}

/** The message of a record that is not valid UTF-8: where, which byte, and what to do about it. */
export function invalidUtf8Message(buf: Buffer, at: number, fileOffset: number, hint: string, place?: string): string {
  const byte = `0x${buf[at]!.toString(16).padStart(2, '0')}`;
  // `place`: file:line:col (byte N), when the reader knows the lines.
  const where = place === undefined ? `at byte ${fileOffset} (${byte})` : `(${byte}) at ${place}`;
  return `invalid UTF-8 ${where}: the file is not UTF-8. Hint: ${hint}`;
}

export const CSV_ENCODING_HINT = 'for a Latin-1 / Windows-1252 file set source.csv.encoding: latin1, or convert the file to UTF-8';
export const JSON_ENCODING_HINT = 'JSON must be UTF-8 (RFC 8259); convert the file, e.g. iconv -f latin1 -t utf-8';

/**
 * A UTF-16 (or UTF-32) file read as UTF-8 gives one garbage record per NUL-laden line: refuse it
 * at its byte order mark, or without one when its first two characters are ASCII with a NUL byte
 * beside each (no UTF-8 text starts so: a header or a JSON value does not begin with NUL). Decoding
 * it would mean re-encoding every range the batches read; a conversion (iconv) is one command.
 */
export function refuseUtf16(format: string, path: string, first: Buffer): void {
  const packed = packedOf(first);
  // Read as text, these fail at their first byte with "invalid UTF-8 at byte 1": say what the file is.
  if (packed !== undefined)
    throw new SourceError(`[source:${format}] ${path} is ${packed.kind}, not a ${format} text file. Hint: ${packed.hint}`, { offset: 0 });
  const encoding = utf16Of(first);
  if (encoding === undefined) return;
  throw new SourceError(
    `[source:${format}] ${path} ${encoding}; Ferry reads UTF-8 files (and latin1 CSV). Hint: convert it, e.g. iconv -f ${encoding.includes('UTF-32') ? 'utf-32' : 'utf-16'} -t utf-8`,
    { offset: 0 },
  );
}

/** Compressed files and workbooks, by their leading magic bytes: none of them starts a text file. */
const PACKED: readonly { magic: readonly number[]; kind: string; hint: string }[] = [
  { magic: [0x1f, 0x8b], kind: 'gzip-compressed', hint: 'decompress it first (gunzip)' },
  {
    magic: [0x50, 0x4b, 0x03, 0x04],
    kind: 'a ZIP archive',
    hint: 'an Excel .xlsx workbook is one: save it from the spreadsheet as CSV UTF-8; another archive: extract it first (unzip)',
  },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], kind: 'an Excel .xls workbook (OLE2)', hint: 'save it from the spreadsheet as CSV UTF-8' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], kind: 'zstd-compressed', hint: 'decompress it first (zstd -d)' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], kind: 'xz-compressed', hint: 'decompress it first (unxz)' },
];

function packedOf(first: Buffer): { kind: string; hint: string } | undefined {
  return PACKED.find(({ magic }) => first.length >= magic.length && magic.every((b, i) => first[i] === b));
}

function utf16Of(first: Buffer): string | undefined {
  const [b0, b1, b2, b3] = first;
  // UTF-32LE's mark starts with UTF-16LE's: told first, or the hint's iconv -f utf-16 makes garbage of it.
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return 'starts with a UTF-32LE byte order mark';
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return 'starts with a UTF-32BE byte order mark';
  if (b0 === 0xff && b1 === 0xfe) return 'starts with a UTF-16LE byte order mark';
  if (b0 === 0xfe && b1 === 0xff) return 'starts with a UTF-16BE byte order mark';
  if (first.length < 4) return undefined;
  const ascii = (b: number | undefined): boolean => b !== undefined && b !== 0 && b < 0x80;
  if (ascii(b0) && b1 === 0 && b2 === 0 && b3 === 0) return 'looks like UTF-32LE text (three NUL bytes after its first character)';
  if (b0 === 0 && b1 === 0 && b2 === 0 && ascii(b3)) return 'looks like UTF-32BE text (three NUL bytes before its first character)';
  if (ascii(b0) && b1 === 0 && ascii(b2) && b3 === 0)
    return 'looks like UTF-16LE text without a byte order mark (a NUL byte after each of its first characters)';
  if (b0 === 0 && ascii(b1) && b2 === 0 && ascii(b3))
    return 'looks like UTF-16BE text without a byte order mark (a NUL byte before each of its first characters)';
  return undefined;
}

/**
 * A CSV said to be latin1 that starts with a UTF-8 byte order mark is UTF-8: read as Windows-1252,
 * each of its accented letters would be written as two wrong ones (é as Ã©), row after row, with
 * nothing to say so. The mark is dropped either way (record-cutter.ts), so this is the only place
 * it can tell.
 */
export function refuseUtf8BomAsLatin1(path: string, first: Buffer): void {
  if (first[0] !== 0xef || first[1] !== 0xbb || first[2] !== 0xbf) return;
  throw new SourceError(
    `[source:csv] ${path} starts with a UTF-8 byte order mark, but source.csv.encoding is latin1: read as Windows-1252, its accented letters would be written wrong (é as Ã©). Hint: remove encoding: latin1 (UTF-8 is the default)`,
    { offset: 0 },
  );
}
