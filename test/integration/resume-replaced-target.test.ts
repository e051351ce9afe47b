import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawClient } from '../helpers/postgres-raw.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { interruptedImport, interruptedTotal, resumeJob, type Interrupted, type Resumed } from '../helpers/interrupted-import.js';

/**
 * A resume after the target table lost the rows the job wrote before it stopped: dropped (and
 * re-created empty by Ferry, or by the operator), renamed, or emptied. The batch markers outlive
 * the table and do not name it, so the resume counted the first batches inserted from them:
 * "inserted 300" over a table holding 150. It must fail instead, saying what happened.
 */

function expectRefused(resumed: Resumed, table: string): void {
  expect(resumed).toMatchObject({ code: 1, status: 'failed' });
  expect(resumed.message).toMatch(
    new RegExp(
      `the rows job \\S+ wrote before are no longer in table ${table} \\(none of the 50 its first batch wrote, source rows 1–50, is there\\): the table was dropped, renamed, re-created or emptied since`,
    ),
  );
  expect(resumed.message).toContain('run the pipeline as a new job');
}

describe('a resume on SQLite after the target table lost the rows the job wrote', () => {
  let job: Interrupted | undefined;
  afterEach(() => job?.p.cleanup());

  const alter = (sql: string) => {
    const store = new Database(join(job!.p.dir, '.ferry/users.db'));
    store.exec(sql);
    store.close();
  };
  const count = (table = 'users') => job!.p.rows(`SELECT count(*) AS n FROM ${table}`)[0]!['n'];

  it('fails when the table was dropped (Ferry would create it again, empty)', () => {
    job = interruptedImport();
    alter('DROP TABLE users');
    expectRefused(resumeJob(job), 'users');
  }, 60_000);

  it('fails when the operator dropped it and created it again, empty', () => {
    job = interruptedImport();
    const ddl = job.p.rows("SELECT sql FROM sqlite_schema WHERE name = 'users'")[0]!['sql'] as string;
    alter(`DROP TABLE users; ${ddl}`);
    expectRefused(resumeJob(job), 'users');
  }, 60_000);

  it('fails when the table was renamed, and leaves the renamed one alone', () => {
    job = interruptedImport();
    alter('ALTER TABLE users RENAME TO users_before');
    expectRefused(resumeJob(job), 'users');
    expect(count('users_before')).toBe(150);
  }, 60_000);

  it('fails when every row was deleted', () => {
    job = interruptedImport();
    alter('DELETE FROM users');
    expectRefused(resumeJob(job), 'users');
  }, 60_000);

  it('fails when every batch was done before and the table was dropped: the resume writes none, and finishes the job', () => {
    job = interruptedImport(undefined, 'finalize-part=1');
    alter('DROP TABLE users');
    expectRefused(resumeJob(job), 'users');
  }, 60_000);

  it("resumes exactly when users were deleted meanwhile: the table still holds some of the job's rows", () => {
    job = interruptedImport();
    alter("DELETE FROM users WHERE email GLOB 'user1*'");
    expect(resumeJob(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: interruptedTotal });
    expect(count()).toBe(interruptedTotal - 61); // user1, user10–19, user100–149 were written before, and deleted
  }, 60_000);

  it('resumes exactly when the table only gained a column', () => {
    job = interruptedImport();
    alter('ALTER TABLE users ADD COLUMN plan TEXT');
    expect(resumeJob(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: interruptedTotal });
    expect(count()).toBe(interruptedTotal);
  }, 60_000);
});

const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('a resume on PostgreSQL after the target table lost the rows the job wrote', () => {
  const server = usePostgresServer({ passwordEnv });
  let job: Interrupted | undefined;
  afterEach(() => job?.p.cleanup());

  const interrupted = async () => {
    const database = await server().createDatabase();
    job = interruptedImport(usersConnectionYaml(server(), database, passwordEnv));
    job.p.write('database.txt', database);
    return job;
  };
  const alter = async (sql: string) => {
    const client = await rawClient(server().url(readFileSync(join(job!.p.dir, 'database.txt'), 'utf8')));
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  it('fails when the table was dropped (Ferry would create it again, empty)', async () => {
    await interrupted();
    await alter('DROP TABLE users');
    expectRefused(resumeJob(job!), 'users');
  }, 120_000);

  it('fails when the table was renamed', async () => {
    await interrupted();
    await alter('ALTER TABLE users RENAME TO users_before');
    expectRefused(resumeJob(job!), 'users');
  }, 120_000);

  it('fails when the table was truncated', async () => {
    await interrupted();
    await alter('TRUNCATE users');
    expectRefused(resumeJob(job!), 'users');
  }, 120_000);
});
