import { constants, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Reject } from '../validation/reject.js';
import { maskJson } from '../cli/mask-json.js';
import { HttpError } from './http.js';

/** One error of one rejected record: a line of the rejects table. */
export interface RejectLine {
  row: number;
  code: string;
  path: string;
  message: string;
}

export interface RejectsPage {
  /** Lines matching the filter, among those indexed. */
  total: number;
  /** Every code in the report with its count, for the filter's choices (all of the report, indexed or not). */
  codes: { code: string; count: number }[];
  lines: RejectLine[];
  /** Errors in the report, and how many of them the table holds (the first `indexed`; the download has all). */
  errors: number;
  indexed: number;
  /** Lines of the report that are not a reject (cut short by a crash, damaged): left out of the table. */
  unreadable: number;
}

/** Errors the table holds of one report: 24 bytes each in the index, so a few hundred MB at most. */
export const MAX_INDEXED_LINES = 5_000_000;

/** A growable column of numbers: one typed array per field, not an object per line. */
class Column<T extends Float64Array | Uint32Array> {
  length = 0;
  constructor(
    public values: T,
    private readonly make: (size: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = this.make(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

const floats = (): Column<Float64Array> => new Column(new Float64Array(1024), (n) => new Float64Array(n));
const uints = (): Column<Uint32Array> => new Column(new Uint32Array(1024), (n) => new Uint32Array(n));

/**
 * Where each error is: the byte range of its reject's line and its place in that reject's errors,
 * with its code and path as numbers into `names`. Its message (and the record) stay in the file,
 * read back for the lines a page shows.
 */
interface Indexed {
  start: Float64Array;
  length: Uint32Array;
  error: Uint32Array;
  code: Uint32Array;
  path: Uint32Array;
  count: number;
  names: string[];
  codes: { code: string; count: number }[];
  errors: number;
  unreadable: number;
}

/**
 * The rejects table of a job, paged and filtered on the server: the report is read once into a
 * compact index — where each error is, its code and path; neither its message nor its record is
 * kept — and read again only when the file changes (size or time). A filter over 100k lines is a
 * scan of typed arrays, a few milliseconds; a page reads its 50 lines back from the file.
 */
export class RejectsIndex {
  /** Per file: the index, or its reading under way, which requests arriving meanwhile share. */
  private readonly cache = new Map<string, { key: string; indexed: Promise<Indexed>; reading: boolean }>();
  private readonly maxLines: number;

  constructor(options: { maxLines?: number } = {}) {
    this.maxLines = options.maxLines ?? MAX_INDEXED_LINES;
  }

  async page(file: string, filter: { code?: string; path?: string; offset: number; limit: number }): Promise<RejectsPage> {
    const indexed = await this.load(file);
    const path = filter.path?.toLowerCase();
    const code = filter.code === undefined ? undefined : indexed.names.indexOf(filter.code);
    // Decided once per name, not per line.
    const pathMatches = path ? indexed.names.map((name) => name.toLowerCase().includes(path)) : undefined;
    const picked: number[] = [];
    let total = 0;
    for (let i = 0; i < indexed.count; i++) {
      if (code !== undefined && indexed.code[i] !== code) continue;
      if (pathMatches && !pathMatches[indexed.path[i]!]) continue;
      if (total >= filter.offset && picked.length < filter.limit) picked.push(i);
      total++;
    }
    return {
      total,
      codes: indexed.codes,
      lines: await readLines(file, indexed, picked),
      errors: indexed.errors,
      indexed: indexed.count,
      unreadable: indexed.unreadable,
    };
  }

  /**
   * The file's index, read once: requests that came while it was read each read it again, so 20
   * at once held 20 copies of a big report (a gigabyte for 50 MB; a hundred crashed the console).
   */
  private load(file: string): Promise<Indexed> {
    const stat = statSync(file);
    if (!stat.isFile()) throw notAFile(file);
    const key = `${stat.size}:${stat.mtimeMs}`;
    const cached = this.cache.get(file);
    // A report that grew while it was read (a running job's, asked for each second) waits for that
    // read to end: a read each time it changed had dozens of whole reads of a big report at once.
    if (cached?.key === key || cached?.reading) return cached.indexed;
    const indexed = readIndex(file, this.maxLines);
    // A few reports at a time: the console looks at one job at a time.
    if (!cached && this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value as string);
    const entry = { key, indexed, reading: true };
    this.cache.set(file, entry);
    indexed.then(
      () => (entry.reading = false),
      // A read that failed is not kept: the next request tries again.
      () => this.cache.get(file) === entry && this.cache.delete(file),
    );
    return indexed;
  }
}

/** A line of the report: its text, where it starts and how many bytes it has, and the reject it holds (undefined: not one). */
interface ReportLine {
  text: string;
  start: number;
  bytes: number;
  reject: Reject | undefined;
}

/** The report's lines with their byte ranges; a line that is not a reject (cut short, damaged) comes with `reject` undefined. */
async function* reportLines(file: string): AsyncGenerator<ReportLine> {
  const input = (await openReport(file)).createReadStream();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let start = 0;
  const line = (buffer: Buffer): ReportLine | undefined => {
    const text = buffer.toString('utf8').replace(/\r$/, '');
    const at = start;
    start += buffer.length + 1;
    return text === '' ? undefined : { text, start: at, bytes: buffer.length, reject: rejectOf(text) };
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let from = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, from)) {
        const piece = chunk.subarray(from, nl);
        const whole = pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        from = nl + 1;
        const out = line(whole);
        if (out) yield out;
      }
      if (from < chunk.length) {
        pending.push(chunk.subarray(from));
        pendingBytes += chunk.length - from;
      }
    }
    if (pendingBytes > 0) {
      const out = line(Buffer.concat(pending));
      if (out) yield out;
    }
  } finally {
    input.destroy();
  }
}

/**
 * The report opened, if it is a regular file: without O_NONBLOCK, opening a named pipe put at its
 * path waits for a writer, and reading it waits for data, each holding one of libuv's four threads.
 */
async function openReport(file: string): Promise<FileHandle> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if ((await handle.stat()).isFile()) return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
  await handle.close();
  throw notAFile(file);
}

const notAFile = (file: string): HttpError => new HttpError(403, `refused: ${basename(file)} is not a regular file; only the report the job wrote is read`);

function rejectOf(text: string): Reject | undefined {
  try {
    const value = JSON.parse(text) as Reject;
    return typeof value === 'object' && value !== null && Array.isArray(value.errors) ? value : undefined;
  } catch {
    return undefined;
  }
}

async function readIndex(file: string, maxLines: number): Promise<Indexed> {
  const start = floats();
  const length = uints();
  const error = uints();
  const code = uints();
  const path = uints();
  const names: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (name: string): number => {
    let id = ids.get(name);
    if (id === undefined) ids.set(name, (id = names.push(name) - 1));
    return id;
  };
  const counts = new Map<string, number>();
  let errors = 0;
  let unreadable = 0;
  for await (const line of reportLines(file)) {
    if (!line.reject) {
      unreadable++;
      continue;
    }
    line.reject.errors.forEach((e, i) => {
      const c = String(e.code);
      counts.set(c, (counts.get(c) ?? 0) + 1);
      errors++;
      if (start.length >= maxLines) return;
      start.push(line.start);
      length.push(line.bytes);
      error.push(i);
      code.push(idOf(c));
      path.push(idOf(String(e.path ?? '')));
    });
  }
  const codes = [...counts].map(([c, count]) => ({ code: c, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return {
    start: start.values,
    length: length.values,
    error: error.values,
    code: code.values,
    path: path.values,
    count: start.length,
    names,
    codes,
    errors,
    unreadable,
  };
}

/** The lines `picked` (indexes into `indexed`) read back from the report. */
async function readLines(file: string, indexed: Indexed, picked: number[]): Promise<RejectLine[]> {
  if (picked.length === 0) return [];
  const handle = await openReport(file);
  try {
    const out: RejectLine[] = [];
    const rejects = new Map<number, Reject | undefined>();
    for (const i of picked) {
      const at = indexed.start[i]!;
      if (!rejects.has(at)) {
        const buffer = Buffer.alloc(indexed.length[i]!);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
        rejects.set(at, bytesRead === buffer.length ? rejectOf(buffer.toString('utf8')) : undefined);
      }
      const e = rejects.get(at)?.errors[indexed.error[i]!];
      // Replaced between the index and this read (a resumed job rewrote it): the next request reads it again.
      if (!e) throw new HttpError(409, 'the reject report changed while it was read: reload the page');
      out.push({ row: rejects.get(at)!.row, code: e.code, path: e.path, message: e.message });
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** A CSV cell: quoted when needed, and a formula-looking cell made inert for spreadsheets. */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The rejects report as CSV lines: one per error, with the record as JSON. The report masks secret
 * columns; `mask` removes the project's secrets, from each field before it is encoded (CSV doubles
 * a `"`, and a secret holding one would match no more). A line that is not a reject (a report cut
 * short by a crash) goes out as its text, masked, under the code NOT_JSON, as the NDJSON download
 * sends it as text: the download is whole, not cut at that line.
 */
export async function* rejectsCsv(file: string, mask: (text: string) => string): AsyncGenerator<string> {
  yield 'row,code,path,message,record\r\n';
  for await (const { reject, text } of reportLines(file)) {
    if (!reject) {
      yield ['', 'NOT_JSON', '', 'this line of the report is not a reject (the report was cut short or damaged)', mask(text)].map(csvCell).join(',') + '\r\n';
      continue;
    }
    const record = maskJson(reject.record, mask);
    for (const e of reject.errors) yield [reject.row, mask(e.code), mask(e.path), mask(e.message), record].map(csvCell).join(',') + '\r\n';
  }
}
