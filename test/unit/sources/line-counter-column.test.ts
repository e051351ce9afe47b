import { describe, expect, it } from 'vitest';
import { LineCounter } from '../../../src/sources/lines.js';
import { seededRandom as random } from '../../helpers/seeded-random.js';

/**
 * The column a LineCounter carries across buffers: a line longer than the bytes at hand (a
 * minified JSON array) lost its column when it was counted only from a line start in the buffer.
 */
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
    let bufStart = 0;
    let at = 0;
    let checked = 0;
    while (at < bytes.length) {
      const bufEnd = Math.min(bytes.length, at + 1 + Math.floor(next() * 5000));
      const buf = Buffer.from(bytes.subarray(bufStart, bufEnd));
      while (at < bufEnd) {
        at = Math.min(bufEnd, at + 1 + Math.floor(next() * (next() < 0.5 ? 8 : 3000)));
        counter.advance(buf, bufStart, at);
        // A CR at `at - 1` may be half of a CRLF: the next step says where that line starts.
        if (bytes[at - 1] === 0x0d) continue;
        expect([at, counter.column]).toEqual([at, columns[at]]);
        checked++;
      }
      // The next buffer starts where the count is, or a little before (a carried record).
      bufStart = Math.max(0, at - Math.floor(next() * 100));
    }
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
