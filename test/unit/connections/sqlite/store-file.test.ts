import Database from 'better-sqlite3';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../../../activities/deps.js';
import { sqliteConnection } from '../../../../src/connections/sqlite.js';
import type { Connection, WriteBatchInput } from '../../../../src/connections/types.js';

/**
 * A store file deleted or replaced under a running job: SQLite (WAL) goes on writing to the file
 * it opened, so every later batch "succeeded" into a file no path reaches, and the job reported
 * rows written that were gone.
 */

let dir: string;
let connection: Connection | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-store-file-'));
});
afterEach(async () => {
  await connection?.close();
  connection = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function batch(n: number): WriteBatchInput {
  return {
    job: 'job-1',
    batch: n,
    rows: [{ row: n + 1, values: { email: `u${n}@example.com` } }],
    key: ['email'],
    upsert: true,
    metadata: 'merge',
    now: '2026-01-01T00:00:00.000Z',
  };
}

async function openStore(): Promise<Connection> {
  connection = await sqliteConnection.open({ driver: 'sqlite', path: 'users.db', table: 'users' }, { baseDir: dir });
  expect((await connection.writeBatch(batch(0))).inserted).toBe(1);
  return connection;
}

describe('a SQLite store file that changes under an open connection', () => {
  it('a write after the file was deleted fails, not retryable, naming the file', async () => {
    const store = await openStore();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `users.db${suffix}`), { force: true });
    await expect(store.writeBatch(batch(1))).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining(`the database file ${join(dir, 'users.db')} was deleted while the job ran`) as string,
    });
  });

  it('a write after the file was replaced by another one fails', async () => {
    const store = await openStore();
    const other = join(dir, 'other.db');
    new Database(other).close();
    renameSync(other, join(dir, 'users.db'));
    await expect(store.writeBatch(batch(1))).rejects.toThrow(/was replaced by another file while the job ran/);
    await expect(store.finishJob('job-1')).rejects.toThrow(/was replaced by another file/);
  });

  it('the same file, written and finished, passes', async () => {
    const store = await openStore();
    expect((await store.writeBatch(batch(1))).inserted).toBe(1);
    await store.finishJob('job-1');
  });
});

describe('a long-lived process (ferry serve, a worker) whose store file was deleted between jobs', () => {
  it('opens the file the path holds now for the next job, and closes both', async () => {
    const pool = new ConnectionPool({ users: { driver: 'sqlite', path: 'users.db', table: 'users' } }, dir);
    try {
      const first = await pool.get('users');
      expect((await first.writeBatch(batch(0))).inserted).toBe(1);
      expect(await pool.get('users')).toBe(first);
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `users.db${suffix}`), { force: true });
      const second = await pool.get('users');
      expect(second).not.toBe(first);
      expect((await second.writeBatch({ ...batch(0), job: 'job-2' })).inserted).toBe(1);
      const db = new Database(join(dir, 'users.db'), { readonly: true });
      expect(db.prepare('SELECT email FROM users').pluck().all()).toEqual(['u0@example.com']);
      db.close();
    } finally {
      await pool.closeAll();
    }
  });
});
