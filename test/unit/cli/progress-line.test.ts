import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../src/cli/progress.js';

const figures = { done: 2500, total: 10000, rejected: 17, perSecond: 500 };

describe('progressLine', () => {
  it('fits the terminal width and shows the reject count', () => {
    for (const columns of [200, 120, 80, 60, 40]) {
      const line = progressLine(figures, columns);
      expect(line.length).toBeLessThan(columns);
      if (columns >= 60) expect(line).toContain('17 rejected');
    }
    expect(progressLine(figures, 200)).toBe(`${'█'.repeat(10)}${'░'.repeat(30)}   25% | 2500/10000 records | 17 rejected | 500 records/s | ETA 0m15s`);
  });

  it('shrinks the bar before the figures, and drops it when too narrow', () => {
    const wide = progressLine(figures, 200);
    const mid = progressLine(figures, 90);
    expect(mid.length).toBe(89);
    expect(mid.endsWith('ETA 0m15s')).toBe(true);
    expect(mid.indexOf(' ')).toBeLessThan(wide.indexOf(' '));
    expect(progressLine(figures, 70)).toBe(' 25% | 2500/10000 records | 17 rejected | 500 records/s | ETA 0m15s');
    expect(progressLine(figures, 60)).toBe(' 25% | 2500/10000 records | 17 rejected | ETA 0m15s');
  });
});
