import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/spec/parse-config.js';
import { ageMs } from '../../../src/spec/duration.js';

describe('job ages (jobs prune --older-than, retention.older_than)', () => {
  it.each([
    ['0s', 0],
    ['45s', 45_000],
    ['90m', 90 * 60_000],
    ['12h', 12 * 3_600_000],
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
    ['5200w', 5200 * 7 * 86_400_000],
  ])('%s', (text, ms) => {
    expect(ageMs(text)).toBe(ms);
  });

  it.each(['30x', '', '1.5d', '-1d', '5300w', '99999999999999999999m'])('refuses %j (not a duration, or more than 100 years)', (text) => {
    expect(ageMs(text)).toBeUndefined();
  });

  it('ferry.yaml: retention.older_than beyond 100 years is an error at its line, not a prune failing every hour', () => {
    const parsed = parseConfig('ferry.yaml', 'retention:\n  older_than: 99999999999999999999m\n', {});
    expect(parsed.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      '2:15 expected a duration of at most 100 years such as 30d, 12h, 2w, 90m or 45s',
    ]);
  });
});
