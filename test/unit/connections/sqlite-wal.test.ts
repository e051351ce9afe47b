import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enableWal } from '../../../src/connections/sqlite-wal.js';
import { sqliteConnection } from '../../../src/connections/sqlite.js';
import { Journal } from '../../../src/engine/embedded/journal.js';

/**
 * Many processes creating one database at once (24 `ferry run` in a fresh folder): the switch to
 * WAL reads the new file's header, then writes it from inside that read, which SQLite refuses at
 * once (no busy handler) while another process holds the write lock. Here a second process holds
 * that lock on the new, empty file for a moment, as the winner of such a race does.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-wal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Another process takes the write lock of `file` (created empty, not yet WAL) for `ms`; `released` settles when it exits. */
async function holdWriteLock(file: string, ms: number): Promise<{ released: Promise<void> }> {
  const script = `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN IMMEDIATE'); console.log('held');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2])); db.exec('COMMIT'); db.close();`;
  const child = spawn(process.execPath, ['-e', script, file, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`holder exited ${code}`)))));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return { released: exited };
}

describe('switching a new database to WAL while another process holds its write lock', () => {
  it('the journal waits for the lock instead of failing with "database is locked"', async () => {
    const { released } = await holdWriteLock(join(dir, 'journal.db'), 400);
    const journal = new Journal(dir);
    expect(journal.listJobs()).toEqual([]);
    journal.close();
    await released;
    const db = new Database(join(dir, 'journal.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('a user store made by two pipelines at once opens too', async () => {
    const { released } = await holdWriteLock(join(dir, 'users.db'), 400);
    const connection = await sqliteConnection.open({ driver: 'sqlite', path: 'users.db', table: 'users' }, { baseDir: dir });
    expect((await connection.columns()).map((c) => c.name)).toContain('email');
    await connection.close();
    await released;
  });

  it('gives up with SQLITE_BUSY once its timeout has passed, not later', async () => {
    const file = join(dir, 'users.db');
    const { released } = await holdWriteLock(file, 3000);
    const db = new Database(file, { timeout: 200 });
    const started = Date.now();
    expect(() => enableWal(db, 200)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) }) as Error);
    expect(Date.now() - started).toBeLessThan(2000);
    db.close();
    await released;
  });
});
