import { describe, it } from 'vitest';
import { expectOnceAndOnlyOnce, type CrashStore } from '../helpers/crash.js';

/**
 * Once and only once on the embedded SQLite store (no ferry.yaml): a job killed with SIGKILL at many
 * points and resumed each time ends exactly like an uninterrupted run (test/helpers/crash.ts).
 * test/integration/crash-resume-postgres.test.ts runs the same against PostgreSQL.
 */
const sqlite: CrashStore = {
  files: async () => ({}),
  // created_at/updated_at are the job's start time, which differs between the two jobs compared.
  table: async (p) => p.rows('SELECT user_id, email, given_name, family_name, email_verified, user_metadata FROM users ORDER BY email'),
};

describe.each([false, true])('kill -9 and resume (upsert: %s)', (upsert) => {
  it('loses no row, duplicates no row, and counts exactly', () => expectOnceAndOnlyOnce(sqlite, upsert), 300_000);
});
