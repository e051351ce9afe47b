import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { sqliteConnection } from '../../../src/connections/sqlite.js';
import type { Connection } from '../../../src/connections/types.js';

/** A SQLite store another tool made: a raw handle on its file and a Ferry connection to `table`. */
export interface ForeignStore {
  connection: Connection;
  raw: Database.Database;
}

/**
 * `store(ddl, table)`: a new s.db in a temporary folder, made by `ddl`, with a connection on
 * `table` whose shape is read (`columns()`), as a job reads it before its first batch. Every store
 * a test made is closed and deleted after it.
 */
export function useForeignSqliteStores(): (ddl: string, table?: string) => Promise<ForeignStore> {
  const dirs: string[] = [];
  const open: ForeignStore[] = [];
  afterEach(async () => {
    for (const { connection, raw } of open.splice(0)) {
      await connection.close();
      raw.close();
    }
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (ddl, table = 't') => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-foreign-sqlite-'));
    dirs.push(dir);
    const raw = new Database(join(dir, 's.db'));
    raw.exec(ddl);
    const connection = await sqliteConnection.open({ driver: 'sqlite', path: 's.db', table }, { baseDir: dir });
    const opened = { connection, raw };
    open.push(opened);
    await connection.columns();
    return opened;
  };
}
