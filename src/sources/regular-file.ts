import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { isNotA } from '../file-kind.js';
import { SourceError, ioError } from './source-error.js';

/**
 * The one way Ferry opens a file it reads, sync or async: a stat of the path before the open would
 * leave a window in which the path is swapped for a named pipe, and a read of one waits for a
 * writer for ever (a synchronous one, the whole process with it). So the open itself cannot block
 * (O_NONBLOCK: a FIFO opens at once, writer or not; a regular file reads as usual) and the handle's
 * own fstat decides what was opened.
 */
export const READ_NOT_BLOCKING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What readRegularFileSync found: the bytes, or a path that is no regular file, or one over the size asked. */
export type RegularFileRead = { bytes: Buffer } | { notFile: Stats } | { tooLarge: number };

/**
 * The bytes of the regular file at `path`, at most `most` of them, from one handle opened as
 * READ_NOT_BLOCKING says (the sync side of openRegularFile). A file that grows past `most` while
 * read is too large too. Errors of the open or the read (ENOENT, EACCES, ELOOP) are thrown, with
 * their code. Say a `notFile` with isNotA.
 */
export function readRegularFileSync(path: string, most: number): RegularFileRead {
  const fd = openSync(path, READ_NOT_BLOCKING);
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

/**
 * Opens `path` for reading as READ_NOT_BLOCKING says (the async side of readRegularFileSync),
 * refusing anything but a regular file: a FIFO or device would block the reads for ever (and
 * ignore signals while they do); a directory is no data. `format` tags the message (`[source:csv]`).
 */
export async function openRegularFile(path: string, format?: string): Promise<FileHandle> {
  let file: FileHandle;
  try {
    file = await open(path, READ_NOT_BLOCKING);
  } catch (err) {
    throw format === undefined ? err : ioError(format, path, err);
  }
  try {
    const stats = await file.stat();
    if (stats.isFile()) return file;
    const tag = format === undefined ? '' : `[source:${format}] `;
    throw new SourceError(`${tag}${path} ${isNotA(stats, 'a regular file')}. Hint: copy the data to a file`);
  } catch (err) {
    await file.close();
    throw format === undefined ? err : ioError(format, path, err);
  }
}
