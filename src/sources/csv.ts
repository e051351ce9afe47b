import { scanFile, type RecordFilter } from './byte-batches.js';
import { readRange } from './read-range.js';
import { CsvRecordBuilder, numberedColumns, parseCsvFields, parseCsvHeader } from './csv-fields.js';
import { CsvSplitter } from './csv-splitter.js';
import { malformed } from './records.js';
import { SourceError } from './source-error.js';
import { CSV_ENCODING_HINT, decodeUtf8, invalidUtf8Message, refuseUtf8BomAsLatin1 } from './utf8.js';
import { Utf8AsLatin1Watch } from './utf8-as-latin1.js';
import { decodeWindows1252, windows1252Byte } from './windows-1252.js';
import type { FileSourceOptions, SourceDefinition } from './types.js';

export const CSV = 'csv';

/**
 * CSV (RFC 4180): the header row, when `csv.header`, names the columns and is not a record.
 * Boundaries are found on bytes, so a newline inside quotes never splits a record, whatever the
 * batch size. Values are strings; empty cells are left out of the record.
 */
export const csvSource: SourceDefinition = {
  name: CSV,

  async scan(options, batchSize) {
    const delimiter = delimiterByte(options);
    const header = new HeaderCatcher(options);
    const latin1 = options.csv.encoding === 'latin1' ? new Utf8AsLatin1Watch() : undefined;
    const result = await scanFile({
      format: CSV,
      path: options.path,
      splitter: new CsvSplitter(delimiter),
      batchSize,
      filter: latin1
        ? (buf, start, end, offset) => {
            latin1.see(buf, start, end, offset);
            return header.filter(buf, start, end, offset);
          }
        : header.filter,
      ...(options.csv.encoding === 'latin1' ? { checkHead: (first: Buffer) => refuseUtf8BomAsLatin1(options.path, first), singleByte: true } : {}),
    });
    // Without its header row the file says nothing of its columns: a cut or failed upstream export, not 0 users.
    if (options.csv.header && header.names === undefined) {
      throw new SourceError(
        `[source:${CSV}] ${options.path} has no header row: it is ${result.bytes === 0 ? 'empty (0 bytes)' : 'only blank lines'}. Hint: a CSV file with no users still has its header line; set csv.header: false for a file without one`,
        { offset: result.bytes },
      );
    }
    latin1?.check(options.path);
    return { ...result, header: header.names ?? [] };
  },

  read(options, range, scan) {
    const { header } = scan;
    if (header === undefined) throw new SourceError(`[source:${CSV}] read needs the header columns found by scan`);
    const latin1 = options.csv.encoding === 'latin1';
    const builder = new CsvRecordBuilder(header, options.csv.delimiter, latin1);
    return readRange({
      format: CSV,
      path: options.path,
      range,
      splitter: new CsvSplitter(delimiterByte(options)),
      singleByte: latin1,
      toRecord: (buf, start, end, row, offset, place) => {
        if (latin1) return builder.build(decodeWindows1252(buf, start, end), row, place);
        const text = decodeUtf8(buf, start, end);
        if (typeof text === 'number')
          return malformed(
            row,
            buf.toString('utf8', start, end),
            invalidUtf8Message(buf, text, offset + text, CSV_ENCODING_HINT, place.line > 0 ? place.of(text - start) : undefined),
            builder.maskRaw,
          );
        return builder.build(text, row, place);
      },
    });
  },
};

/**
 * Watches the first record of the scan. With a header row it is the column names and not a
 * record; without one, its width gives col1…colN and it is a record like any other.
 */
class HeaderCatcher {
  names: string[] | undefined;

  constructor(private readonly options: FileSourceOptions) {}

  readonly filter: RecordFilter = (buf, start, end, offset) => {
    if (this.names !== undefined) return true;
    const { delimiter, encoding, header } = this.options.csv;
    if (!header) {
      // Only the width counts here; the row's own read reports bytes that are not UTF-8.
      const text = encoding === 'latin1' ? decodeWindows1252(buf, start, end) : buf.toString('utf8', start, end);
      const fields = parseCsvFields(text, delimiter);
      // A broken first row still says roughly how wide the file is; its own parse reports the error.
      this.names = numberedColumns(typeof fields === 'string' ? text.split(delimiter).length : fields.length);
      return true;
    }
    const text = encoding === 'latin1' ? decodeWindows1252(buf, start, end) : decodeUtf8(buf, start, end);
    if (typeof text === 'number') {
      const at = offset + text;
      throw new SourceError(`[source:${CSV}] bad header row: ${invalidUtf8Message(buf, text, at, CSV_ENCODING_HINT)}`, { offset: at });
    }
    const names = parseCsvHeader(text, delimiter);
    if (!Array.isArray(names)) {
      // At the character at fault (a second `email`, a stray quote), not the line's start: the place is said from this byte.
      const at = offset + start + headerBytes(text, names.index, encoding === 'latin1');
      throw new SourceError(`[source:${CSV}] bad header row at byte ${at}: ${names.error}`, { offset: at });
    }
    this.names = names;
    return false;
  };
}

/** The bytes of the header's first `index` characters (UTF-16 units) in the file: one a character in latin1, UTF-8 otherwise. */
export function headerBytes(text: string, index: number, latin1: boolean): number {
  return latin1 ? index : Buffer.byteLength(text.slice(0, index));
}

/** The scanners compare single bytes, so the delimiter must be one byte in the file's encoding. */
export function delimiterByte(options: Pick<FileSourceOptions, 'csv'>): number {
  const { delimiter, encoding } = options.csv;
  // latin1 is read as Windows-1252 (windows-1252.ts): '€' is the byte 0x80 there.
  const byte =
    encoding === 'latin1' ? windows1252Byte(delimiter) : delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80 ? delimiter.charCodeAt(0) : undefined;
  if (byte === undefined || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new SourceError(
      `[source:${CSV}] delimiter ${JSON.stringify(delimiter)} cannot be used with encoding ${encoding}: it must be one byte, not a quote or line end. Hint: use an ASCII delimiter, or encoding latin1`,
    );
  }
  return byte;
}
