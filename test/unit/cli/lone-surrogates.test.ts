import { describe, expect, it } from 'vitest';
import { escapeLoneSurrogates } from '../../../src/cli/lone-surrogates.js';

describe('escapeLoneSurrogates', () => {
  it('writes each half of a pair that has no other half as its JSON escape, and leaves whole pairs alone', () => {
    expect(escapeLoneSurrogates('a\ud800b')).toBe('a\\ud800b');
    expect(escapeLoneSurrogates('\udc00x\ud83d')).toBe('\\udc00x\\ud83d');
    expect(escapeLoneSurrogates('\ud83d\ude00 \ude00\ud83d\ude00\ud83d')).toBe('\ud83d\ude00 \\ude00\ud83d\ude00\\ud83d');
    expect(escapeLoneSurrogates('plain é 😀')).toBe('plain é 😀');
  });
});
