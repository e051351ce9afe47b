import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOnceAndOnlyOnce, type CrashStore } from '../helpers/crash.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';

/**
 * The kill -9 and resume test of crash-resume.test.ts with the `users` connection on a real
 * PostgreSQL server: the batch marker commits in the server's transaction, the journal stays in
 * the project's SQLite file. The password reaches ferry.yaml through ${FERRY_TEST_PG_PASSWORD}
 * (interpolation) and must never appear in anything the CLI prints.
 */
const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('kill -9 and resume on PostgreSQL', () => {
  const server = usePostgresServer({ passwordEnv });
  const outputs: string[] = [];

  const postgres: CrashStore = {
    async files() {
      const database = await server().createDatabase();
      return { 'ferry.yaml': usersConnectionYaml(server(), database, passwordEnv), 'database.txt': database };
    },
    async table(p) {
      const database = readFileSync(join(p.dir, 'database.txt'), 'utf8');
      const client = await rawClient(server().url(database));
      try {
        const { rows } = await client.query('SELECT user_id, email, given_name, family_name, email_verified, user_metadata FROM users ORDER BY email');
        return rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    onOutput: (output) => outputs.push(output),
    // Two batches really write at once here: keep each duplicate inside one batch (see CrashStore).
    batchSize: 20,
  };

  describe.each([false, true])('upsert: %s', (upsert) => {
    it('loses no row, duplicates no row, counts exactly, and never prints the password', async () => {
      await expectOnceAndOnlyOnce(postgres, upsert);
      expect(outputs.length).toBeGreaterThan(20);
      expect(outputs.filter((o) => o.includes(server().password))).toEqual([]);
    }, 600_000);
  });
});
