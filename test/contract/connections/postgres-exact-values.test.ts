import { expect, it } from 'vitest';
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
  });
});
