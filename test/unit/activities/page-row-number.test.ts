import { describe, expect, it } from 'vitest';
import { pageRowNumber } from '../../../activities/read-batch-page.js';

describe('pageRowNumber', () => {
  it('numbers the planned rows by their place in the job', () => {
    const shape = { size: 3, total: 8, pages: 3 };
    const numbers = [0, 1, 2].flatMap((batch) => Array.from({ length: Math.min(3, 8 - batch * 3) }, (_, i) => pageRowNumber(batch, i, shape)));
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('gives the rows a changed store adds to any page numbers of their own, past every planned row', () => {
    for (const [size, total] of [
      [3, 8],
      [1, 5],
      [1000, 2500],
      [4, 4],
    ] as const) {
      const pages = Math.ceil(total / size);
      const seen = new Set<number>();
      for (let batch = 0; batch < pages; batch++) {
        // Each page read with up to three times its planned rows.
        for (let i = 0; i < 3 * size + 2; i++) {
          const n = pageRowNumber(batch, i, { size, total, pages });
          expect(seen.has(n), `batch ${batch} row ${i} (size ${size}, total ${total})`).toBe(false);
          seen.add(n);
          if (i >= Math.min(size, total - batch * size)) expect(n).toBeGreaterThan(total);
        }
      }
    }
  });
});
