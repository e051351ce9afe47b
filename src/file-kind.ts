import { statSync, type Stats } from 'node:fs';

/** What a path that is not a regular file is, for messages ("… is a named pipe"). */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  // A stat follows links, so nothing else is left but a kind this list does not know.
  return 'a special file';
}

/**
 * `is <kind>, not <what>` for what was opened instead of a regular file: one wording for every
 * refusal (`the config file is a named pipe, not a file`, `[source:csv] x.csv is a directory, not a regular file`).
 */
export function isNotA(stats: Stats, what = 'a file'): string {
  return `is ${fileKind(stats)}, not ${what}`;
}

/**
 * Why `path` cannot be read as a file: `<what> not found`, `the <what> is a directory, not a file`,
 * or the system's reason (a symlink loop); undefined for a regular file. A stat only: a named pipe
 * is named, never opened (reading one would wait for a writer).
 */
export function notAFile(path: string, what: string): string | undefined {
  let stats: Stats | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    return unreadable(what, err);
  }
  if (stats === undefined) return `${what} not found`;
  return stats.isFile() ? undefined : `the ${what} ${isNotA(stats)}`;
}

/**
 * `the <what> cannot be read (EACCES)`: the system's reason, by its code, for a path that is there
 * but cannot be opened; a loop of symbolic links in words, as a code alone left it to be looked up.
 */
export function unreadable(what: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return `the ${what} is a loop of symbolic links, each leading to the next (ELOOP)`;
  return `the ${what} cannot be read (${code ?? String(err)})`;
}
