import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../../src/sources/byte-batches.js';
import { sources } from '../../../src/sources/index.js';
import type { FileFormat } from '../../../src/spec/pipeline-schema.js';
import type { FileSourceOptions } from '../../../src/sources/types.js';
import { optionsFor, readAll, recordsOf, tempDir } from './helpers.js';

/**
 * Files of several read chunks: records straddle chunk boundaries in the scan, and the reads of
 * ranges start at other offsets, so both sides carry partial records differently and must agree.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Writes `count` lines made by `line(i)` through a stream, as a generator of real files would. */
async function writeLines(name: string, head: string, count: number, line: (i: number) => string, tail = ''): Promise<string> {
  const path = `${tmp.dir}/${name}`;
  const out = createWriteStream(path);
  out.write(head);
  let buffer = '';
  for (let i = 1; i <= count; i++) {
    buffer += line(i);
    if (buffer.length > 64 * 1024) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer + tail);
  await once(out, 'finish');
  return path;
}

/** A user whose fields straddle boundaries: quotes, commas, a quoted newline every 7th row, and braces. */
function user(i: number): Record<string, string> {
  return {
    email: `user${i}@example.com`,
    name: i % 5 === 0 ? `Doe, "J${i}"` : `User ${i}`,
    note: i % 7 === 0 ? `line one\nline two {${i}]` : `note ${'x'.repeat(i % 50)}`,
  };
}

const cell = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describe('large files', () => {
  it('scans a 200k-record CSV into the expected batches, at constant memory', async () => {
    const path = await writeLines('big.csv', 'email,name,note\r\n', 200_000, (i) => Object.values(user(i)).map(cell).join(',') + '\r\n');
    const options = optionsFor('csv', path);
    const heapBefore = process.memoryUsage().heapUsed;
    const scan = await sources.csv.scan(options, 1000);
    expect(scan.total).toBe(200_000);
    expect(scan.batches).toHaveLength(200);
    expect(scan.batches.every((b, i) => b.count === 1000 && b.firstRow === i * 1000 + 1)).toBe(true);
    expect(scan.bytes).toBeGreaterThan(8 * CHUNK_BYTES);
    // The scan keeps one chunk and a batch list, not the file (heap, not RSS, so GC timing matters less).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(scan.bytes / 2);
    const last = await readAll(options, { ...scan, batches: [scan.batches.at(-1)!] });
    expect(last.map((r) => r.row)).toEqual(Array.from({ length: 1000 }, (_, i) => 199_001 + i));
    expect(recordsOf(last).at(-1)).toEqual(user(200_000));
  });

  it('scans and reads back records longer than one read chunk, next to short ones', async () => {
    // The scan reads into one buffer, which must grow for a record longer than it and keep the
    // part of a record it has not cut yet when it reads on.
    const long = (i: number): string => (i % 4 === 0 ? 'y'.repeat(CHUNK_BYTES + i * 4099) : `short ${i}`);
    const path = await writeLines('long.csv', 'email,name,note\n', 12, (i) => `u${i}@example.com,User ${i},${long(i)}\n`);
    const options = optionsFor('csv', path);
    for (const batchSize of [1, 5]) {
      const scan = await sources.csv.scan(options, batchSize);
      expect(scan.total).toBe(12);
      const items = await readAll(options, scan);
      expect(recordsOf(items)).toEqual(Array.from({ length: 12 }, (_, i) => ({ email: `u${i + 1}@example.com`, name: `User ${i + 1}`, note: long(i + 1) })));
    }
  });

  const writers: Record<FileFormat, () => Promise<string>> = {
    csv: () => writeLines('multi.csv', 'email,name,note\n', 40_000, (i) => Object.values(user(i)).map(cell).join(',') + '\n'),
    json: () => writeLines('multi.json', '[\n', 40_000, (i) => (i > 1 ? ',\n' : '') + JSON.stringify(user(i), null, i % 3 === 0 ? 1 : undefined), '\n]\n'),
    ndjson: () => writeLines('multi.ndjson', '', 40_000, (i) => JSON.stringify(user(i)) + (i % 2 ? '\n' : '\r\n')),
  };

  it.each(Object.keys(writers) as FileFormat[])('reads a %s file of several chunks back exactly, at batch sizes 7 and 5000', async (format) => {
    const options: FileSourceOptions = optionsFor(format, await writers[format]());
    const expected = Array.from({ length: 40_000 }, (_, i) => user(i + 1));
    for (const batchSize of [7, 5000]) {
      const scan = await sources[format].scan(options, batchSize);
      expect(scan.bytes).toBeGreaterThan(2 * CHUNK_BYTES);
      const items = await readAll(options, scan);
      expect(items.length).toBe(expected.length);
      expect(items.every((item, i) => item.row === i + 1)).toBe(true);
      expect(recordsOf(items)).toEqual(expected);
    }
  });
});
