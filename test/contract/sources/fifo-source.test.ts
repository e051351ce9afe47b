import { execFileSync } from 'node:child_process';
import { constants, closeSync, openSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegularFile, readWindows } from '../../../src/sources/byte-batches.js';
import { sources } from '../../../src/sources/index.js';
import { sampleSource } from '../../../src/sources/sample.js';
import { sha256File } from '../../../src/engine/submission.js';
import { optionsFor, tempDir } from './helpers.js';

/**
 * A source path that is (or becomes, between a check and the open) a named pipe: a plain open
 * waits for a writer for ever. Every open of a source must return at once and refuse it.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

function fifo(): string {
  const path = join(tmp.dir, `pipe-${++n}`);
  execFileSync('mkfifo', [path]);
  return path;
}

/**
 * `work` settled within 3 s, or the test fails; an open left blocked on the pipe is released by
 * opening its write end (which a blocked reader lets succeed), so the worker thread is freed.
 */
async function settles<T>(path: string, work: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 3000)));
  const done = work().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const outcome = await Promise.race([done, hung]);
  clearTimeout(timer);
  if (outcome === 'hung') {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader was blocked after all.
    }
    await done;
    throw new Error(`opening the named pipe ${path} blocked`);
  }
  return outcome;
}

function messageOf(outcome: { error?: unknown }): string {
  expect(outcome.error).toBeInstanceOf(Error);
  return (outcome.error as Error).message;
}

describe('a source that is a named pipe', () => {
  it('is refused by the open itself, from the handle, without waiting for a writer', async () => {
    const path = fifo();
    const outcome = await settles(path, () => openRegularFile(path, 'csv'));
    expect(messageOf(outcome)).toBe(`[source:csv] ${path} is a named pipe, not a regular file. Hint: copy the data to a file`);
  });

  it('is refused by the open when reached through a symlink (the path a stat checked may be swapped for one)', async () => {
    const path = fifo();
    const link = join(tmp.dir, `link-${n}`);
    symlinkSync(path, link);
    const outcome = await settles(path, () => readWindows(link, (window) => window.length));
    expect(messageOf(outcome)).toContain(`${link} is a named pipe, not a regular file`);
  });

  it.each(['csv', 'json', 'ndjson'] as const)('is refused by a %s scan and by a batch read with a clear message', async (format) => {
    const path = fifo();
    const options = optionsFor(format, path);
    const scanned = await settles(path, () => sources[format].scan(options, 10));
    expect(messageOf(scanned)).toContain(`[source:${format}] ${path} is a named pipe, not a regular file`);
    const range = { index: 0, start: 0, end: 10, firstRow: 1, count: 1 };
    const read = await settles(path, async () => {
      const items = [];
      for await (const item of sources[format].read(options, range, { header: ['email'] })) items.push(item);
      return items;
    });
    expect(messageOf(read)).toContain(`[source:${format}] ${path} is a named pipe, not a regular file`);
  });

  it('gives no sample (ferry init, the console) and no checksum (retry-rejects, submission keys) instead of blocking', async () => {
    const path = fifo();
    expect((await settles(path, () => sampleSource(optionsFor('csv', path), 5))).value).toBeUndefined();
    expect(messageOf(await settles(path, () => sha256File(path)))).toContain('is a named pipe, not a regular file');
  });
});
