import { describe, expect, it } from 'vitest';
import { LineCounter } from '../../../src/sources/lines.js';
import { seededRandom as random } from '../../helpers/seeded-random.js';

/** Line and line start of byte `at`, counted naively: LF, CRLF and a bare CR each end a line. */
function naive(bytes: Buffer, at: number): { line: number; lineStart: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, lineStart };
}

describe('LineCounter', () => {
  it.each([
    ['sparse lines', 1, 0.01],
    ['dense line ends (blank lines)', 2, 0.7],
    ['mixed', 3, 0.2],
  ])('%s: agrees with a naive count, advanced in random steps over buffers cut anywhere', (_, seed, density) => {
    const next = random(seed);
    const bytes = Buffer.alloc(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = next() < density ? [0x0a, 0x0d, 0x0d][Math.floor(next() * 3)]! : 0x61;
    // CRLF pairs too: a CR before an LF is half of one line end.
    for (let i = 0; i + 1 < bytes.length; i += 97) [bytes[i], bytes[i + 1]] = [0x0d, 0x0a];
    const counter = new LineCounter(1, 0);
    // Buffers as a reader holds them: overlapping windows, each starting at or before the count.
    let bufStart = 0;
    let at = 0;
    while (at < bytes.length) {
      const bufEnd = Math.min(bytes.length, at + 1 + Math.floor(next() * 5000));
      const buf = Buffer.from(bytes.subarray(bufStart, bufEnd));
      while (at < bufEnd) {
        at = Math.min(bufEnd, at + 1 + Math.floor(next() * (next() < 0.5 ? 8 : 3000)));
        counter.advance(buf, bufStart, at);
        const want = naive(bytes, at);
        // A CR at `at - 1` may be half of a CRLF the next step finishes: its line starts past the LF.
        if (bytes[at - 1] === 0x0d && bytes[at] === 0x0a) continue;
        expect({ line: counter.line, lineStart: counter.lineStart }).toEqual(want);
      }
      bufStart = Math.max(0, at - Math.floor(next() * 10));
    }
  });
});
