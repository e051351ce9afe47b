import Database from 'better-sqlite3';
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { decodeRow } from '../decode-row.js';
import { invalidText } from '../unreadable-value.js';
import { quoteIdentifier } from '../../query/resolve-field.js';
import type { CompiledQuery } from '../../query/compile-query.js';
import type { ColumnInfo } from '../types.js';

/**
 * A job's snapshot of the rows it reads from a SQLite store: the columns its mapping reads of every
 * matching row, copied at planning, in page order, into a SQLite file of the job folder. Row n of
 * the job is the snapshot's row n, so a page is a range of row numbers: read in storage order, not
 * by walking the sort index and fetching each row at random (an export of 495k of 1M rows read its
 * pages in 3.8 s of CPU that way; copying them takes about 1.3 s once). The export is the store as it was
 * when planned, whatever is written to it meanwhile, and a resumed job reads the very same rows.
 * The file also holds the columns' descriptions, so a page decodes the same after the table changed.
 */
export interface PageSnapshot {
  /** The rows numbered `from + 1` to `to` (1-based, inclusive), as `readPage` gives them. */
  read(from: number, to: number): Record<string, unknown>[];
  close(): void;
}

export interface TakeSnapshotInput {
  /** Where the snapshot goes; replaced whole (written under a temporary name, synced, renamed). */
  path: string;
  /** The columns copied, in this order. */
  select: readonly ColumnInfo[];
  /** `SELECT <select> FROM … WHERE … ORDER BY …` in page order, with its parameters (keyset.ts). */
  scan: CompiledQuery;
}

const SCHEMA = 'ferry_snapshot';

/**
 * Copies the scan's rows into a new snapshot file in one statement inside SQLite, through an
 * attached database: no row crosses into JavaScript. The store is only read (a read transaction,
 * no write lock). Returns how many rows were copied. Not inside a transaction (SQLite cannot
 * attach there): the caller plans by cursors instead.
 */
export function takeSnapshot(db: Database.Database, { path, select, scan }: TakeSnapshotInput): number {
  const partial = `${path}.partial`;
  for (const leftover of [path, partial, `${partial}-journal`]) rmSync(leftover, { force: true });
  let total: number | undefined;
  try {
    db.prepare(`ATTACH DATABASE ? AS ${SCHEMA}`).run(partial);
  } catch (err) {
    throw snapshotError(path, err);
  }
  try {
    // A file nobody reads until it is renamed into place: no journal, no syncs until the last.
    db.pragma(`${SCHEMA}.journal_mode = OFF`);
    db.pragma(`${SCHEMA}.synchronous = OFF`);
    // Columns without a type have no affinity: every value is copied exactly as stored. The row
    // number is a column of its own: a copied column may be named rowid.
    const seq = sequenceColumn(select);
    const names = select.map((c) => quoteIdentifier(c.name)).join(', ');
    db.exec(`CREATE TABLE ${SCHEMA}.rows (${quoteIdentifier(seq)} INTEGER PRIMARY KEY, ${names})`);
    db.exec(`CREATE TABLE ${SCHEMA}.columns (info TEXT NOT NULL)`);
    db.prepare(`INSERT INTO ${SCHEMA}.columns (info) VALUES (?)`).run(JSON.stringify({ seq, columns: select }));
    // A new table's row numbers count up from 1 in the order the rows are inserted: the page order.
    total = db.prepare(`INSERT INTO ${SCHEMA}.rows (${names}) ${scan.sql}`).run(...scan.params).changes;
  } catch (err) {
    // A full disk must not keep the space a retry needs: what was copied goes.
    throw snapshotError(path, err);
  } finally {
    db.prepare(`DETACH DATABASE ${SCHEMA}`).run();
    if (total === undefined) for (const leftover of [partial, `${partial}-journal`]) rmSync(leftover, { force: true });
  }
  syncFile(partial);
  renameSync(partial, path);
  return total;
}

/**
 * Writing the snapshot failed: a full disk or a read-only state dir is said with the file, since
 * SQLite's own words ("database or disk is full") name none. Query errors pass as they are.
 */
function snapshotError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|PERM)/.test(code)) return err;
  const why = `cannot write the job's snapshot ${path} (${(err as Error).message}, ${code}): free space in the state dir (or make it writable), then resume the job`;
  return Object.assign(new Error(why, { cause: err }), { code });
}

/**
 * Opens a snapshot to read its pages, decoding each value as the store's reader does (`decodeValue`
 * of the column it was copied from). Fails when the file is missing: it was deleted since planning.
 */
export function openSnapshot(path: string, decodeValue: (column: ColumnInfo, value: unknown) => unknown): PageSnapshot {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const { info } = db.prepare('SELECT info FROM columns').get() as { info: string };
    const { seq, columns } = JSON.parse(info) as { seq: string; columns: ColumnInfo[] };
    const [names, order] = [columns.map((c) => quoteIdentifier(c.name)).join(', '), quoteIdentifier(seq)];
    // Safe integers: an INTEGER beyond ±2^53 is read exactly (see read.ts `pageValue`).
    // The sequence comes last, after the columns decodeRow reads (no copy of each row without it).
    const page = db.prepare(`SELECT ${names}, ${order} FROM rows WHERE ${order} > ? AND ${order} <= ? ORDER BY ${order}`).raw().safeIntegers();
    const bytesOf = columns.map((c) => db.prepare(`SELECT CAST(${quoteIdentifier(c.name)} AS BLOB) FROM rows WHERE ${order} = ?`).pluck());
    return {
      read: (from, to) =>
        (page.all(from, to) as unknown[][]).map((row) => {
          checkText(columns, row, (i) => bytesOf[i]!.get(row[columns.length]) as Buffer);
          return decodeRow(columns, row, decodeValue);
        }),
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Text holding U+FFFD may be text whose stored bytes are not UTF-8 (the driver put U+FFFD in place
 * of each bad byte): its bytes are read again, and such text becomes an UnreadableValue. Other
 * rows (nearly all) cost one search per string.
 */
function checkText(columns: readonly ColumnInfo[], values: unknown[], bytes: (i: number) => Buffer): void {
  for (let i = 0; i < columns.length; i++) {
    const value = values[i];
    if (typeof value !== 'string' || !value.includes('\uFFFD')) continue;
    const stored = bytes(i);
    if (!isUtf8(stored)) values[i] = invalidText(columns[i]!, stored);
  }
}

/** `ferry_seq`, or with as many `_` after it as no copied column's name is. */
function sequenceColumn(select: readonly ColumnInfo[]): string {
  const taken = new Set(select.map((c) => c.name.toLowerCase()));
  let name = 'ferry_seq';
  while (taken.has(name)) name += '_';
  return name;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
