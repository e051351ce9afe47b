import { open } from 'node:fs/promises';
import { numberedColumns, parseCsvFields, parseCsvHeader } from './csv-fields.js';
import { CsvSplitter } from './csv-splitter.js';
import { JsonSplitter } from './json-splitter.js';
import { NdjsonSplitter } from './ndjson-splitter.js';
import { RecordCutter, type RecordSplitter } from './record-cutter.js';
import { jsonRecordOf } from './records.js';
import type { FileSourceOptions } from './types.js';

/** What `ferry validate` reads of a source file: a CSV's column names, or the first JSON records. */
export type SourceSample = { format: 'csv'; header: string[] } | { format: 'json' | 'ndjson'; records: Record<string, unknown>[] };

/** The most bytes a sample reads: enough for a header, or for the first records of a JSON file. */
const SAMPLE_BYTES = 1024 * 1024;

/**
 * The head of a source file, cut into records by the same splitters a job uses: the CSV header
 * (col1…colN without one), or up to `limit` JSON objects (malformed ones skipped). Undefined when
 * the head cannot be read or cut: the job's plan reports that, with the byte where it happens.
 */
export async function sampleSource(options: FileSourceOptions, limit: number): Promise<SourceSample | undefined> {
  let head: { buf: Buffer; whole: boolean };
  try {
    head = await readHead(options.path);
  } catch {
    return undefined;
  }
  const spans: Buffer[] = [];
  try {
    const cutter = new RecordCutter(options.format, splitterFor(options), 0);
    const sink = (buf: Buffer, start: number, end: number): void => {
      if (spans.length < limit) spans.push(buf.subarray(start, end));
    };
    cutter.push(head.buf, sink);
    if (head.whole) cutter.end(sink);
  } catch {
    return undefined;
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
  const text = first.toString(encoding);
  const names = header ? parseCsvHeader(text, delimiter) : parseCsvFields(text, delimiter);
  if (typeof names === 'string') return undefined;
  return { format: 'csv', header: header ? names : numberedColumns(names.length) };
}

function splitterFor(options: FileSourceOptions): RecordSplitter {
  if (options.format === 'csv') return new CsvSplitter(options.csv.delimiter.charCodeAt(0));
  if (options.format === 'json') return new JsonSplitter('file');
  return new NdjsonSplitter();
}

async function readHead(path: string): Promise<{ buf: Buffer; whole: boolean }> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await file.read(buf, filled, SAMPLE_BYTES - filled, filled);
      if (bytesRead === 0) return { buf: buf.subarray(0, filled), whole: true };
      filled += bytesRead;
      if (filled === SAMPLE_BYTES) return { buf, whole: false };
    }
  } finally {
    await file.close();
  }
}
