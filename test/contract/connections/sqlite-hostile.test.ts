import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { busyTimeoutEnv, sqliteConnection } from '../../../src/connections/sqlite.js';
import { readsAsWritten, sqliteDateTime } from '../../../src/connections/sqlite/values.js';
import type { Connection } from '../../../src/connections/types.js';
import { batch, output } from './contract-harness.js';

/**
 * Stores and values an operator's SQLite file may hold or be given that Ferry did not make: values
 * at SQLite's limits become their row's reject (code and column), never a failed batch or a value
 * stored as something else; a damaged or locked file fails the batch with an error naming the file.
 */

const dirs: string[] = [];

afterEach(async () => {
  delete process.env[busyTimeoutEnv];
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A store whose table `ddl` made (another tool's), opened as a job opens it. */
async function store(table: string, ddl: string): Promise<{ file: string; connection: Connection; raw: Database.Database; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-sqlite-hostile-'));
  dirs.push(dir);
  const file = join(dir, 'users.db');
  const raw = new Database(file);
  raw.exec(ddl);
  const connection = await sqliteConnection.open({ driver: 'sqlite', path: 'users.db', table }, { baseDir: dir });
  return {
    file,
    connection,
    raw,
    close: async () => {
      await connection.close();
      raw.close();
    },
  };
}

describe('sqlite: values at the limits of SQLite', () => {
  it('rejects an integer beyond SQLite’s 64 bits at its column, and writes the rest of the batch exactly', async () => {
    const s = await store('people', 'CREATE TABLE people (email TEXT PRIMARY KEY, n INTEGER)');
    try {
      const out = await s.connection.writeBatch(
        batch([
          { email: 'max@x.io', n: '9223372036854775807' },
          { email: 'over@x.io', n: '9223372036854775808' },
          { email: 'min@x.io', n: '-9223372036854775808' },
          { email: 'under@x.io', n: '-9223372036854775809' },
          { email: 'big@x.io', n: 2n ** 64n },
          { email: 'small@x.io', n: -(2n ** 63n) - 1n },
        ]),
      );
      expect(out).toEqual(output({ inserted: 2, rejects: expect.any(Array) as never }));
      expect(out.rejects.map((r) => [r.row, r.errors.map((e) => [e.code, e.path])])).toEqual([
        [2, [['INVALID_TYPE', 'n']]],
        [4, [['INVALID_TYPE', 'n']]],
        [5, [['INVALID_TYPE', 'n']]],
        [6, [['INVALID_TYPE', 'n']]],
      ]);
      expect(out.rejects[0]?.errors[0]?.message).toMatch(/9223372036854775808 .*64-bit/);
      const rows = s.raw.prepare('SELECT email, n, typeof(n) AS t FROM people ORDER BY email').safeIntegers().all();
      expect(rows).toEqual([
        { email: 'max@x.io', n: 9223372036854775807n, t: 'integer' },
        { email: 'min@x.io', n: -9223372036854775808n, t: 'integer' },
      ]);
    } finally {
      await s.close();
    }
  });

  it('inserts into a table wider than SQLite’s bound-variable limit allows for a full multi-row insert', async () => {
    // 600 columns: 64 rows of them in one statement would bind 38,400 values, past SQLite's 32,766.
    const columns = Array.from({ length: 600 }, (_, i) => `c${i}`);
    const s = await store('wide', `CREATE TABLE wide (email TEXT PRIMARY KEY, ${columns.map((c) => `${c} TEXT`).join(', ')})`);
    try {
      const rows = Array.from({ length: 150 }, (_, r) => ({ email: `u${r}@x.io`, ...Object.fromEntries(columns.map((c) => [c, `${r}-${c}`])) }));
      expect(await s.connection.writeBatch(batch(rows))).toEqual(output({ inserted: 150 }));
      expect(s.raw.prepare("SELECT count(*) AS n, sum(c599 = substr(email, 2, instr(email, '@') - 2) || '-c599') AS exact FROM wide").get()).toEqual({
        n: 150,
        exact: 150,
      });
    } finally {
      await s.close();
    }
  });

  it('rejects timestamp text SQLite’s date functions would not read as that instant, and stores what they read', async () => {
    const s = await store('events', 'CREATE TABLE events (email TEXT PRIMARY KEY, at TIMESTAMP)');
    const bad = [
      'garbage',
      '2024-02-30T00:00:00Z', // read as 2024-03-01
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '9999-12-31T23:59:60Z', // a leap second: NULL to strftime
      '9999-12-31T23:30:00-01:00', // past year 9999 once its offset is applied
      '0000-01-01T00:30:00+01:00', // before year 0000 once its offset is applied
      '+275760-09-13T00:00:00Z',
      '2024-1-1',
      'now', // read as the current time by every query
      '10:00', // a clock time, read as 2000-01-01
      '2460000.5', // a Julian day number
      '2024-01-01T10:00:00+24:00',
    ];
    const good = [
      '2024-05-01T09:30:00Z',
      '2024-05-01 09:30:00.123456+02:00',
      '2024-05-01',
      '2024-05-01T09:30',
      '9999-12-31T23:59:59.999Z',
      '2024-05-01t09:30:00z',
    ];
    try {
      const values = [...bad, ...good].map((at, i) => ({ email: `u${i}@x.io`, at }));
      const out = await s.connection.writeBatch(batch(values));
      expect(out.inserted).toBe(good.length);
      expect(out.rejects.map((r) => [values[r.row - 1]?.at, r.errors.map((e) => [e.code, e.path])])).toEqual(bad.map((at) => [at, [['INVALID_TYPE', 'at']]]));
      const read = s.raw.prepare<[], { n: number }>("SELECT count(*) AS n FROM events WHERE strftime('%Y-%m-%dT%H:%M:%fZ', at) IS NOT NULL").get();
      expect(read?.n).toBe(good.length);
    } finally {
      await s.close();
    }
  });
});

describe('sqlite: which timestamp text is written', () => {
  it('takes exactly the text SQLite’s own date functions read as written (its strftime is the judge)', () => {
    const db = new Database(':memory:');
    try {
      const read = db.prepare<[string], string | null>("SELECT strftime('%Y-%m-%d %H:%M:%S', ?)").pluck();
      const years = ['0000', '0001', '2023', '2024', '1900', '9999'];
      const months = ['00', '01', '02', '12', '13'];
      const days = ['00', '01', '28', '29', '30', '31', '32'];
      // 24:00 SQLite prints as hour 24 of the same day: refused, as no other store holds it so.
      const clocks = ['', 'T00:00', 'T23:59:59', 'T12:60:00', 'T12:00:60', 'T10:00:00.5', ' 10:00:00', '  10:00', 'T9:00'];
      const zones = ['', 'Z', '+14:00', '+14:59', '+15:00', '-14:59', '+00:60', '-01:00', '+0130', ' +02:00', 'z'];
      let checked = 0;
      for (const y of years)
        for (const m of months)
          for (const d of days)
            for (const clock of clocks)
              for (const zone of zones) {
                const text = sqliteDateTime(`${y}-${m}-${d}${clock}${zone}`);
                const local = /^(\d{4}-\d\d-\d\d)(?:[T ]+(\d\d:\d\d)(:\d\d)?(?:\.\d+)?)?/.exec(text);
                const instant = read.get(text);
                const clockRead = local === null ? null : read.get(local[0]);
                // As written: the zoned text reads at all, in years 0000–9999, and its date and clock read back unchanged.
                const expected =
                  typeof instant === 'string' &&
                  !instant.startsWith('-') &&
                  clockRead === `${local?.[1]} ${local?.[2] ?? '00:00'}:${local?.[3]?.slice(1) ?? '00'}` &&
                  (clock !== '' || zone === '');
                expect([text, readsAsWritten(text)]).toEqual([text, expected]);
                checked++;
              }
      expect(checked).toBe(years.length * months.length * days.length * clocks.length * zones.length);
    } finally {
      db.close();
    }
  });
});

describe('sqlite: a store file in trouble', () => {
  it('names the file, and what to do, when a batch finds it damaged', async () => {
    const s = await store('people', 'CREATE TABLE people (email TEXT PRIMARY KEY, name TEXT)');
    await s.connection.writeBatch(batch(Array.from({ length: 500 }, (_, i) => ({ email: `u${i}@x.io`, name: 'x'.repeat(100) }))));
    await s.connection.close();
    s.raw.pragma('wal_checkpoint(TRUNCATE)');
    // The page header of the primary key's index, which every insert reads: a b-tree page no more.
    const root = s.raw.prepare<[], number>("SELECT rootpage FROM sqlite_schema WHERE name = 'sqlite_autoindex_people_1'").pluck().get()!;
    s.raw.close();
    const fd = openSync(s.file, 'r+');
    try {
      writeSync(fd, Buffer.from([0x0d, 0xff, 0xff, 0xff, 0xff, 0xff]), 0, 6, 4096 * (root - 1));
    } finally {
      closeSync(fd);
    }
    const connection = await sqliteConnection.open({ driver: 'sqlite', path: basename(s.file), table: 'people' }, { baseDir: dirname(s.file) });
    try {
      const error: unknown = await connection.writeBatch(batch([{ email: 'new@x.io' }], { batch: 2 })).catch((err: unknown) => err);
      expect((error as Error).message).toContain('database disk image is malformed');
      expect((error as Error).message).toContain(s.file);
      expect((error as Error).message).toMatch(/integrity_check/);
      expect(error).toMatchObject({ retryable: false });
    } finally {
      await connection.close();
    }
  });

  it('names the file another process holds the write lock of', async () => {
    process.env[busyTimeoutEnv] = '50';
    const s = await store('people', 'CREATE TABLE people (email TEXT PRIMARY KEY)');
    try {
      await s.connection.columns();
      s.raw.exec('BEGIN IMMEDIATE');
      const error: unknown = await s.connection.writeBatch(batch([{ email: 'a@x.io' }])).catch((err: unknown) => err);
      s.raw.exec('ROLLBACK');
      expect(error).toMatchObject({ code: 'SQLITE_BUSY', retryable: true });
      expect((error as Error).message).toContain(`another process holds the write lock of ${s.file}`);
    } finally {
      await s.close();
    }
  });
});

describe('sqlite: a table name another tool reads differently', () => {
  it('creates no table whose name SQLite reads as database.table, and says to name it without its database', async () => {
    for (const table of ['main.people', 'archive.people']) {
      const s = await store(table, 'CREATE TABLE people (email TEXT PRIMARY KEY)');
      try {
        const error: unknown = await s.connection.writeBatch(batch([{ email: 'a@x.io' }])).catch((err: unknown) => err);
        expect((error as Error).message).toContain(`table ${table} is not in ${s.file}`);
        expect((error as Error).message).toContain('table: people');
        expect(error).toMatchObject({ retryable: false });
        expect(s.raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '%people%'").pluck().all()).toEqual(['people']);
      } finally {
        await s.close();
      }
    }
  });

  it('writes to a table whose name holds a dot when the store has one so named', async () => {
    const s = await store('v1.people', 'CREATE TABLE "v1.people" (email TEXT PRIMARY KEY)');
    try {
      expect(await s.connection.writeBatch(batch([{ email: 'a@x.io' }]))).toEqual(output({ inserted: 1 }));
      expect(s.raw.prepare('SELECT email FROM "v1.people"').pluck().all()).toEqual(['a@x.io']);
    } finally {
      await s.close();
    }
  });
});
