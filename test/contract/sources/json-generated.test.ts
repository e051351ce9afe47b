import { afterAll, describe, expect, it } from 'vitest';
import { JsonSplitter } from '../../../src/sources/json-splitter.js';
import { sources } from '../../../src/sources/index.js';
import type { SourceRecord } from '../../../src/sources/types.js';
import { optionsFor, recordsOf, scanAndRead, tempDir } from './helpers.js';
import { seededRandom as random } from '../../helpers/seeded-random.js';

/**
 * JSON and NDJSON against generated files: valid users with hostile strings come back exactly;
 * random garbage is cut into the same records at every batch size, numbered 1..N.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());

const hostile = ['"', '\\', '\\"', '{', '}', '[', ']', ',', '\n', '\r\n', 'é', '😀', '\u2028', 'a b'];

function users(seed: number, count: number): Record<string, unknown>[] {
  const next = random(seed);
  const text = (): string => Array.from({ length: 1 + Math.floor(next() * 5) }, () => hostile[Math.floor(next() * hostile.length)]).join('');
  return Array.from({ length: count }, (_, i) => ({
    email: `u${i}@x.io`,
    note: text(),
    nested: { list: [text(), { deep: text() }], n: i },
  }));
}

/** Every batch size reads the same records, or fails the scan with the same error (a JSON array whose separators are garbage). */
async function cutsConsistently(format: 'json' | 'ndjson', text: string, name: string): Promise<void> {
  const options = optionsFor(format, tmp.file(name, text));
  let first: SourceRecord[] | string | undefined;
  for (const batchSize of [1, 2, 3, 1000]) {
    const read = await scanAndRead(options, batchSize).catch((err: unknown) => err as Error);
    if (read instanceof Error) {
      expect(read.name).toBe('SourceError');
      first ??= read.message;
      expect(read.message).toBe(first);
      continue;
    }
    const { scan, items } = read;
    expect(items.map((i) => i.row)).toEqual(Array.from({ length: scan.total }, (_, i) => i + 1));
    first ??= items;
    expect(items).toEqual(first);
  }
}

describe('json and ndjson against generated files', () => {
  it.each([1, 2, 3, 4])('reads back hostile strings exactly (seed %i)', async (seed) => {
    const expected = users(seed, 100);
    const indent = seed % 2 === 0 ? 2 : undefined;
    for (const [format, text] of [
      ['json', JSON.stringify(expected, null, indent)],
      ['ndjson', expected.map((u) => JSON.stringify(u)).join(seed % 2 ? '\n' : '\r\n\n')],
    ] as const) {
      const options = optionsFor(format, tmp.file(`users-${seed}.${format}`, text));
      for (const batchSize of [1, 3, 1000]) {
        const { items } = await scanAndRead(options, batchSize);
        expect(recordsOf(items)).toEqual(expected);
      }
    }
  });

  const garbage = ['{', '}', '[', ']', '"', '\\', ',', ' ', '\n', '\r\n', '1', 'a', ':'];
  it.each([21, 22, 23, 24, 25])('cuts garbage the same way at every batch size (seed %i)', async (seed) => {
    const next = random(seed);
    const body = Array.from({ length: 2000 }, () => garbage[Math.floor(next() * garbage.length)]).join('');
    await cutsConsistently('ndjson', body, `garbage-${seed}.ndjson`);
    // No `]` inside (at depth 1 it would end the array early and make the rest trailing data), and
    // the array closed after its last whole element: an unclosed array fails the scan (a cut file).
    await cutsConsistently('json', closedArray('[' + body.replaceAll(']', '}')), `garbage-${seed}.json`);
    await expect(sources.json.scan(optionsFor('json', tmp.file(`open-${seed}.json`, '[' + body.replaceAll(']', '}'))), 2)).rejects.toThrow(
      /before the closing "\]" of its array|between the elements of the array|starts with a comma|between two commas/,
    );
  });
});

/** `text` cut after its last element that ends before the end of the file, then `]`. */
function closedArray(text: string): string {
  const buf = Buffer.from(text);
  // Elements as a batch finds them (past the `[`), whatever separates them.
  const splitter = new JsonSplitter('range');
  let lastEnd = 1;
  for (let pos = 1; pos < buf.length;) {
    const next = splitter.split(buf, pos, true, 0);
    if (splitter.start >= 0 && splitter.end < buf.length) lastEnd = splitter.end;
    pos = next;
  }
  return buf.subarray(0, lastEnd).toString() + ']';
}
