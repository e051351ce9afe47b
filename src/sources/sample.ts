import { openRegularFile } from './regular-file.js';
import { headerCautions, numberedColumns, parseCsvFields, parseCsvHeader } from './csv-fields.js';
import { CsvSplitter } from './csv-splitter.js';
import { JsonSplitter } from './json-splitter.js';
import { NdjsonSplitter } from './ndjson-splitter.js';
import { MAX_RECORD_BYTES, RecordCutter, type RecordSplitter } from './record-cutter.js';
import { jsonRecordOf } from './records.js';
import { CSV, delimiterByte, headerBytes } from './csv.js';
import { LineCounter } from './lines.js';
import { SourceError, naming, placing } from './source-error.js';
import { arrayEndProblem } from './json.js';
import type { FileSourceOptions } from './types.js';
import { CSV_ENCODING_HINT, decodeUtf8, invalidUtf8Message, refuseUtf16, refuseUtf8BomAsLatin1 } from './utf8.js';
import { Utf8AsLatin1Watch } from './utf8-as-latin1.js';
import { decodeWindows1252 } from './windows-1252.js';

/** What `ferry validate` reads of a source file: a CSV's column names, or the first JSON records. */
export type SourceSample =
  /** `caution`: what the head suggests the job may refuse, which only the whole file can tell (a warning). */
  | { format: 'csv'; header: string[]; caution?: string }
  /** A file the job would refuse (a CSV header with a duplicate name, a UTF-16 file, JSON that is no array): the job's own message. */
  | { format: 'csv' | 'json' | 'ndjson'; problem: string }
  | { format: 'json' | 'ndjson'; records: Record<string, unknown>[] };

/** The most bytes a sample reads: enough for a header, or for the first records of a JSON file. */
const SAMPLE_BYTES = 1024 * 1024;

/**
 * The head of a source file, cut into records by the same splitters a job uses: the CSV header
 * (col1…colN without one), or up to `limit` JSON objects (malformed ones skipped), or why the
 * job would refuse the file, as far as its head tells (a CSV header, a JSON file that is not an
 * array or, read to its end, not a closed one). Undefined when the head cannot be read: the job's
 * plan reports that, with the system's reason. `shownPath` names the file in messages.
 */
export async function sampleSource(options: FileSourceOptions, limit: number, shownPath = options.path): Promise<SourceSample | undefined> {
  let splitter: RecordSplitter;
  try {
    splitter = splitterFor(options);
  } catch (err) {
    // A delimiter the job refuses (`é` in a UTF-8 file): say so now, not from a job that fails at planning.
    if (err instanceof SourceError && options.format === 'csv') return { format: 'csv', problem: err.message };
    return undefined;
  }
  const spans: Buffer[] = [];
  /** Every chunk read, from the file's start: a problem is placed at its line and column in them. */
  const chunks: Buffer[] = [];
  /** File offset of the first record (the CSV header; blank lines may come before it). */
  let firstAt = 0;
  let head: Buffer;
  // What the job's plan would refuse the file for, found in the bytes read (a JSON file that is an object, not an array).
  let refused: unknown;
  let ended = false;
  let bytes = 0;
  try {
    const cutter = new RecordCutter(options.format, splitter, 0);
    const sink = (buf: Buffer, start: number, end: number, offset: number): void => {
      if (spans.length === 0) firstAt = offset + start;
      if (spans.length < limit) spans.push(buf.subarray(start, end));
    };
    // A CSV needs its whole header, however wide (up to the longest record a job reads); JSON
    // records are a sample, and the first megabyte's are enough once it holds one: until then the
    // first record is read to its end, or to the length the job refuses (validate said ok to an
    // NDJSON file whose first line of 40 MB failed the job's plan).
    const wanted = options.format === 'csv' ? 1 : limit;
    const most = MAX_RECORD_BYTES + SAMPLE_BYTES;
    head = await readHead(options.path, most, (chunk, eof) => {
      chunks.push(chunk);
      try {
        cutter.push(chunk, sink);
        if (eof) cutter.end(sink);
      } catch (err) {
        if (!(err instanceof SourceError)) throw err;
        refused = err;
        return true;
      }
      bytes += chunk.length;
      ended = eof;
      return spans.length >= wanted || (options.format !== 'csv' && spans.length > 0 && bytes >= SAMPLE_BYTES);
    });
  } catch {
    return undefined;
  }
  const singleByte = options.format === 'csv' && options.csv.encoding === 'latin1';
  /** `line:col` of the byte `at` of the file, in the bytes read; undefined past them. */
  const lineColumn = (at: number): string | undefined => {
    const read = Buffer.concat(chunks);
    if (at > read.length) return undefined;
    const lines = new LineCounter(1, 0, 0, 0, singleByte);
    lines.advance(read, 0, at);
    return `${lines.line}:${lines.column + 1}`;
  };
  /** `users.csv:4:7 (byte 40)` for the byte `at` of the file, as a job's messages say a place. */
  const placeOf = (at: number): string => {
    const place = lineColumn(at);
    return `${shownPath}${place === undefined ? '' : `:${place}`} (byte ${at})`;
  };
  let caution: string | undefined;
  // The file and its header as the job reads them (byte-batches.ts, sources/csv.ts): the same checks.
  try {
    refuseUtf16(options.format, shownPath, head);
    if (options.format === 'csv' && options.csv.encoding === 'latin1') {
      refuseUtf8BomAsLatin1(shownPath, head);
      // Past its first megabyte the head may end inside a character: it is looked at up to its last line end.
      const whole = ended ? head : head.subarray(0, head.lastIndexOf(0x0a) + 1);
      const watch = new Utf8AsLatin1Watch();
      watch.see(whole, 0, whole.length, 0);
      // A head that is not the whole file is no proof: a latin1 file whose first megabyte holds only
      // sequences UTF-8 allows would be refused here while the job, reading it all, runs it. The
      // plan's scan refuses a file UTF-8 throughout before any write; here it is a warning.
      if (ended) watch.check(shownPath);
      else caution = watch.suspicion(shownPath, whole.length);
    }
    if (refused !== undefined) throw naming(options.format, shownPath, placing(refused, Buffer.concat(chunks), 0, new LineCounter(1, 0, 0, 0, singleByte)));
    if (ended && splitter instanceof JsonSplitter) {
      const end = arrayEndProblem(splitter, shownPath, bytes, lineColumn(bytes));
      if (end) throw end;
    }
  } catch (err) {
    if (err instanceof SourceError) return { format: options.format, problem: err.message };
    throw err;
  }
  if (options.format !== 'csv') {
    const records = spans.flatMap((span, i) => {
      const parsed = jsonRecordOf(span, 0, span.length, i + 1, 0);
      return 'record' in parsed ? [parsed.record] : [];
    });
    return { format: options.format, records };
  }
  const first = spans[0];
  if (first === undefined) return undefined;
  const { delimiter, encoding, header } = options.csv;
  if (!header) {
    const fields = parseCsvFields(encoding === 'latin1' ? decodeWindows1252(first, 0, first.length) : first.toString('utf8'), delimiter);
    return typeof fields === 'string' ? undefined : { format: 'csv', header: numberedColumns(fields.length) };
  }
  const text = encoding === 'latin1' ? decodeWindows1252(first, 0, first.length) : decodeUtf8(first, 0, first.length);
  if (typeof text === 'number')
    return {
      format: 'csv',
      problem: `[source:${CSV}] bad header row in ${shownPath}: ${invalidUtf8Message(first, text, firstAt + text, CSV_ENCODING_HINT, placeOf(firstAt + text))}`,
    };
  const starts: number[] = [];
  const names = parseCsvHeader(text, delimiter, starts);
  const at = (index: number): string => placeOf(firstAt + headerBytes(text, index, encoding === 'latin1'));
  if (!Array.isArray(names)) return { format: 'csv', problem: `[source:${CSV}] bad header row in ${at(names.index)}: ${names.error}` };
  // What the job takes but may not do as meant (a name of blanks, `email` and `Email`), at the name.
  const cautions = [...headerCautions(names).map((c) => `${at(starts[c.column]!)}: ${c.message}`), ...(caution === undefined ? [] : [caution])];
  return { format: 'csv', header: names, ...(cautions.length === 0 ? {} : { caution: cautions.join('. Also ') }) };
}

function splitterFor(options: FileSourceOptions): RecordSplitter {
  if (options.format === 'csv') return new CsvSplitter(delimiterByte(options));
  if (options.format === 'json') return new JsonSplitter('file');
  return new NdjsonSplitter();
}

/**
 * Reads the file from its start a chunk at a time, handing each to `cut` (with whether the file
 * ended there), until `cut` has what it needs or `most` bytes are read. Returns the first chunk.
 */
async function readHead(path: string, most: number, cut: (chunk: Buffer, eof: boolean) => boolean): Promise<Buffer> {
  // A named pipe would block the open (and the ferry init/ui waiting on it) until a writer came.
  const file = await openRegularFile(path);
  try {
    let first: Buffer | undefined;
    for (let position = 0; position < most;) {
      const chunk = Buffer.alloc(SAMPLE_BYTES);
      let filled = 0;
      let eof = false;
      while (filled < SAMPLE_BYTES) {
        const { bytesRead } = await file.read(chunk, filled, SAMPLE_BYTES - filled, position + filled);
        if (bytesRead === 0) {
          eof = true;
          break;
        }
        filled += bytesRead;
      }
      const bytes = chunk.subarray(0, filled);
      first ??= bytes;
      position += filled;
      if (cut(bytes, eof) || eof) break;
    }
    return first ?? Buffer.alloc(0);
  } finally {
    await file.close();
  }
}
