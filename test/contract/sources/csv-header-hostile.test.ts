import { afterAll, describe, expect, it } from 'vitest';
import { sources } from '../../../src/sources/index.js';
import { sampleSource } from '../../../src/sources/sample.js';
import { optionsFor, tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

/** The scan's error message, or 'planned'. */
const scanned = (path: string, csv: Parameters<typeof optionsFor>[2] = {}): Promise<string> =>
  sources.csv.scan(optionsFor('csv', path, csv), 10).then(
    () => 'planned',
    (err: unknown) => (err as Error).message,
  );

describe('a CSV header the job must not take', () => {
  // A file of zero bytes (space kept for a write that never came) has no line end: its one "name"
  // of NULs was a header of 0 users, and the job succeeded on nothing.
  it.each([
    ['a file of zero bytes', Buffer.alloc(3 * 1024 * 1024), '1:1', 0],
    ['zeros after a header-like start', Buffer.concat([Buffer.from('email,na'), Buffer.alloc(4096), Buffer.from('\na@x.io,Ann\n')]), '1:9', 8],
  ])('%s: refused at the first NUL, by the plan and by validate', async (_, content, place, byte) => {
    const path = t.file(`zeros-${byte}.csv`, content);
    expect(await scanned(path)).toContain(`${path}:${place}: bad header row at byte ${byte}: column `);
    expect(await scanned(path)).toContain('name holds a NUL byte (0x00)');
    const sample = await sampleSource(optionsFor('csv', path), 10, 'shown.csv');
    expect(sample).toMatchObject({ format: 'csv', problem: expect.stringContaining(`bad header row in shown.csv:${place} (byte ${byte}): column `) as string });
  });

  it('a latin1 header: the column of a place counts each byte as a character (£ and ° are 0xA3 and 0xB0)', async () => {
    const path = t.file('latin1.csv', Buffer.from('\xa3\xb0,x,\xa3\xb0\n1,2,3\n', 'latin1'));
    expect(await scanned(path, { encoding: 'latin1' })).toContain(`${path}:1:6: bad header row at byte 5: column name "£°" appears twice`);
    const sample = await sampleSource(optionsFor('csv', path, { encoding: 'latin1' }), 10, 'shown.csv');
    expect(sample).toMatchObject({ problem: expect.stringContaining('bad header row in shown.csv:1:6 (byte 5)') as string });
  });
});
