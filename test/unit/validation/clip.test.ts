import { describe, expect, it } from 'vitest';
import { storeRejects } from '../../../src/connections/write-rules.js';
import { boundMessage } from '../../../src/mapping/message-bound.js';
import { quote } from '../../../src/validation/checks.js';
import { clip } from '../../../src/validation/clip.js';
import { duplicateKeyMessage } from '../../../src/validation/duplicate-keys.js';
import { formatValue } from '../../../src/validation/offending-value.js';

/** A text with no lone surrogate (what `jobs errors` and the reports show without `\ud83d` or U+FFFD). */
const wellFormed = (text: string): boolean => text.isWellFormed();

/**
 * Every place that shortens a value or message for display cuts between characters: an emoji
 * (two UTF-16 units) across the cut left its first half, which reports write as `\ud83d`.
 */
describe('shortened texts keep whole characters', () => {
  const emojiAt = (n: number): string => `${'a'.repeat(n)}😀${'b'.repeat(500)}`;

  it('clip cuts before a pair it would split, and keeps texts that fit', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip(emojiAt(9), 10)).toBe(`${'a'.repeat(9)}…`);
    expect(clip(emojiAt(8), 10)).toBe(`${'a'.repeat(8)}😀…`);
    for (let n = 0; n < 12; n++) expect(wellFormed(clip(emojiAt(n), 10))).toBe(true);
  });

  it('the value column of jobs errors, rule messages, duplicate keys and mapping messages', () => {
    for (let n = 0; n < 420; n += 1) {
      const text = emojiAt(n);
      expect(wellFormed(formatValue(text, 24)), `formatValue at ${n}`).toBe(true);
      expect(wellFormed(quote(text)), `quote at ${n}`).toBe(true);
      expect(wellFormed(duplicateKeyMessage({ key: text, at: 'user_metadata' })), `duplicate key at ${n}`).toBe(true);
      expect(wellFormed(boundMessage(text)), `boundMessage at ${n}`).toBe(true);
    }
    expect(formatValue(emojiAt(22), 24)).toBe(`${'a'.repeat(22)}…`);
  });

  it("an unknown column's message shows the start of a huge source name, its path all of it", () => {
    const name = `${'k'.repeat(199)}😀${'k'.repeat(100_000)}`;
    const reject = storeRejects.unknownColumn(name, 'users');
    expect(reject.path).toBe(name);
    expect(reject.message).toBe(`table users has no column ${'k'.repeat(199)}…`);
  });
});
