import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileFormat } from '../../../src/spec/pipeline-schema.js';
import { sources } from '../../../src/sources/index.js';
import type { FileSourceOptions, SourceRecord, SourceScan } from '../../../src/sources/types.js';

export const fixturesDir = fileURLToPath(new URL('../../fixtures/sources/', import.meta.url));

/** A temp folder for one test file; `cleanup` goes in afterAll. */
export function tempDir(): { dir: string; file: (name: string, content: string | Buffer) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-sources-'));
  return {
    dir,
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function optionsFor(format: FileFormat, path: string, csv: Partial<FileSourceOptions['csv']> = {}): FileSourceOptions {
  return { path, format, csv: { delimiter: ',', header: true, encoding: 'utf8', ...csv } };
}

/** Reads every batch of a scan, in order, one range at a time as runBatch would. */
export async function readAll(options: FileSourceOptions, scan: SourceScan): Promise<SourceRecord[]> {
  const source = sources[options.format];
  const items: SourceRecord[] = [];
  for (const range of scan.batches) {
    for await (const item of source.read(options, range, scan)) items.push(item);
  }
  return items;
}

/** scan + readAll, for the many tests that only care about what comes out. */
export async function scanAndRead(options: FileSourceOptions, batchSize = 1000): Promise<{ scan: SourceScan; items: SourceRecord[] }> {
  const scan = await sources[options.format].scan(options, batchSize);
  return { scan, items: await readAll(options, scan) };
}

/** The parsed records, failing the test on any malformed one. */
export function recordsOf(items: SourceRecord[]): Record<string, unknown>[] {
  return items.map((item) => {
    if ('error' in item) throw new Error(`row ${item.row} did not parse: ${item.error}`);
    return item.record;
  });
}

/** Row and error of every malformed item (its `line` left out: lines-of-records.test.ts checks those). */
export function errorsOf(items: SourceRecord[]): { row: number; raw: string; error: string }[] {
  return items.flatMap((item) => {
    if (!('error' in item)) return [];
    const { line: _line, ...rest } = item;
    return [rest];
  });
}

/**
 * `users.csv:4:7 (byte 40)`: the place the readers give the byte `byte` of `content` (the file at
 * `path`), counted naively from the file's start, as a reference: lines end at LF, CRLF or a bare
 * CR; the column counts characters (latin1: bytes), the file's byte order mark not one of them.
 */
export function placeOf(path: string, content: string | Buffer, byte: number, encoding: 'utf8' | 'latin1' = 'utf8'): string {
  const before = Buffer.from(content)
    .subarray(0, byte)
    .toString(encoding)
    .replace(/^\uFEFF/, '');
  const lines = before.split(/\r\n|\r|\n/);
  return `${basename(path)}:${lines.length}:${[...lines.at(-1)!].length + 1} (byte ${byte})`;
}
