import type { ByteRange } from '../src/sources/types.js';

/** index, start, end, firstRow, count, then the digest's start, end, line, lineStart, column (NaN: absent). */
const FIELDS = 10;
const HASH_BYTES = 32;
const CANONICAL_HASH = /^[0-9a-f]{64}$/;

/**
 * A file plan's byte ranges as every batch thread keeps them for the whole job: packed in one
 * array of numbers and one buffer of hashes instead of two objects and a 64-character string
 * each. A batch thread looks up one range a batch, and held them all as parsed from plan.json:
 * 0.46 MB of heap at 1M records, 4.6 MB at 10M, in each thread, twice over once the old generation
 * grows (bin.ts), so a job's memory grew with its file. Packed, 10M records' 10,000 ranges take
 * 1.1 MB. `at` gives back exactly the range the plan holds (test/unit/activities/planned-ranges.test.ts).
 */
export class PlannedRanges {
  private constructor(
    private readonly numbers: Float64Array,
    private readonly hashes: Buffer,
    /** Hashes not in sha256's lower-case hex (none that Ferry writes), kept as they are. */
    private readonly oddHashes: Map<number, string>,
  ) {}

  static pack(ranges: readonly ByteRange[]): PlannedRanges {
    const numbers = new Float64Array(ranges.length * FIELDS);
    const hashes = Buffer.alloc(ranges.length * HASH_BYTES);
    const oddHashes = new Map<number, string>();
    ranges.forEach((range, i) => {
      const { digest } = range;
      const at = i * FIELDS;
      numbers.set([range.index, range.start, range.end, range.firstRow, range.count], at);
      numbers.set([digest?.start ?? NaN, digest?.end ?? NaN, digest?.line ?? NaN, digest?.lineStart ?? NaN, digest?.column ?? NaN], at + 5);
      if (digest === undefined) return;
      if (CANONICAL_HASH.test(digest.sha256)) hashes.write(digest.sha256, i * HASH_BYTES, 'hex');
      else oddHashes.set(i, digest.sha256);
    });
    return new PlannedRanges(numbers, hashes, oddHashes);
  }

  get length(): number {
    return this.numbers.length / FIELDS;
  }

  at(i: number): ByteRange | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) return undefined;
    const n = this.numbers.subarray(i * FIELDS, (i + 1) * FIELDS);
    const range: ByteRange = { index: n[0]!, start: n[1]!, end: n[2]!, firstRow: n[3]!, count: n[4]! };
    if (Number.isNaN(n[5])) return range;
    const sha256 = this.oddHashes.get(i) ?? this.hashes.toString('hex', i * HASH_BYTES, (i + 1) * HASH_BYTES);
    range.digest = { start: n[5]!, end: n[6]!, sha256 };
    if (!Number.isNaN(n[7])) range.digest.line = n[7]!;
    if (!Number.isNaN(n[8])) range.digest.lineStart = n[8]!;
    if (!Number.isNaN(n[9])) range.digest.column = n[9]!;
    return range;
  }
}
