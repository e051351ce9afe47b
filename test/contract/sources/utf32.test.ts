import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../src/sources/index.js';
import { sampleSource } from '../../../src/sources/sample.js';
import { optionsFor, tempDir } from './helpers.js';

/**
 * A UTF-32 file is refused with a conversion that works on it: its little-endian mark starts with
 * UTF-16LE's (FF FE), and the hint said `iconv -f utf-16`, which turns it into NUL-laden garbage.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

const text = 'email,name\na@x.io,Ann\n';
const utf32 = (bom: boolean, endian: 'le' | 'be'): Buffer => {
  const body = Buffer.alloc(text.length * 4);
  for (let i = 0; i < text.length; i++) {
    if (endian === 'le') body.writeUInt32LE(text.charCodeAt(i), i * 4);
    else body.writeUInt32BE(text.charCodeAt(i), i * 4);
  }
  const mark = Buffer.alloc(4);
  if (endian === 'le') mark.writeUInt32LE(0xfeff);
  else mark.writeUInt32BE(0xfeff);
  return bom ? Buffer.concat([mark, body]) : body;
};

describe('a UTF-32 source', () => {
  it.each([
    [true, 'le', 'starts with a UTF-32LE byte order mark'],
    [true, 'be', 'starts with a UTF-32BE byte order mark'],
    [false, 'le', 'looks like UTF-32LE text'],
    [false, 'be', 'looks like UTF-32BE text'],
  ] as const)('with a mark: %s, %s-endian: is refused as UTF-32, with an iconv that converts it', async (bom, endian, said) => {
    const content = utf32(bom, endian);
    const options = optionsFor('csv', tmp.file(`u32-${++n}.csv`, content));
    const scanned = sources.csv.scan(options, 10);
    await expect(scanned).rejects.toThrow(said);
    await expect(scanned).rejects.toThrow('iconv -f utf-32 -t utf-8');
    const sample = await sampleSource(options, 10, options.path);
    expect(sample).toMatchObject({ problem: expect.stringContaining(said) });
    // The hint works: the converted file reads as the text written.
    const converted = execFileSync('iconv', ['-f', 'utf-32', '-t', 'utf-8'], { input: bom ? content : utf32(true, endian) }).toString();
    expect(converted).toBe(text);
  });
});
