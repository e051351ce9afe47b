import Database from 'better-sqlite3';
import { walCheckpointPages } from '../../src/connections/sqlite.js';
import { sqliteUsersTableDdl } from '../../src/connections/users-table.js';
import type { Measured } from '../measure.js';

/** Rows per multi-row INSERT, as Ferry's SQLite writer groups them. */
const GROUP = 64;

/**
 * The write ceiling: the rows Ferry stored in `from`, written again into a new database `to` by a
 * bare better-sqlite3 loop — the driver Ferry writes with, the same table (Ferry's DDL, every
 * index), the same WAL settings, Ferry's default 1,000-row commits and 64-row INSERTs, and none of
 * Ferry's work (no parsing, mapping, validation, key checks, markers or backup). Only the writes
 * are timed, not reading the rows back, so no Ferry import through this driver can beat it.
 */
export function writeCeiling(from: string, to: string, commit = 1000): Measured {
  const source = new Database(from, { readonly: true });
  const target = new Database(to);
  try {
    target.pragma('journal_mode = WAL');
    target.pragma('synchronous = NORMAL');
    target.pragma(`wal_autocheckpoint = ${walCheckpointPages}`);
    for (const sql of sqliteUsersTableDdl('users')) target.exec(sql);
    const read = source.prepare('SELECT * FROM users ORDER BY rowid').raw();
    const names = read.columns().map((c) => `"${c.name.replaceAll('"', '""')}"`);
    const row = `(${names.map(() => '?').join(', ')})`;
    const insert = (n: number) => target.prepare(`INSERT INTO users (${names.join(', ')}) VALUES ${Array<string>(n).fill(row).join(', ')}`);
    const many = insert(GROUP);
    const one = insert(1);
    let seconds = 0;
    let chunk: unknown[][] = [];
    const write = (): void => {
      const start = performance.now();
      target.exec('BEGIN IMMEDIATE');
      let i = 0;
      for (; i + GROUP <= chunk.length; i += GROUP) many.run(chunk.slice(i, i + GROUP).flat());
      for (; i < chunk.length; i++) one.run(chunk[i]);
      target.exec('COMMIT');
      seconds += (performance.now() - start) / 1000;
      chunk = [];
    };
    for (const values of read.iterate() as Iterable<unknown[]>) {
      chunk.push(values);
      if (chunk.length === commit) write();
    }
    if (chunk.length > 0) write();
    return { seconds, rssMb: null, stdout: '', stderr: '' };
  } finally {
    source.close();
    target.close();
  }
}
