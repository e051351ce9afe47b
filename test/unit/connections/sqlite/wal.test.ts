import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enableWal } from '../../../../src/connections/sqlite/wal.js';
import { sqliteConnection } from '../../../../src/connections/sqlite.js';
import { Journal } from '../../../../src/engine/embedded/journal.js';

/**
 * Many processes creating one database at once (24 `ferry run` in a fresh folder): the switch to
 * WAL reads the new file's header, then writes it from inside that read, which SQLite refuses at
 * once (no busy handler) while another process holds the write lock. Here a second process holds
 * that lock on the new, empty file for a while, as the winner of such a race does.
 */

let dir: string;
const holders: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-wal-'));
});
afterEach(() => {
  for (const child of holders.splice(0)) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Holder {
  /** Settles when the holder has committed and exited. */
  released: Promise<void>;
  /** Whether it still holds the lock (has not exited). */
  holding: () => boolean;
}

/** Another process takes `lock` (BEGIN IMMEDIATE: the write lock; EXCLUSIVE: readers too) on `file`, created empty, for `ms`. */
async function holdLock(file: string, ms: number, lock: 'IMMEDIATE' | 'EXCLUSIVE' = 'IMMEDIATE'): Promise<Holder> {
  const script = `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN ${lock}'); console.log('held');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2])); db.exec('COMMIT'); db.close();`;
  const child = spawn(process.execPath, ['-e', script, file, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(child);
  const released = new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`holder exited ${code}`)))));
  await Promise.race([
    new Promise<void>((resolve) => child.stdout.once('data', () => resolve())),
    released.then(() => Promise.reject(new Error('holder exited before taking the lock'))),
  ]);
  return { released, holding: () => child.exitCode === null && child.signalCode === null };
}

describe('switching a new database to WAL while another process holds its write lock', () => {
  it('the journal waits for the lock instead of failing with "database is locked"', async () => {
    const holder = await holdLock(join(dir, 'journal.db'), 1500);
    expect(holder.holding()).toBe(true);
    const journal = new Journal(dir);
    expect(journal.listJobs()).toEqual([]);
    journal.close();
    await holder.released;
    const db = new Database(join(dir, 'journal.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('a user store made by two pipelines at once opens too', async () => {
    const holder = await holdLock(join(dir, 'users.db'), 1500);
    expect(holder.holding()).toBe(true);
    const connection = await sqliteConnection.open({ driver: 'sqlite', path: 'users.db', table: 'users' }, { baseDir: dir });
    expect((await connection.columns()).map((c) => c.name)).toContain('email');
    await connection.close();
    await holder.released;
  });

  it.each([
    { when: 'once its timeout has passed', lock: 'IMMEDIATE', ownTimeoutMs: 300, timeoutMs: 300, withinMs: [250, 2000] },
    {
      when: "on time when SQLite's own busy wait is longer (readers locked out too)",
      lock: 'EXCLUSIVE',
      ownTimeoutMs: 10_000,
      timeoutMs: 800,
      withinMs: [700, 2500],
    },
  ] as const)('gives up with SQLITE_BUSY $when', async ({ lock, ownTimeoutMs, timeoutMs, withinMs: [least, most] }) => {
    const file = join(dir, 'users.db');
    const holder = await holdLock(file, 4000, lock);
    const db = new Database(file, { timeout: ownTimeoutMs });
    const started = performance.now();
    expect(() => enableWal(db, timeoutMs)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) }) as Error);
    expect(performance.now() - started).toBeGreaterThanOrEqual(least);
    expect(performance.now() - started).toBeLessThan(most);
    expect(holder.holding()).toBe(true);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(timeoutMs);
    db.close();
  });
});
