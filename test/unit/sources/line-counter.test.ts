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

/**
 * Advances `counter` over `bytes` in random steps, through buffers as a reader holds them:
 * overlapping windows, each starting at or before the count (up to `backOff` bytes before it, a
 * carried record). `check` is called with the byte the count has reached after each step.
 */
function walk(bytes: Buffer, counter: LineCounter, next: () => number, backOff: number, check: (at: number) => void): void {
  let bufStart = 0;
  let at = 0;
  while (at < bytes.length) {
    const bufEnd = Math.min(bytes.length, at + 1 + Math.floor(next() * 5000));
    const buf = Buffer.from(bytes.subarray(bufStart, bufEnd));
    while (at < bufEnd) {
      at = Math.min(bufEnd, at + 1 + Math.floor(next() * (next() < 0.5 ? 8 : 3000)));
      counter.advance(buf, bufStart, at);
      check(at);
    }
    bufStart = Math.max(0, at - Math.floor(next() * backOff));
  }
}

/**
 * The column of every byte, counted naively once: characters (UTF-8 lead bytes, or bytes) since
 * the last line end (LF, CRLF, a bare CR); the file's byte order mark is no character.
 */
function naiveColumns(bytes: Buffer, singleByte: boolean): number[] {
  const columns = new Array<number>(bytes.length + 1);
  let column = 0;
  for (let i = 0; i <= bytes.length; i++) {
    columns[i] = column;
    const b = bytes[i];
    if (b === 0x0a || (b === 0x0d && bytes[i + 1] !== 0x0a)) column = 0;
    else if (b === 0x0d || (i < 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) continue;
    else if (singleByte || (b! & 0xc0) !== 0x80) column++;
  }
  return columns;
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
    walk(bytes, counter, next, 10, (at) => {
      // A CR at `at - 1` may be half of a CRLF the next step finishes: its line starts past the LF.
      if (bytes[at - 1] === 0x0d && bytes[at] === 0x0a) return;
      expect({ line: counter.line, lineStart: counter.lineStart }).toEqual(naive(bytes, at));
    });
  });
});

/**
 * The column a LineCounter carries across buffers: a line longer than the bytes at hand (a
 * minified JSON array) lost its column when it was counted only from a line start in the buffer.
 */
describe('LineCounter column', () => {
  it.each([
    ['long lines of two-byte characters', 1, 0.0005, false],
    ['short lines', 2, 0.05, false],
    ['dense line ends', 3, 0.6, false],
    ['latin1, a byte a character', 4, 0.001, true],
  ])('%s: agrees with a naive count, in random steps over buffers cut anywhere', (_, seed, density, singleByte) => {
    const next = random(seed);
    const parts: Buffer[] = [Buffer.from([0xef, 0xbb, 0xbf])];
    for (let length = 0; length < 300_000; length += parts.at(-1)!.length) {
      const r = next();
      parts.push(
        r < density
          ? Buffer.from([[0x0a, 0x0d, 0x0d][Math.floor(next() * 3)]!])
          : r < 0.5
            ? Buffer.from('é')
            : Buffer.from(next() < density / 3 ? '\r\n' : 'a'),
      );
    }
    const bytes = Buffer.concat(parts);
    const columns = naiveColumns(bytes, singleByte);
    const counter = new LineCounter(1, 0, 0, 0, singleByte);
    let checked = 0;
    walk(bytes, counter, next, 100, (at) => {
      // A CR at `at - 1` may be half of a CRLF: the next step says where that line starts.
      if (bytes[at - 1] === 0x0d) return;
      expect([at, counter.column]).toEqual([at, columns[at]]);
      checked++;
    });
    expect(checked).toBeGreaterThan(100);
  });

  it('a count that began mid-line knows no column until its first line end', () => {
    const buf = Buffer.from('abc\ndé');
    const counter = new LineCounter(7, 1);
    counter.advance(buf, 0, 3);
    expect(counter.column).toBe(-1);
    counter.advance(buf, 0, buf.length);
    expect([counter.line, counter.column]).toEqual([8, 2]);
  });
});
