import { describe, expect, it } from 'vitest';
import { PlannedRanges } from '../../../activities/planned-ranges.js';
import type { ByteRange } from '../../../src/sources/types.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/** The packed ranges a batch thread keeps must give back each range exactly as plan.json has it. */
describe('PlannedRanges', () => {
  const sha = (n: number): string => n.toString(16).padStart(64, '0');

  it('gives back every range as planned, with or without each optional part', () => {
    const ranges: ByteRange[] = [
      { index: 0, start: 62, end: 87316, firstRow: 1, count: 1000, digest: { start: 62, end: 87316, sha256: sha(1), line: 2, lineStart: 62, column: 1 } },
      { index: 1, start: 87316, end: 90000, firstRow: 1001, count: 3, digest: { start: 87316, end: 90000, sha256: sha(2), line: 1002, lineStart: 87000 } },
      { index: 2, start: 90000, end: 90100, firstRow: 1004, count: 1, digest: { start: 90000, end: 90100, sha256: sha(3) } },
      { index: 3, start: 90100, end: 90200, firstRow: 1005, count: 1 }, // a plan from before digests
      // Past 2^32 bytes and 2^31 rows: a 10 GB file's offsets are kept exactly.
      {
        index: 4,
        start: 2 ** 40 + 3,
        end: 2 ** 52 + 1,
        firstRow: 2 ** 33,
        count: 7,
        digest: { start: 2 ** 40, end: 2 ** 52 + 1, sha256: sha(4), line: 2 ** 35, lineStart: 2 ** 40, column: 12 },
      },
      // Not sha256's lower-case hex (Ferry writes none such): kept as it is, not re-spelled.
      { index: 5, start: 1, end: 2, firstRow: 1, count: 1, digest: { start: 1, end: 2, sha256: 'ABCDEF' } },
      { index: 6, start: 1, end: 2, firstRow: 1, count: 1, digest: { start: 1, end: 2, sha256: sha(5).toUpperCase() } },
    ];
    const packed = PlannedRanges.pack(JSON.parse(JSON.stringify(ranges)) as ByteRange[]);
    expect(packed.length).toBe(ranges.length);
    ranges.forEach((range, i) => expect(JSON.stringify(packed.at(i))).toBe(JSON.stringify(range)));
  });

  it('has no range outside the plan', () => {
    const packed = PlannedRanges.pack([{ index: 0, start: 0, end: 1, firstRow: 1, count: 1 }]);
    for (const i of [-1, 1, 0.5, NaN, 2 ** 53]) expect(packed.at(i)).toBeUndefined();
    expect(PlannedRanges.pack([]).length).toBe(0);
  });

  it('round-trips a thousand random ranges', () => {
    const random = seededRandom(7);
    const ranges: ByteRange[] = Array.from({ length: 1000 }, (_, index) => {
      const start = Math.floor(random() * 2 ** 45);
      const range: ByteRange = {
        index,
        start,
        end: start + Math.floor(random() * 1e6),
        firstRow: Math.floor(random() * 1e9),
        count: Math.floor(random() * 1e5),
      };
      if (random() < 0.8) range.digest = { start, end: range.end, sha256: sha(Math.floor(random() * 2 ** 48)), line: Math.floor(random() * 1e9) + 1 };
      return range;
    });
    const packed = PlannedRanges.pack(ranges);
    expect(ranges.map((_, i) => packed.at(i))).toEqual(ranges);
  });
});
