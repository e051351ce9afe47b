import { statSync } from 'node:fs';
import { readNdjson } from '../../activities/job-files.js';
import type { Reject } from '../validation/reject.js';
import { maskJson } from '../cli/mask-json.js';

/** One error of one rejected record: a line of the rejects table. */
export interface RejectLine {
  row: number;
  code: string;
  path: string;
  message: string;
}

export interface RejectsPage {
  /** Lines matching the filter. */
  total: number;
  /** Every code in the report with its count, for the filter's choices. */
  codes: { code: string; count: number }[];
  lines: RejectLine[];
}

interface Indexed {
  lines: RejectLine[];
  codes: { code: string; count: number }[];
}

/**
 * The rejects table of a job, paged and filtered on the server: the report is read once into a
 * compact list of (row, code, path, message) — the records, already masked in the file, are not
 * kept — and read again only when the file changes (size or time). A filter over 100k lines is a
 * scan of an array, a few milliseconds.
 */
export class RejectsIndex {
  /** Per file: the index, or its reading under way, which requests arriving meanwhile share. */
  private readonly cache = new Map<string, { key: string; indexed: Promise<Indexed> }>();

  async page(file: string, filter: { code?: string; path?: string; offset: number; limit: number }): Promise<RejectsPage> {
    const indexed = await this.load(file);
    const path = filter.path?.toLowerCase();
    const matching = indexed.lines.filter((l) => (!filter.code || l.code === filter.code) && (!path || l.path.toLowerCase().includes(path)));
    return { total: matching.length, codes: indexed.codes, lines: matching.slice(filter.offset, filter.offset + filter.limit) };
  }

  /**
   * The file's index, read once: requests that came while it was read each read it again, so 20
   * at once held 20 copies of a big report (a gigabyte for 50 MB; a hundred crashed the console).
   */
  private load(file: string): Promise<Indexed> {
    const stat = statSync(file);
    const key = `${stat.size}:${stat.mtimeMs}`;
    const cached = this.cache.get(file);
    if (cached?.key === key) return cached.indexed;
    const indexed = readIndex(file);
    // A few reports at a time: the console looks at one job at a time.
    if (!cached && this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(file, { key, indexed });
    // A read that failed is not kept: the next request tries again.
    indexed.catch(() => this.cache.get(file)?.indexed === indexed && this.cache.delete(file));
    return indexed;
  }
}

async function readIndex(file: string): Promise<Indexed> {
  const lines: RejectLine[] = [];
  const counts = new Map<string, number>();
  for await (const reject of readNdjson<Reject>(file)) {
    for (const e of reject.errors) {
      lines.push({ row: reject.row, code: e.code, path: e.path, message: e.message });
      counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
    }
  }
  const codes = [...counts].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return { lines, codes };
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
 * a `"`, and a secret holding one would match no more).
 */
export async function* rejectsCsv(file: string, mask: (text: string) => string): AsyncGenerator<string> {
  yield 'row,code,path,message,record\r\n';
  for await (const reject of readNdjson<Reject>(file)) {
    const record = maskJson(reject.record, mask);
    for (const e of reject.errors) yield [reject.row, mask(e.code), mask(e.path), mask(e.message), record].map(csvCell).join(',') + '\r\n';
  }
}
