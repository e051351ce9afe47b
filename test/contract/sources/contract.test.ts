import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileFormats } from '../../../src/spec/pipeline-schema.js';
import { sources } from '../../../src/sources/index.js';
import type { SourceRecord } from '../../../src/sources/types.js';
import { fixturesDir, optionsFor, readAll, recordsOf, scanAndRead, tempDir } from './helpers.js';
import { users } from './users.js';

/**
 * The contract every file source meets (STYLE.md rule 8): the same logical users, stored in each
 * format, come out of scan + read exactly once, in order, numbered 1..N, whatever the batch size.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.each(fileFormats)('%s source contract', (format) => {
  const fixture = join(fixturesDir, `users.${format}`);
  const options = optionsFor(format, fixture);

  it.each([1, 2, 3, 1000])('reads every record exactly once, in order, at batch size %i', async (batchSize) => {
    const { scan, items } = await scanAndRead(options, batchSize);
    expect(scan.total).toBe(users.length);
    expect(scan.batches).toHaveLength(Math.ceil(users.length / batchSize));
    expect(items.map((item) => item.row)).toEqual(users.map((_, i) => i + 1));
    expect(recordsOf(items)).toEqual(users);
  });

  it('describes batches that tile the records: consecutive rows, growing byte offsets', async () => {
    const scan = await sources[format].scan(options, 3);
    expect(scan.batches.map((b) => [b.index, b.firstRow, b.count])).toEqual([
      [0, 1, 3],
      [1, 4, 3],
      [2, 7, 2],
    ]);
    for (const [i, batch] of scan.batches.entries()) {
      expect(batch.start).toBeLessThan(batch.end);
      if (i > 0) expect(batch.start).toBeGreaterThanOrEqual(scan.batches[i - 1]!.end);
    }
    expect(scan.batches.at(-1)!.end).toBeLessThanOrEqual(scan.bytes);
  });

  it('reports sha256 and size of the bytes on disk', async () => {
    const bytes = readFileSync(fixture);
    const scan = await sources[format].scan(options, 10);
    expect(scan.bytes).toBe(bytes.length);
    expect(scan.checksum).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('changes the checksum when one byte changes', async () => {
    const path = join(tmp.dir, `changed.${format}`);
    copyFileSync(fixture, path);
    const before = await sources[format].scan(optionsFor(format, path), 10);
    const bytes = readFileSync(path);
    const at = bytes.indexOf('Ada');
    bytes[at] = 'E'.charCodeAt(0);
    writeFileSync(path, bytes);
    const after = await sources[format].scan(optionsFor(format, path), 10);
    expect(after.checksum).not.toBe(before.checksum);
    expect(after.bytes).toBe(before.bytes);
    expect(after.total).toBe(before.total);
  });

  it('reads any range on its own, in any order, and the same again on a retry', async () => {
    const scan = await sources[format].scan(options, 2);
    const read = async (index: number): Promise<SourceRecord[]> => {
      const items: SourceRecord[] = [];
      for await (const item of sources[format].read(options, scan.batches[index]!, { header: scan.header })) items.push(item);
      return items;
    };
    const last = await read(3);
    expect(last.map((item) => item.row)).toEqual([7, 8]);
    expect(await read(3)).toEqual(last);
    expect(recordsOf(await read(1))).toEqual(users.slice(2, 4));
  });

  it('lets the consumer stop early', async () => {
    const scan = await sources[format].scan(options, 1000);
    const seen: number[] = [];
    for await (const item of sources[format].read(options, scan.batches[0]!, scan)) {
      seen.push(item.row);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([1, 2]);
  });

  it('fails a read whose range no longer matches the file', async () => {
    const path = join(tmp.dir, `shrunk.${format}`);
    copyFileSync(fixture, path);
    const scan = await sources[format].scan(optionsFor(format, path), 1000);
    for (const count of [7, 9]) {
      const range = { ...scan.batches[0]!, count };
      await expect(async () => {
        for await (const item of sources[format].read(optionsFor(format, path), range, scan)) void item;
      }).rejects.toThrow(`no longer hold ${count} records`);
    }
  });

  it('fails with the path and the file-system code when the file is missing', async () => {
    const path = join(tmp.dir, `missing.${format}`);
    await expect(sources[format].scan(optionsFor(format, path), 10)).rejects.toMatchObject({
      name: 'SourceError',
      code: 'ENOENT',
      retryable: false,
      message: expect.stringContaining(`[source:${format}] cannot read ${path}: ENOENT`),
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses batch size %s', async (batchSize) => {
    await expect(sources[format].scan(options, batchSize)).rejects.toThrow(/batch size must be a positive integer/);
  });

  it('has no records in an empty source', async () => {
    // A CSV of no users still has its header line (an empty file is refused: see csv.test.ts).
    const empty = { csv: 'email,name\n', json: '[]', ndjson: '' }[format];
    const path = tmp.file(`empty.${format}`, empty);
    const { scan, items } = await scanAndRead(optionsFor(format, path));
    expect(scan).toMatchObject({ total: 0, batches: [], bytes: empty.length });
    expect(items).toEqual([]);
  });
});

describe('scan + read of all ranges', () => {
  it('gives the same users from every format', async () => {
    const results = await Promise.all(
      fileFormats.map(async (format) => {
        const options = optionsFor(format, join(fixturesDir, `users.${format}`));
        return recordsOf(await readAll(options, await sources[format].scan(options, 3)));
      }),
    );
    for (const records of results) expect(records).toEqual(results[0]);
  });
});

describe.each(fileFormats)('%s source: resuming inside a range', (format) => {
  const options = optionsFor(format, join(fixturesDir, `users.${format}`));

  // A retried batch resumes after its last committed chunk by reading on from the reader's position.
  it('reading on from the position after any record yields exactly the records after it', async () => {
    const source = sources[format];
    const scan = await source.scan(options, 1000);
    const range = scan.batches[0]!;
    const reader = source.read(options, range, scan);
    const all: SourceRecord[] = [];
    const positions: number[] = [];
    for await (const item of reader) {
      all.push(item);
      positions.push(reader.position);
    }
    expect(positions.at(-1)).toBe(range.end);
    for (let i = 0; i < all.length - 1; i++) {
      // As runBatch resumes: the planned range (its digest, with its line) from a later start.
      const rest = { ...range, start: positions[i]!, firstRow: all[i]!.row + 1, count: range.count - (i + 1) };
      const tail: SourceRecord[] = [];
      for await (const item of source.read(options, rest, scan)) tail.push(item);
      expect(tail).toEqual(all.slice(i + 1));
    }
  });
});
