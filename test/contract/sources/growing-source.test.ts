import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, statSync, truncateSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readWindows } from '../../../src/sources/byte-batches.js';
import { sources } from '../../../src/sources/index.js';
import { optionsFor, tempDir } from './helpers.js';

/**
 * A source still being written while the job plans it: the scan read on to an end the writer kept
 * moving, and took the last record as it stood, cut mid-line (`x@x.io,` for a row whose name was
 * not written yet: two columns, imported with no name). The scan reads the file as it was when
 * opened and refuses one that changed meanwhile.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let writer: ChildProcess | undefined;
afterEach(() => {
  writer?.kill();
  writer = undefined;
});
let n = 0;

/** Appends `x@x.io,` then, a moment later, `Zed\n`, over and over, for `seconds`. */
const WRITE = `
import sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
end = time.time() + seconds
with open(path, 'a', buffering=1) as f:
    while time.time() < end:
        f.write('x@x.io,'); f.flush(); time.sleep(0.0005)
        f.write('Zed\\n'); f.flush(); time.sleep(0.0005)
`;

function bigCsv(): string {
  return `email,name\n${'a@x.io,Ann\n'.repeat(400_000)}`;
}

describe('a source that changes while the job plans it', () => {
  it('appended to all along: the scan refuses it, instead of planning a last record cut mid-line', async () => {
    const path = tmp.file(`growing-${++n}.csv`, bigCsv());
    writer = spawn('python3', ['-c', WRITE, path, '20'], { stdio: 'ignore' });
    // The writer has begun.
    for (const size = statSync(path).size; statSync(path).size === size;) await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(sources.csv.scan(optionsFor('csv', path), 1000)).rejects.toThrow(
      /changed while the job planned it: it was \d+ bytes when opened, \d+ read, \d+ now\. Hint: is it still being written\?/,
    );
  });

  it('readWindows with sizes: a file cut short while read ends the read early, and says its size now', async () => {
    const path = tmp.file(`shrinking-${++n}.csv`, bigCsv());
    const opened = statSync(path).size;
    let read = 0;
    let sizes: [number, number] | undefined;
    await readWindows(
      path,
      (window, fresh) => {
        read += fresh.length;
        // Rewritten in place, which begins with a truncation.
        if (read === fresh.length) truncateSync(path, 100);
        return window.length;
      },
      undefined,
      'csv',
      (at, now) => (sizes = [at, now]),
    );
    expect(read).toBeLessThan(opened);
    expect(sizes).toEqual([opened, 100]);
  });

  it('a file that does not change scans as before', async () => {
    const path = tmp.file(`still-${++n}.csv`, 'email,name\na@x.io,Ann\n');
    const scan = await sources.csv.scan(optionsFor('csv', path), 10);
    expect(scan).toMatchObject({ total: 1, bytes: statSync(path).size });
  });

  it('readWindows with sizes reads no further than the size at open', async () => {
    const path = tmp.file(`windows-${++n}.csv`, 'abc\n');
    const seen: string[] = [];
    let sizes: [number, number] | undefined;
    await readWindows(
      path,
      (window, fresh) => {
        seen.push(fresh.toString());
        // Written once the file is open: past its size at open, so not read.
        if (seen.length === 1) appendFileSync(path, 'more\n');
        return window.length;
      },
      undefined,
      'csv',
      (opened, now) => (sizes = [opened, now]),
    );
    expect(seen.join('')).toBe('abc\n');
    expect(sizes).toEqual([4, 9]);
  });
});
