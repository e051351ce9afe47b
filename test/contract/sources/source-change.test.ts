import { renameSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../src/sources/index.js';
import type { FileSourceOptions, SourceRecord, SourceScan } from '../../../src/sources/types.js';
import { optionsFor, scanAndRead, tempDir } from './helpers.js';

/**
 * Issue 17, item 2: the plan records a digest of each batch's bytes, and a batch checks it before
 * it yields a record, so a source rewritten while its job runs is never half read, whether the new
 * file is as long as the old one, shorter, or rewritten in the middle of a batch.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

const CHANGED = /source changed since the job was planned: .*, batch \d+ \(rows \d+–\d+\)/;

function csvRows(prefix: string, count: number, pad = ''): string {
  return 'email,name\n' + Array.from({ length: count }, (_, i) => `${prefix}${i}@x.io,Name ${i}${pad}\n`).join('');
}

/** Reads one range (or `tail`: its records from `skip` on, at file offset `start`), returning what it yielded before it ended or failed. */
async function readRange(
  options: FileSourceOptions,
  scan: SourceScan,
  index: number,
  tail?: { skip: number; start: number },
): Promise<{ items: SourceRecord[]; error?: unknown }> {
  const range = scan.batches[index]!;
  const items: SourceRecord[] = [];
  // A retry resumed from its heartbeat reads the range as runBatch passes it: start, firstRow and count moved.
  const rest = tail ? { ...range, start: tail.start, firstRow: range.firstRow + tail.skip, count: range.count - tail.skip } : range;
  try {
    for await (const item of sources[options.format].read(options, rest, scan)) items.push(item);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

describe('a source rewritten after planning', () => {
  it.each([
    ['as long as before', () => csvRows('new', 30_000)],
    ['shorter', () => csvRows('new', 3_000)],
    ['longer', () => csvRows('new', 40_000)],
    ['with one byte changed', () => csvRows('old', 30_000).replace('old15000@', 'old15000!')],
  ])('%s: every later batch fails before yielding a record', async (_, replacement) => {
    const options = optionsFor('csv', tmp.file(`changed-${++n}.csv`, csvRows('old', 30_000)));
    const scan = await sources.csv.scan(options, 1000);
    expect(scan.batches.every((b) => b.digest !== undefined)).toBe(true);
    const first = await readRange(options, scan, 0);
    expect(first.error).toBeUndefined();
    expect(first.items).toHaveLength(1000);
    writeFileSync(options.path, replacement());
    const failing = await readRange(options, scan, 15);
    expect(failing.items).toEqual([]);
    expect(failing.error).toMatchObject({ name: 'SourceError', retryable: false, message: expect.stringMatching(CHANGED) });
    expect(String((failing.error as Error).message)).toContain(options.path);
  });

  // The message said "the file ends at byte <the batch's start>", a byte past the real end of the file.
  it('a file cut before a batch starts: the message gives the size the file has now', async () => {
    const options = optionsFor('csv', tmp.file(`cut-${++n}.csv`, csvRows('old', 3_000)));
    const scan = await sources.csv.scan(options, 1000);
    writeFileSync(options.path, 'email,name\n');
    const { items, error } = await readRange(options, scan, 2);
    expect(items).toEqual([]);
    expect(String((error as Error).message)).toContain(`the file is now 11 bytes, ending before the batch's end at byte ${scan.batches[2]!.end}`);
  });

  it('a file replaced by rename is caught the same way', async () => {
    const options = optionsFor('ndjson', tmp.file(`renamed-${++n}.ndjson`, Array.from({ length: 50 }, (_, i) => `{"email":"old${i}@x.io"}\n`).join('')));
    const scan = await sources.ndjson.scan(options, 10);
    writeFileSync(`${options.path}.new`, Array.from({ length: 50 }, (_, i) => `{"email":"new${i}@x.io"}\n`).join(''));
    renameSync(`${options.path}.new`, options.path);
    const { items, error } = await readRange(options, scan, 2);
    expect(items).toEqual([]);
    expect(error).toMatchObject({ message: expect.stringMatching(CHANGED) });
  });

  it('covers the bytes between the records of a batch (blank lines, JSON separators)', async () => {
    const options = optionsFor('json', tmp.file(`gaps-${++n}.json`, '[{"email":"a@x.io"},\n{"email":"b@x.io"} ,\n{"email":"c@x.io"}]'));
    const scan = await sources.json.scan(options, 3);
    writeFileSync(options.path, '[{"email":"a@x.io"},\n{"email":"b@x.io"}  \n{"email":"c@x.io"}]');
    const { items, error } = await readRange(options, scan, 0);
    expect(items).toEqual([]);
    expect(error).toMatchObject({ message: expect.stringMatching(CHANGED) });
  });

  it('does not cover the bytes between two batches: a blank line there may change', async () => {
    const options = optionsFor('csv', tmp.file(`outside-${++n}.csv`, 'email\na@x.io\n\r\nb@x.io\n'));
    const scan = await sources.csv.scan(options, 1);
    writeFileSync(options.path, 'email\na@x.io\n\n\nb@x.io\n');
    for (const batch of [0, 1]) {
      const { items, error } = await readRange(options, scan, batch);
      expect(error).toBeUndefined();
      expect(items).toHaveLength(1);
    }
  });

  it('covers what follows the last batch to the end of the file (the closing bracket of a JSON array)', async () => {
    const options = optionsFor('json', tmp.file(`end-${++n}.json`, '[{"email":"a@x.io"}]\n'));
    const scan = await sources.json.scan(options, 10);
    writeFileSync(options.path, '[{"email":"a@x.io"}}\n');
    const { items, error } = await readRange(options, scan, 0);
    expect(items).toEqual([]);
    expect(error).toMatchObject({ message: expect.stringMatching(CHANGED) });
  });

  it('a retry reading the tail of a batch still checks the whole batch', async () => {
    const text = csvRows('old', 100);
    const options = optionsFor('csv', tmp.file(`tail-${++n}.csv`, text));
    const scan = await sources.csv.scan(options, 50);
    const range = scan.batches[1]!;
    const tail = { skip: 10, start: range.start + text.slice(range.start).split('\n').slice(0, 10).join('\n').length + 1 };
    const whole = await readRange(options, scan, 1, tail);
    expect(whole.error).toBeUndefined();
    expect(whole.items.map((i) => i.row)).toEqual(Array.from({ length: 40 }, (_, i) => 61 + i));
    // A change in the part already committed still fails the retry: the file is not the planned one.
    writeFileSync(options.path, text.replace('old52@', 'new52@'));
    const after = await readRange(options, scan, 1, tail);
    expect(after.items).toEqual([]);
    expect(after.error).toMatchObject({ message: expect.stringMatching(CHANGED) });
  });

  it('a batch larger than one read block, rewritten while it is being read, stops before the new bytes', async () => {
    // About 3 MiB in one batch: the reader hands it out in 1 MiB blocks.
    const old = csvRows('old', 40_000, ' '.repeat(40));
    const options = optionsFor('csv', tmp.file(`midway-${++n}.csv`, old));
    const scan = await sources.csv.scan(options, 40_000);
    expect(scan.batches).toHaveLength(1);
    const items: SourceRecord[] = [];
    let error: unknown;
    try {
      for await (const item of sources.csv.read(options, scan.batches[0]!, scan)) {
        items.push(item);
        if (items.length === 100) writeFileSync(options.path, csvRows('new', 40_000, ' '.repeat(40)));
      }
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ message: expect.stringMatching(/source changed since the job was planned: .*changed while the batch read them/) });
    expect(items.length).toBeGreaterThanOrEqual(100);
    expect(items.length).toBeLessThan(40_000);
    expect(items.every((i) => 'record' in i && String(i.record['email']).startsWith('old'))).toBe(true);
  });

  it('gives the same digests on every scan, and reads an unchanged file as before', async () => {
    const options = optionsFor('csv', tmp.file(`same-${++n}.csv`, csvRows('old', 2_500)));
    const a = await sources.csv.scan(options, 1000);
    const b = await sources.csv.scan(options, 1000);
    expect(b.batches).toEqual(a.batches);
    expect(new Set(a.batches.map((r) => r.digest!.sha256)).size).toBe(3);
    const { items } = await scanAndRead(options, 1000);
    expect(items).toHaveLength(2_500);
  });

  it('reads a plan made before digests existed without checking', async () => {
    const options = optionsFor('csv', tmp.file(`legacy-${++n}.csv`, csvRows('old', 20)));
    const scan = await sources.csv.scan(options, 10);
    const legacy = { ...scan, batches: scan.batches.map(({ digest: _digest, ...range }) => range) };
    const { items, error } = await readRange(options, legacy, 1);
    expect(error).toBeUndefined();
    expect(items.map((i) => i.row)).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i));
  });
});
