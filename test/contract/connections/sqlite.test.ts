import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryable } from '../../../src/connections/errors.js';
import { busyTimeoutEnv, sqliteConnection } from '../../../src/connections/sqlite.js';
import { createPageReader } from '../../../src/connections/sqlite/read.js';
import { loadTableShape } from '../../../src/connections/sqlite/schema.js';
import { testConnection, type ConnectionHarness } from './connection-contract.js';
import { batch, now1, output } from './contract-harness.js';

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-sqlite-'));
  dirs.push(dir);
  return dir;
}

/** A real SQLite file in a temp dir; raw access goes through a second better-sqlite3 connection, as another process would. */
async function harness(options: { table?: string } = {}): Promise<ConnectionHarness> {
  const dir = await tempDir();
  const connection = await sqliteConnection.open({ driver: 'sqlite', path: 'store/users.db', table: options.table ?? 'users' }, { baseDir: dir });
  const raw = new Database(join(dir, 'store/users.db'));
  return {
    connection,
    exec: async (sql) => void raw.exec(sql),
    query: async (sql) => raw.prepare<[], Record<string, unknown>>(sql).all(),
    cleanup: async () => {
      await connection.close();
      raw.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

testConnection('sqlite', harness);

describe('sqlite connection', () => {
  afterEach(async () => {
    delete process.env[busyTimeoutEnv];
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('resolves a relative path against baseDir, creates its folder, and keeps bookkeeping in the same WAL file', async () => {
    const dir = await tempDir();
    const connection = await sqliteConnection.open({ driver: 'sqlite', path: 'a/b/users.db', table: 'users' }, { baseDir: dir });
    await connection.close();
    const db = new Database(join(dir, 'a/b/users.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name").all();
      expect(tables.map((t) => t.name)).toEqual(['ferry_batches', 'ferry_job_keys']);
      expect(tables.every((t) => t.sql.endsWith('WITHOUT ROWID'))).toBe(true);
    } finally {
      db.close();
    }
  });

  it('stores no job key for a row inserted with a generated user_id (the id names the job), one for a matched row', async () => {
    const h = await harness();
    try {
      await h.connection.writeBatch(batch([{ email: 'ann@x.io' }, { email: 'bob@x.io' }]));
      expect(await h.query('SELECT key, row FROM ferry_job_keys')).toEqual([]);
      await h.connection.writeBatch(batch([{ email: 'ann@x.io' }, { email: 'cy@x.io' }], { job: 'job-2', upsert: true }));
      expect(await h.query('SELECT job, key, row FROM ferry_job_keys')).toEqual([{ job: 'job-2', key: 'ann@x.io', row: 1 }]);
      const again = await h.connection.writeBatch(
        batch([{ email: 'BOB@x.io' }, { email: 'Cy@x.io' }, { email: 'ann@x.io' }], { job: 'job-2', upsert: true, batch: 2, firstRow: 11 }),
      );
      expect(again.rejects).toEqual([
        { row: 12, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 2' }] },
        { row: 13, errors: [{ code: 'DUPLICATE_IN_SOURCE', path: 'email', message: 'same key as row 1' }] },
      ]);
      expect(again.unchanged).toBe(1);
    } finally {
      await h.cleanup();
    }
  });

  it('prepares the page query of an export once, not once per page', async () => {
    const db = new Database(':memory:');
    try {
      const shape = loadTableShape(db, 'users');
      db.exec(
        `INSERT INTO users (user_id, email) SELECT 'u' || value, 'u' || value || '@x.io' FROM json_each('[${Array.from({ length: 30 }, (_, i) => i + 10).join(',')}]')`,
      );
      let prepared = 0;
      const counting = new Proxy(db, {
        get: (target, name) => (name === 'prepare' ? (sql: string) => (prepared++, target.prepare(sql)) : Reflect.get(target, name, target)),
      });
      const reader = createPageReader(counting, () => shape);
      const input = { query: 'email:u*', sort: { by: 'email', order: 'asc' } as const };
      const { starts } = reader.planPages({ ...input, size: 10 });
      const pages = starts.map((after) => reader.readPage({ ...input, after, limit: 10 }));
      expect(pages.flat().map((r) => r['user_id'])).toEqual(Array.from({ length: 30 }, (_, i) => `u${i + 10}`));
      // The scan, the first page, and every later page.
      expect(prepared).toBe(3);
    } finally {
      db.close();
    }
  });

  it("rolls back a backup whose after-hashes an earlier version wrote (sha256 of the row's JSON), and tells a changed row from it", async () => {
    const h = await harness();
    try {
      const written = await h.connection.writeBatch(batch([{ email: 'ann@x.io' }, { email: 'bob@x.io' }]));
      const rows = (await h.query('SELECT * FROM users ORDER BY user_id')).map((r) => Object.values(r));
      const legacy = rows.map((row) => createHash('sha256').update(JSON.stringify(row)).digest('hex').slice(0, 32));
      await h.exec("UPDATE users SET given_name = 'Changed' WHERE email = 'bob@x.io'");
      const entries = written.changes.map(({ row, key, before }, i) => ({ row, key, before, afterHash: legacy[i]! }));
      const out = await h.connection.restoreBatch({ job: 'rollback-1', batch: 1, entries, force: false });
      expect(out).toEqual({ restored: 0, deleted: 1, changed: [{ row: 2, key: { email: 'bob@x.io' }, reason: 'changed' }], replayed: false });
    } finally {
      await h.cleanup();
    }
  });

  it('rolls back a timestamp another tool stored in a spelling Ferry would respell, exactly as it was', async () => {
    const h = await harness({ table: 'people' });
    try {
      await h.exec('CREATE TABLE people (email TEXT PRIMARY KEY, seen TIMESTAMP, nickname TEXT)');
      await h.exec("INSERT INTO people VALUES ('ann@x.io', '2024-05-01t09:30:00+0200', 'old')");
      const written = await h.connection.writeBatch(batch([{ email: 'ann@x.io', nickname: 'new' }], { upsert: true }));
      expect(written.updated).toBe(1);
      const entries = written.changes.map(({ row, key, before, afterHash }) => ({ row, key, before, afterHash }));
      const out = await h.connection.restoreBatch({ job: 'rollback-1', batch: 1, entries, force: false });
      expect(out).toMatchObject({ restored: 1, changed: [] });
      expect(await h.query('SELECT * FROM people')).toEqual([{ email: 'ann@x.io', seen: '2024-05-01t09:30:00+0200', nickname: 'old' }]);
    } finally {
      await h.cleanup();
    }
  });

  it('looks users up by email through the unique index of the built-in table', async () => {
    const h = await harness();
    try {
      await h.connection.columns();
      const plan = await h.query(`EXPLAIN QUERY PLAN SELECT 1 FROM "users" WHERE "email" = 'a' COLLATE NOCASE`);
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING (COVERING )?INDEX users_email_key/);
    } finally {
      await h.cleanup();
    }
  });

  it('fails a batch with a retryable error while another process holds the write lock, and the retry applies it once', async () => {
    process.env[busyTimeoutEnv] = '50';
    const h = await harness();
    try {
      await h.connection.columns();
      await h.exec('BEGIN IMMEDIATE');
      const input = batch([{ email: 'a@x.io' }, { email: 'b@x.io' }]);
      const error: unknown = await h.connection.writeBatch(input).catch((err: unknown) => err);
      expect(error).toMatchObject({ code: 'SQLITE_BUSY', retryable: true });
      expect((error as Error).message).toMatch(/^\[connection:sqlite\] writing rows 1–2 of job job-1: database is locked\. Hint: /);
      expect(isRetryable(error)).toBe(true);
      await h.exec('ROLLBACK');
      expect(await h.connection.writeBatch(input)).toEqual(output({ inserted: 2 }));
      expect(await h.connection.writeBatch(input)).toEqual(output({ inserted: 2, replayed: true }));
    } finally {
      await h.cleanup();
    }
  });

  it('opens and introspects without waiting for another process that is writing', async () => {
    process.env[busyTimeoutEnv] = '50';
    const h = await harness();
    try {
      await h.connection.columns();
      await h.exec('BEGIN IMMEDIATE');
      expect((await h.connection.columns()).length).toBeGreaterThan(0);
      const file = (await h.query('PRAGMA database_list'))[0]?.file as string;
      const second = await sqliteConnection.open({ driver: 'sqlite', path: file, table: 'users' }, { baseDir: '/' });
      await second.close();
      await h.exec('ROLLBACK');
    } finally {
      await h.cleanup();
    }
  });

  it('fills created_at/updated_at only where they hold text, and reports what the store fills', async () => {
    const h = await harness({ table: 'events' });
    try {
      await h.exec(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'x', created_at INTEGER, updated_at TIMESTAMP)",
      );
      const columns = await h.connection.columns();
      expect(columns.map((c) => [c.name, c.nullable, c.hasDefault])).toEqual([
        ['id', false, true],
        ['name', false, false],
        ['kind', false, true],
        ['created_at', true, false],
        ['updated_at', true, true],
      ]);
      expect(await h.connection.writeBatch(batch([{ name: 'a' }], { key: ['name'] }))).toEqual(output({ inserted: 1 }));
      expect(await h.query('SELECT * FROM events')).toEqual([{ id: 1, name: 'a', kind: 'x', created_at: null, updated_at: now1 }]);
    } finally {
      await h.cleanup();
    }
  });

  it('fails to open with a prefixed, non-retryable error when the path is a folder', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'users.db'));
    const error: unknown = await sqliteConnection.open({ driver: 'sqlite', path: 'users.db', table: 'users' }, { baseDir: dir }).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(/^\[connection:sqlite\] cannot open .*users\.db: /);
    expect(isRetryable(error)).toBe(false);
  });

  it(`rejects a malformed ${busyTimeoutEnv}`, async () => {
    process.env[busyTimeoutEnv] = 'soon';
    const dir = await tempDir();
    const opening = sqliteConnection.open({ driver: 'sqlite', path: 'users.db', table: 'users' }, { baseDir: dir });
    await expect(opening).rejects.toThrow(`[connection:sqlite] cannot open ${join(dir, 'users.db')}: ${busyTimeoutEnv} must be a whole number`);
    expect(existsSync(join(dir, 'users.db'))).toBe(false);
  });

  it('names the column of a unique expression index it cannot attribute as the whole record', async () => {
    const h = await harness({ table: 'accounts' });
    try {
      await h.exec('CREATE TABLE accounts (email TEXT PRIMARY KEY, handle TEXT); CREATE UNIQUE INDEX accounts_handle_ci ON accounts (lower(handle))');
      const out = await h.connection.writeBatch(
        batch([
          { email: 'a@x.io', handle: 'Ann' },
          { email: 'b@x.io', handle: 'ANN' },
        ]),
      );
      expect(out.rejects).toEqual([{ row: 2, errors: [{ code: 'CONFLICT', path: '', message: 'a unique value already belongs to another user' }] }]);
    } finally {
      await h.cleanup();
    }
  });

  it('reads a JSON number SQLite stored with numeric affinity back as that number', async () => {
    const h = await harness();
    try {
      await h.connection.writeBatch(batch([{ email: 'a@x.io', user_metadata: 7 }]));
      expect(await h.query('SELECT typeof(user_metadata) AS t FROM users')).toEqual([{ t: 'integer' }]);
      const out = await h.connection.writeBatch(batch([{ email: 'a@x.io', user_metadata: 7 }], { job: 'job-2', upsert: true }));
      expect(out).toEqual(output({ unchanged: 1 }));
    } finally {
      await h.cleanup();
    }
  });
});
