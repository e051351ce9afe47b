import { describe, expect, it } from 'vitest';
import { toNdjson } from '../../../activities/job-files.js';

/**
 * A chunk's rejects are joined in pieces, never as one string: 500 rejects of a 20,000-column row
 * passed V8's string limit and failed the job with a bare "Invalid string length".
 */
describe('toNdjson', () => {
  const items = [{ row: 1, record: { email: 'a@x.io', name: 'Zoë 😀' } }, { row: 2, record: 'raw' }, { row: 3 }];
  const expected = items.map((item) => JSON.stringify(item) + '\n').join('');

  it.each([1, 10, 64 * 1024 * 1024])('gives the same bytes whatever the piece size (%i characters)', (pieceChars) => {
    const bytes = toNdjson(items, pieceChars);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString('utf8')).toBe(expected);
  });

  it('is empty for no items', () => {
    expect(toNdjson([]).length).toBe(0);
  });
});
