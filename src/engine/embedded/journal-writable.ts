import { accessSync, constants, lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checked before SQLite opens the journal: a state folder or a journal file (the database, its -wal
 * or its -shm, which SQLite maps into memory) that cannot be written otherwise ends in an unclear
 * SQLite error ("attempt to write a readonly database", "disk I/O error"), or in a SIGBUS with no
 * message at all when the mapped -shm cannot be backed. access(2) sees what root cannot write
 * too: an immutable file (chattr +i) or a read-only mount.
 */
export class StateNotWritable extends Error {}

export function assertJournalWritable(stateDir: string, file = 'journal.db'): void {
  const hint = 'Ferry keeps its journal there: make it writable, or set state_dir in ferry.yaml';
  const refuse = (path: string, why: string): never => {
    throw new StateNotWritable(`the state folder ${stateDir} cannot be used: ${path} ${why}. ${hint}`);
  };
  if (!statSync(stateDir).isDirectory()) refuse(stateDir, 'is not a folder');
  if (!writable(stateDir)) refuse(stateDir, 'is not writable');
  for (const name of [file, `${file}-wal`, `${file}-shm`]) {
    const path = join(stateDir, name);
    let kind: string;
    try {
      const st = lstatSync(path);
      kind = st.isFile() ? 'file' : st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : st.isFIFO() ? 'a FIFO' : 'not a regular file';
    } catch {
      continue; // SQLite creates it
    }
    if (kind !== 'file') refuse(path, `is ${kind}, not a regular file`);
    if (!writable(path)) refuse(path, 'is not writable');
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** The journal could not be opened or set up: a damaged file, or a lock held too long. */
export class JournalUnusable extends Error {}

/** SQLite's codes for a damaged file (CORRUPT, CORRUPT_VTAB…, NOTADB). */
const DAMAGE = /^SQLITE_(NOTADB|CORRUPT)/;

/** A journal write the disk refused: full (ENOSPC, and EDQUOT as SQLite reports it), read-only (EROFS), or an I/O error. */
const WRITE_REFUSED = /^SQLITE_(FULL|READONLY|IOERR)/;

/** Its lock held by another process past the busy timeout. */
const LOCKED = /^SQLITE_(BUSY|LOCKED)/;

/**
 * Damage, a write the disk refused, or a lock held too long: after open, each is said with the
 * journal's path and what to do (SQLite's own "database or disk is full" or "database is locked"
 * names no file, and `ferry:` was all that came before it).
 */
export function isJournalFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (DAMAGE.test(code) || WRITE_REFUSED.test(code) || LOCKED.test(code));
}

const journalHints: [RegExp, string][] = [
  [DAMAGE, 'Restore it from a backup, or move it aside with its -wal and -shm files: Ferry then starts an empty journal, without the history of past jobs'],
  [LOCKED, 'Another process has held its lock for too long: see which ferry process is stuck'],
  [
    WRITE_REFUSED,
    'Free space on its disk (or raise the quota, or make it writable), then `ferry jobs resume <job>` continues a job it stopped (`ferry jobs list` shows which)',
  ],
];

/** SQLite's error on opening the journal, with the journal's path and what to do. */
export function journalUnusable(file: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const hint = journalHints.find(([pattern]) => pattern.test(code))?.[1];
  return Object.assign(
    new JournalUnusable(`the journal ${file} cannot be used: ${(err as Error).message} (${code})${hint ? `. ${hint}` : ''}`, { cause: err }),
    { code },
  );
}
