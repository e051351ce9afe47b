import { expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { batch } from './contract-harness.js';

/*
 * A date that is no day of the calendar: Date.parse rolls it over into the next month, and a
 * timestamp without time zone was given the UTC clock Date.parse computed, so
 * 2023-02-29T10:00:00+02:00 was stored as 2023-03-01 08:00:00 without a word. The server refuses
 * such a date (and so does SQLite): a reject of the row naming it, in every timestamp column.
 */
describePostgres('postgres: timestamps on days the calendar does not have', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  it('rejects them naming the date, and stores none', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY, seen timestamp, at timestamptz)');
    const connection = await db.connect('people');
    const bad = [
      '2023-02-29T10:00:00+02:00',
      '2024-04-31T10:00:00Z',
      '2024-02-30 10:00:00-05:00',
      '1900-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2023-2-29 10:00',
    ];
    const rows = bad.flatMap((v, i) => [
      { email: `s${i}@x.io`, seen: v },
      { email: `a${i}@x.io`, at: v },
    ]);
    rows.push({ email: 'leap@x.io', seen: '2024-02-29T23:00:00-02:00' }, { email: 'leap2@x.io', at: '2000-02-29T10:00:00+02:00' });
    const out = await connection.writeBatch(batch(rows));
    expect(out.inserted).toBe(2);
    expect(out.rejects).toEqual(
      rows.slice(0, -2).map((r, i) => ({
        row: i + 1,
        errors: [
          {
            code: 'INVALID_TYPE',
            path: 'seen' in r ? 'seen' : 'at',
            message: `${/^\d{4}-\d\d?-\d\d?/.exec(bad[Math.floor(i / 2)]!)![0]} is not a calendar day`,
          },
        ],
      })),
    );
    const stored = await db.raw.query("SELECT email, to_char(seen, 'YYYY-MM-DD HH24:MI:SS') AS seen, at::text FROM people ORDER BY email");
    expect(stored.rows).toEqual([
      { email: 'leap2@x.io', seen: null, at: '2000-02-29 08:00:00+00' },
      { email: 'leap@x.io', seen: '2024-03-01 01:00:00', at: null },
    ]);
  });
});

/*
 * Hour 24 and offsets past ±14:59: the server took them (24:00 as the next day's 00:00, offsets
 * up to ±15:59) where SQLite's writer refuses them, so the same rows were stored by one store and
 * rejected by the other.
 */
describePostgres('postgres: clock times SQLite refuses', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public');

  it('rejects hour 24 and offsets past ±14:59 in every timestamp column, and keeps the rest', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY, seen timestamp, at timestamptz)');
    const connection = await db.connect('people');
    const refused: [string, string][] = [
      ['2024-05-01T24:00:00Z', 'hour 24 is not a clock time here: write 00:00 of the next day'],
      ['2024-05-01 24:00', 'hour 24 is not a clock time here: write 00:00 of the next day'],
      ['2024-05-01T10:00:00+15:00', 'offset +15 hours is beyond ±14:59, the offsets every store reads'],
      ['2024-05-01T10:00:00-1530', 'offset -15 hours is beyond ±14:59, the offsets every store reads'],
    ];
    const kept = ['2024-05-01T23:59:59.999999+14:59', '2024-05-01T10:00:00-14:00'];
    const rows = [...refused.map(([v]) => v), ...kept].flatMap((v, i) => [
      { email: `s${i}@x.io`, seen: v },
      { email: `a${i}@x.io`, at: v },
    ]);
    const out = await connection.writeBatch(batch(rows));
    expect(out.inserted).toBe(kept.length * 2);
    expect(out.rejects).toEqual(
      refused.flatMap(([, message], i) => [
        { row: 2 * i + 1, errors: [{ code: 'INVALID_TYPE', path: 'seen', message }] },
        { row: 2 * i + 2, errors: [{ code: 'INVALID_TYPE', path: 'at', message }] },
      ]),
    );
  });
});
