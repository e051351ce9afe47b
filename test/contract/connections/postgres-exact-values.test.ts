import { expect, it } from 'vitest';
import type { RestoreEntry } from '../../../src/connections/types.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch, output } from './contract-harness.js';

/** Values PostgreSQL holds that a careless round trip through JavaScript would change without a word. */
describePostgres('postgres exact values', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  it('stores an instant with an offset in a timestamp without time zone as its UTC clock time, as every read takes it', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY, seen timestamp, seen_us timestamp(6), born date)');
    const connection = await db.connect('people');
    const rows = [
      { email: 'a@x.io', seen: '2024-01-01T10:00:00+05:00', seen_us: '2024-01-01 10:00:00.123456-02:30', born: '2024-01-01' },
      { email: 'b@x.io', seen: '2024-01-01T05:00:00Z' },
      { email: 'c@x.io', seen: Date.parse('2024-01-01T05:00:00Z') },
      { email: 'd@x.io', seen: '2024-01-01T10:00:00' },
    ];
    expect(await connection.writeBatch(batch(rows))).toEqual(output({ inserted: 4 }));
    const stored = await db.raw.query("SELECT email, to_char(seen, 'YYYY-MM-DD HH24:MI:SS') AS seen, seen_us::text FROM people ORDER BY email");
    expect(stored.rows).toEqual([
      { email: 'a@x.io', seen: '2024-01-01 05:00:00', seen_us: '2024-01-01 12:30:00.123456' },
      { email: 'b@x.io', seen: '2024-01-01 05:00:00', seen_us: null },
      { email: 'c@x.io', seen: '2024-01-01 05:00:00', seen_us: null },
      { email: 'd@x.io', seen: '2024-01-01 10:00:00', seen_us: null },
    ]);
    // The same instant written again is unchanged, and an export reads it back as that instant.
    expect(await connection.writeBatch(batch([rows[0]!], { job: 'job-2', upsert: true }))).toEqual(output({ unchanged: 1 }));
    const page = await connection.readPage({ query: 'email:a@x.io', after: null, limit: 10, fields: ['email', 'seen'] });
    expect(page).toEqual([{ email: 'a@x.io', seen: '2024-01-01T05:00:00.000Z' }]);
    // Every digit of an instant with microseconds (a Date kept .123).
    const exact = await connection.readPage({ query: 'email:a@x.io', after: null, limit: 10, fields: ['email', 'seen_us'] });
    expect(exact).toEqual([{ email: 'a@x.io', seen_us: '2024-01-01T12:30:00.123456Z' }]);
  });

  it('rejects text for a timestamp without time zone whose offset it cannot move to UTC, which the server would drop', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY, seen timestamp, at timestamptz)');
    const connection = await db.connect('people');
    const rows = [
      { email: 'a@x.io', seen: 'Mon, 01 Jan 2024 10:00:00 +0500', at: 'Mon, 01 Jan 2024 10:00:00 +0500' },
      { email: 'b@x.io', seen: '01/02/2024 10:00 -05:00' },
      { email: 'c@x.io', seen: '2024-01-01 10:00', at: '2024-01-01T10:00:00.5+05:30' },
    ];
    const written = await connection.writeBatch(batch(rows));
    expect(written.inserted).toBe(1);
    expect(written.rejects).toEqual([
      {
        row: 1,
        errors: [{ code: 'INVALID_TYPE', path: 'seen', message: expect.stringMatching(/^a timestamp without time zone takes ISO-8601 text/) as unknown }],
      },
      {
        row: 2,
        errors: [{ code: 'INVALID_TYPE', path: 'seen', message: expect.stringMatching(/^a timestamp without time zone takes ISO-8601 text/) as unknown }],
      },
    ]);
    const stored = await db.raw.query('SELECT email, seen::text, at::text FROM people ORDER BY email');
    expect(stored.rows).toEqual([{ email: 'c@x.io', seen: '2024-01-01 10:00:00', at: '2024-01-01 04:30:00.5+00' }]);
  });

  it('rejects a timestamp outside years 1–9999 naming its year, and an instant whose UTC clock crosses into 10000', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY, seen timestamp, at timestamptz)');
    const connection = await db.connect('people');
    const rows = [
      { email: 'a@x.io', seen: '+010000-01-01T00:00:00Z' },
      { email: 'b@x.io', seen: Date.UTC(10000, 0, 1) },
      { email: 'c@x.io', at: Date.UTC(10000, 0, 1) },
      { email: 'd@x.io', at: '10000-01-01T00:00:00Z' },
      { email: 'e@x.io', seen: '9999-12-31T23:00:00-05:00' },
      { email: 'f@x.io', at: '-000100-01-01T00:00:00Z' },
      { email: 'g@x.io', seen: '9999-12-31T23:59:59', at: '9999-12-31T18:00:00-05:00' },
    ];
    const written = await connection.writeBatch(batch(rows));
    const years = [10000, 10000, 10000, 10000, 10000, -100];
    expect(written.rejects).toEqual(
      years.map((year, i) => ({
        row: i + 1,
        errors: [
          { code: 'INVALID_TYPE', path: 'seen' in rows[i]! ? 'seen' : 'at', message: `year ${year} is outside 1–9999, the years Ferry writes to a timestamp` },
        ],
      })),
    );
    expect(written.inserted).toBe(1);
    const stored = await db.raw.query('SELECT email, seen::text, at::text FROM people');
    expect(stored.rows).toEqual([{ email: 'g@x.io', seen: '9999-12-31 23:59:59', at: '9999-12-31 23:00:00+00' }]);
  });

  // Refused since the check above came, with a message about an offset they do not hold; the server reads them as written.
  it('stores ISO text without an offset whose month, day or hour has one digit as the clock time it says', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY, seen timestamp)');
    const connection = await db.connect('people');
    const rows = [
      { email: 'a@x.io', seen: '2024-1-2 9:30' },
      { email: 'b@x.io', seen: '2024-01-02 9:30:05.5' },
      { email: 'c@x.io', seen: '2024-1-2' },
    ];
    expect(await connection.writeBatch(batch(rows))).toEqual(output({ inserted: 3 }));
    const stored = await db.raw.query('SELECT email, seen::text FROM people ORDER BY email');
    expect(stored.rows).toEqual([
      { email: 'a@x.io', seen: '2024-01-02 09:30:00' },
      { email: 'b@x.io', seen: '2024-01-02 09:30:05.5' },
      { email: 'c@x.io', seen: '2024-01-02 00:00:00' },
    ]);
  });

  it('stores a numeric given as decimal text digit for digit, not rounded through a double; the same digits again are unchanged', async () => {
    await db.raw.query('CREATE TABLE accounts (email text PRIMARY KEY, balance numeric, rate numeric(30,20), ratio float8)');
    const connection = await db.connect('accounts');
    const rows = [
      { email: 'a@x.io', balance: '123456789012345678901234567890.123', rate: ' 0.12345678901234567891 ', ratio: '0.1' },
      { email: 'b@x.io', balance: '-9007199254740993', rate: '1E-20', ratio: 2.5 },
      { email: 'c@x.io', balance: 0.1 },
    ];
    expect(await connection.writeBatch(batch(rows))).toEqual(output({ inserted: 3 }));
    const stored = await db.raw.query('SELECT email, balance::text, rate::text, ratio::text FROM accounts ORDER BY email');
    expect(stored.rows).toEqual([
      { email: 'a@x.io', balance: '123456789012345678901234567890.123', rate: '0.12345678901234567891', ratio: '0.1' },
      { email: 'b@x.io', balance: '-9007199254740993', rate: '0.00000000000000000001', ratio: '2.5' },
      { email: 'c@x.io', balance: '0.1', rate: null, ratio: null },
    ]);
    expect(await connection.writeBatch(batch(rows, { job: 'job-2', upsert: true }))).toEqual(output({ unchanged: 3 }));
  });

  it('exports a numeric a double would round as its exact digits in a string, one a double holds as a number, NaN as unreadable', async () => {
    await db.raw.query('CREATE TABLE accounts (email text PRIMARY KEY, balance numeric)');
    await db.raw.query(`INSERT INTO accounts VALUES ('a@x.io', 0.12345678901234567891), ('b@x.io', -12.3400), ('c@x.io', 0.00000000000000000001),
      ('d@x.io', 12345678901234567890.000000001), ('e@x.io', 9007199254740993), ('f@x.io', 0.1), ('g@x.io', 'NaN'), ('h@x.io', '-Infinity')`);
    const connection = await db.connect('accounts');
    const page = await connection.readPage({ query: '*', after: null, limit: 10, fields: ['email', 'balance'] });
    expect(page.slice(0, 6).map((r) => r['balance'])).toEqual([
      '0.12345678901234567891',
      -12.34,
      1e-20,
      '12345678901234567890.000000001',
      '9007199254740993',
      0.1,
    ]);
    // A numeric's NaN and ±Infinity, as a float's: no number in JSON, so a FORMAT reject where the mapping reads them (not the text "NaN").
    expect(page.slice(6).map((r) => (r['balance'] as Error).message)).toEqual([
      expect.stringMatching(/^stored balance is NaN, which JSON and an export file cannot hold as a number/),
      expect.stringMatching(/^stored balance is -Infinity, which JSON/),
    ]);
  });

  it('exports dates, instants and intervals in ISO form whatever DateStyle and IntervalStyle the database sets', async () => {
    await db.raw.query(`DO $$ BEGIN
      EXECUTE format('ALTER DATABASE %I SET datestyle = %L', current_database(), 'SQL, DMY');
      EXECUTE format('ALTER DATABASE %I SET intervalstyle = %L', current_database(), 'sql_standard');
    END $$`);
    try {
      await db.raw.query('CREATE TABLE events (email text PRIMARY KEY, seen timestamp, at timestamptz, born date, took interval)');
      await db.raw.query(`INSERT INTO events VALUES ('a@x.io', '2024-01-02 10:00:00.5', '2024-01-02 10:00:00+00', '2024-01-02', '1 day 02:00:00')`);
      const connection = await db.connect('events');
      const page = await connection.readPage({ query: '*', after: null, limit: 10, fields: ['email', 'seen', 'at', 'born', 'took'] });
      expect(page).toEqual([{ email: 'a@x.io', seen: '2024-01-02T10:00:00.500Z', at: '2024-01-02T10:00:00.000Z', born: '2024-01-02', took: '1 day 02:00:00' }]);
    } finally {
      await db.raw.query(`DO $$ BEGIN
        EXECUTE format('ALTER DATABASE %I RESET datestyle', current_database());
        EXECUTE format('ALTER DATABASE %I RESET intervalstyle', current_database());
      END $$`);
    }
  });

  it('reads floats with every digit whatever extra_float_digits the database sets: an export, and the backup a rollback writes back', async () => {
    await db.raw.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET extra_float_digits = -15', current_database()); END $$`);
    try {
      await db.raw.query('CREATE TABLE rates (email text PRIMARY KEY, ratio float8)');
      await db.raw.query(`INSERT INTO rates VALUES ('a@x.io', 0.1234567890123456)`);
      const connection = await db.connect('rates');
      const page = await connection.readPage({ query: '*', after: null, limit: 10, fields: ['email', 'ratio'] });
      expect(page).toEqual([{ email: 'a@x.io', ratio: 0.1234567890123456 }]);
      const written = await connection.writeBatch(batch([{ email: 'a@x.io', ratio: 2 }], { upsert: true }));
      expect(written.changes.map((c) => c.before)).toEqual([{ email: 'a@x.io', ratio: 0.1234567890123456 }]);
    } finally {
      await db.raw.query(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET extra_float_digits', current_database()); END $$`);
    }
  });

  it('rejects a merge into stored metadata holding a number beyond ±2^53, which it would write back rounded; a replace writes', async () => {
    const connection = await db.connect('users');
    const users = [
      { email: 'a@x.io', user_metadata: { plan: 'free' } },
      { email: 'b@x.io', user_metadata: { plan: 'free' } },
    ];
    expect(await connection.writeBatch(batch(users))).toEqual(output({ inserted: 2 }));
    const stored = '{"tw": 12345678901234567890123, "plan": "free"}';
    await db.raw.query(`UPDATE users SET user_metadata = $1 WHERE email = 'a@x.io'`, [stored]);
    const merge = batch(
      [
        { email: 'a@x.io', user_metadata: { plan: 'pro' } },
        { email: 'b@x.io', user_metadata: { plan: 'pro' } },
      ],
      { job: 'job-2', upsert: true, metadata: 'merge' },
    );
    expect(await connection.writeBatch(merge)).toEqual(
      output({
        updated: 1,
        rejects: [{ row: 1, errors: [{ code: 'FORMAT', path: 'user_metadata.tw', message: expect.stringContaining('12345678901234567890123') as string }] }],
      }),
    );
    const after = await db.raw.query<{ email: string; meta: string }>('SELECT email, user_metadata::text AS meta FROM users ORDER BY email');
    expect(after.rows).toEqual([
      { email: 'a@x.io', meta: '{"tw": 12345678901234567890123, "plan": "free"}' },
      { email: 'b@x.io', meta: '{"plan": "pro"}' },
    ]);
    const replace = batch([{ email: 'a@x.io', user_metadata: { plan: 'pro' } }], { job: 'job-3', upsert: true, metadata: 'replace' });
    expect(await connection.writeBatch(replace)).toEqual(output({ updated: 1 }));
  });

  it('rolls back a document holding numbers beyond ±2^53 digit for digit, and one that looks like the image form as it was', async () => {
    await db.raw.query('CREATE TABLE accounts (email text PRIMARY KEY, profile jsonb, settings json)');
    const stored = [
      ['a@x.io', '{"tw": 12345678901234567890123, "n": 9007199254740993}', '{"n": 9007199254740993}'],
      ['b@x.io', '{"$ferry:json-text": "{}"}', '{"plain":1}'],
    ];
    for (const row of stored) await db.raw.query('INSERT INTO accounts VALUES ($1, $2, $3)', row);
    const snapshot = async () => (await db.raw.query('SELECT email, profile::text, settings::text FROM accounts ORDER BY email')).rows;
    const before = await snapshot();
    const connection = await db.connect('accounts');
    const rows = [
      { email: 'a@x.io', profile: { tw: 1 }, settings: { n: 1 } },
      { email: 'b@x.io', profile: { tw: 2 }, settings: { n: 2 } },
    ];
    const written = await connection.writeBatch(batch(rows, { upsert: true, metadata: 'replace' }));
    expect(written).toEqual(output({ updated: 2 }));
    // As a rollback job reads them: the backup's JSON text.
    const entries = JSON.parse(
      JSON.stringify(written.changes.map(({ row, key, before: image, afterHash }) => ({ row, key, before: image, afterHash }))),
    ) as RestoreEntry[];
    expect(await connection.restoreBatch({ job: 'undo', batch: 1, entries, force: false })).toMatchObject({ restored: 2, changed: [] });
    expect(await snapshot()).toEqual(before);
  });
});
