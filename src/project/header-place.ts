import { CsvSplitter } from '../sources/csv-splitter.js';
import { parseCsvHeader } from '../sources/csv-fields.js';
import { delimiterByte, headerBytes } from '../sources/csv.js';
import { LineCounter } from '../sources/lines.js';
import { MAX_RECORD_BYTES, RecordCutter } from '../sources/record-cutter.js';
import { openRegularFile } from '../sources/regular-file.js';
import type { FileSourceOptions } from '../sources/types.js';
import { decodeUtf8 } from '../sources/utf8.js';
import { decodeWindows1252 } from '../sources/windows-1252.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * `users.csv:3:7 (byte 9)`: where column `index` of a CSV file's header starts, as sampleSource
 * places its header cautions (the header is the first record: blank lines and a byte order mark
 * before it are counted, and a quoted name with a line break in it). Undefined when the head
 * cannot be read or is no header the sample would have taken: a warning then names no place.
 */
export async function headerColumnPlace(options: FileSourceOptions, shown: string, index: number): Promise<string | undefined> {
  const { delimiter, encoding } = options.csv;
  const latin1 = encoding === 'latin1';
  const read: Buffer[] = [];
  let header: { span: Buffer; at: number } | undefined;
  try {
    const cutter = new RecordCutter('csv', new CsvSplitter(delimiterByte(options)), 0);
    const sink = (buf: Buffer, start: number, end: number, offset: number): void => {
      header ??= { span: buf.subarray(start, end), at: offset + start };
    };
    const file = await openRegularFile(options.path);
    try {
      for (let position = 0; header === undefined && position <= MAX_RECORD_BYTES;) {
        const chunk = Buffer.alloc(CHUNK_BYTES);
        const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, position);
        read.push(chunk.subarray(0, bytesRead));
        position += bytesRead;
        if (bytesRead === 0) cutter.end(sink);
        else cutter.push(chunk.subarray(0, bytesRead), sink);
        if (bytesRead === 0) break;
      }
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
  if (header === undefined) return undefined;
  const { span, at } = header;
  const text = latin1 ? decodeWindows1252(span, 0, span.length) : decodeUtf8(span, 0, span.length);
  if (typeof text === 'number') return undefined;
  const starts: number[] = [];
  const names = parseCsvHeader(text, delimiter, starts);
  const start = starts[index];
  if (!Array.isArray(names) || start === undefined) return undefined;
  const byte = at + headerBytes(text, start, latin1);
  const lines = new LineCounter(1, 0, 0, 0, latin1);
  lines.advance(Buffer.concat(read), 0, byte);
  return `${shown}:${lines.line}:${lines.column + 1} (byte ${byte})`;
}
