import { accessSync, constants, existsSync, lstatSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, extname, join, parse, resolve, sep } from 'node:path';
import { fileKind } from '../file-kind.js';

/** A file a file target must never replace, and what to call it in the message. */
export interface GuardedFile {
  path: string;
  what: string;
}

/** What a SQLite database is made of: the file and the journal files next to it. */
const SQLITE_SIDE_FILES = ['', '-wal', '-shm', '-journal'];

/** The files of a SQLite database at `path`, for the guard list. */
export function sqliteFiles(path: string, what: string): GuardedFile[] {
  return SQLITE_SIDE_FILES.map((suffix) => ({ path: path + suffix, what: suffix ? `${what} (its ${suffix.slice(1)} file)` : what }));
}

/**
 * Why a file target (a template: `{date}` and `{job}` not yet replaced) would overwrite something
 * Ferry needs, or undefined. Paths are compared as the file system resolves them (symlinks and
 * `..`, component by component, also for the parts that do not exist yet), a placeholder matches
 * any value it can take, and an existing target is compared by inode too (a hard link).
 */
export function targetConflict(target: string, stateDir: string, guarded: readonly GuardedFile[]): string | undefined {
  const real = realPathOf(target);
  const state = realPathOf(stateDir);
  const literal = real.split(/\{(?:date|job)\}/)[0]!;
  if (real === state || literal.startsWith(state + sep)) return `is inside the state dir ${state}, which holds the journal and the jobs' files`;
  const matches = templateMatcher(real);
  const existing = hasPlaceholder(real) ? undefined : statOrUndefined(real);
  for (const file of guarded) {
    const guardedReal = realPathOf(file.path);
    if (matches(guardedReal)) return `is ${file.what}`;
    const other = existing && statOrUndefined(guardedReal);
    if (other && existing && other.ino === existing.ino && other.dev === existing.dev) return `is ${file.what} (the same file under another name)`;
  }
  if (existing?.isFile() && /^\.ya?ml$/i.test(extname(real))) return 'is an existing YAML file (a pipeline or config file)';
  if (existing && !existing.isFile()) return notRegularFile(existing);
  // The folder the output goes in: up to the first placeholder of a template (`out/{date}/a.csv`: out).
  const folder = dirname(literal === real ? real : `${literal}x`);
  const blocked = blockedFolder(folder);
  if (blocked)
    return `is under ${blocked.path}, which is ${blocked.stats.isFile() ? 'a file' : fileKind(blocked.stats)}, not a folder, so the export could not create its folder`;
  const locked = unwritableFolder(folder);
  if (locked)
    return `is in ${locked.path}, which cannot be written (${locked.code}): the export would read every user and then fail to make its file. Make the folder writable, or write elsewhere`;
  return undefined;
}

/**
 * The nearest existing one of `folder` and its ancestors, when no file or folder can be made in it:
 * the export makes its folders and its file there (a temporary file renamed over the path) only
 * after reading every user. access(2) sees what root cannot write too: an immutable folder
 * (chattr +i), a read-only mount.
 */
function unwritableFolder(folder: string): { path: string; code: string } | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (!existsSync(dir)) {
      if (dirname(dir) === dir) return undefined;
      continue;
    }
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (err) {
      return { path: dir, code: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  }
}

/** The nearest existing one of `folder` and its ancestors, when it is not a folder (the export's folder cannot be made there). */
function blockedFolder(folder: string): { path: string; stats: Stats } | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    const stats = statOrUndefined(dir);
    if (stats) return stats.isDirectory() ? undefined : { path: dir, stats };
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Why an existing file target is not one an export may replace: the export renames a new file
 * over the path, which would put a regular file where a directory, named pipe or device was (as
 * root, /dev/null itself).
 */
export function notRegularFile(stats: Stats): string {
  return stats.isDirectory() ? 'is a directory' : `is ${fileKind(stats)}, not a regular file, and an export would replace it`;
}

/**
 * The real path of an absolute `path`: each component is resolved as the file system would (a
 * symlink to where it points, even a dangling one, since writing through it creates its target;
 * `..` to the real parent), and components that do not exist are kept as written.
 */
export function realPathOf(path: string, depth = 0): string {
  if (depth > 40) return resolve(path); // a symlink loop: the write would fail with ELOOP anyway
  const { root } = parse(path);
  const parts = path.slice(root.length).split(sep);
  let current = root;
  for (const [i, part] of parts.entries()) {
    if (part === '' || part === '.') continue;
    current = part === '..' ? dirname(current) : join(current, part);
    const link = symlinkTarget(current);
    if (link === undefined) continue;
    const rest = parts.slice(i + 1).join(sep);
    return realPathOf(join(resolve(dirname(current), link), rest), depth + 1);
  }
  return current;
}

/** Where `path` points when it is a symlink (as written in the link), else undefined. */
function symlinkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return undefined;
  }
}

function hasPlaceholder(path: string): boolean {
  return /\{(?:date|job)\}/.test(path);
}

/** Tells whether a path is one the template can become: `{date}` is YYYY-MM-DD, `{job}` a job id (`<name>-<yyyymmddThhmmss>-<hex>`). */
function templateMatcher(template: string): (path: string) => boolean {
  if (!hasPlaceholder(template)) return (path) => path === template;
  const pattern = template
    .split(/(\{(?:date|job)\})/)
    .map((part) => (part === '{date}' ? '\\d{4}-\\d{2}-\\d{2}' : part === '{job}' ? '[^/]*-\\d{8}T\\d{6}-[^/]*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${pattern}$`);
  return (path) => regex.test(path);
}

function statOrUndefined(path: string): Stats | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
