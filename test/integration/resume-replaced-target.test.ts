import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { TestProject } from '../helpers/project.js';

/**
 * A resume after the target table lost the rows the job wrote before it stopped: dropped (and
 * re-created empty by Ferry, or by the operator), renamed, or emptied. The batch markers outlive
 * the table and do not name it, so the resume counted the first batches inserted from them:
 * "inserted 300" over a table holding 150. It must fail instead, saying what happened.
 */
const total = 300;

interface Interrupted {
  p: TestProject;
  id: string;
}

/** An import of `total` users, 50 a batch, killed at `failpoint`. */
function interruptedImport(ferryYaml?: string, failpoint = 'batch-after-commit=3'): Interrupted {
  const p = new TestProject();
  if (ferryYaml !== undefined) p.write('ferry.yaml', ferryYaml);
  const users = Array.from({ length: total }, (_, i) => JSON.stringify({ email: `user${i}@example.com`, given_name: `G${i}` }));
  p.write('users.ndjson', users.join('\n') + '\n');
  p.write('import.yaml', 'source: { file: users.ndjson }\ntarget: { connection: users }\nbatch: { size: 50, parallelism: 1 }\n');
  // By default killed after its third batch committed, before the journal recorded it: batches 0
  // and 1 are done in the journal, batch 2 is replayed from its marker.
  const killed = runFerry(['run', 'import.yaml', '--json'], { cwd: p.dir, env: { FERRY_FAILPOINTS: failpoint } });
  expect(killed.code).not.toBe(0);
  const id = (JSON.parse(p.ferry('jobs', 'list', '--json').stdout.split('\n')[0]!) as { job: string }).job;
  return { p, id };
}

interface Resumed {
  code: number;
  status: string;
  message: string;
  inserted: number;
}

function resume({ p, id }: Interrupted): Resumed {
  const result = p.ferry('jobs', 'resume', id, '--json');
  const report = JSON.parse(result.stdout) as { status: string; summary: { inserted: number }; error?: { message: string } };
  return { code: result.code, status: report.status, message: report.error?.message ?? '', inserted: report.summary.inserted };
}

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
    expectRefused(resume(job), 'users');
  }, 60_000);

  it('fails when the operator dropped it and created it again, empty', () => {
    job = interruptedImport();
    const ddl = job.p.rows("SELECT sql FROM sqlite_schema WHERE name = 'users'")[0]!['sql'] as string;
    alter(`DROP TABLE users; ${ddl}`);
    expectRefused(resume(job), 'users');
  }, 60_000);

  it('fails when the table was renamed, and leaves the renamed one alone', () => {
    job = interruptedImport();
    alter('ALTER TABLE users RENAME TO users_before');
    expectRefused(resume(job), 'users');
    expect(count('users_before')).toBe(150);
  }, 60_000);

  it('fails when every row was deleted', () => {
    job = interruptedImport();
    alter('DELETE FROM users');
    expectRefused(resume(job), 'users');
  }, 60_000);

  it('fails when every batch was done before and the table was dropped: the resume writes none, and finishes the job', () => {
    job = interruptedImport(undefined, 'finalize-part=1');
    alter('DROP TABLE users');
    expectRefused(resume(job), 'users');
  }, 60_000);

  it("resumes exactly when users were deleted meanwhile: the table still holds some of the job's rows", () => {
    job = interruptedImport();
    alter("DELETE FROM users WHERE email GLOB 'user1*'");
    expect(resume(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: total });
    expect(count()).toBe(total - 61); // user1, user10–19, user100–149 were written before, and deleted
  }, 60_000);

  it('resumes exactly when the table only gained a column', () => {
    job = interruptedImport();
    alter('ALTER TABLE users ADD COLUMN plan TEXT');
    expect(resume(job)).toMatchObject({ code: 0, status: 'succeeded', inserted: total });
    expect(count()).toBe(total);
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
    expectRefused(resume(job!), 'users');
  }, 120_000);

  it('fails when the table was renamed', async () => {
    await interrupted();
    await alter('ALTER TABLE users RENAME TO users_before');
    expectRefused(resume(job!), 'users');
  }, 120_000);

  it('fails when the table was truncated', async () => {
    await interrupted();
    await alter('TRUNCATE users');
    expectRefused(resume(job!), 'users');
  }, 120_000);
});
