import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** What readRegularFileSync found: the bytes, or a path that is no regular file, or one over the size asked. */
export type RegularFileRead = { bytes: Buffer } | { notFile: Stats } | { tooLarge: number };

/**
 * The bytes of the regular file at `path`, at most `most` of them, from one handle: a stat of the
 * path before a read of it would leave a window in which the path is swapped for a named pipe, and
 * a synchronous read of one waits for a writer for ever (the whole process with it). As
 * openRegularFile (byte-batches.ts): the open cannot block (O_NONBLOCK: a FIFO opens at once) and
 * the handle's own fstat decides. A file that grows past `most` while read is too large too.
 * Errors of the open or the read (ENOENT, EACCES, ELOOP) are thrown, with their code.
 */
export function readRegularFileSync(path: string, most: number): RegularFileRead {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { notFile: stats };
    if (stats.size > most) return { tooLarge: stats.size };
    // One byte more than allowed: a file grown since the fstat is seen to be over the limit.
    const buf = Buffer.allocUnsafe(Math.min(most, stats.size) + 1);
    let filled = 0;
    for (;;) {
      const read = readSync(fd, buf, filled, buf.length - filled, filled);
      if (read === 0) break;
      filled += read;
      if (filled > most) return { tooLarge: filled };
      if (filled === buf.length) break;
    }
    return { bytes: buf.subarray(0, filled) };
  } finally {
    closeSync(fd);
  }
}
