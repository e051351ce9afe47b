import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { repoRoot, runFerry } from '../helpers/cli.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { rawClient } from '../helpers/postgres-raw.js';

/**
 * Connection → connection: examples/migrate-legacy moves users from a PostgreSQL `legacy_users`
 * table into the SQLite store, run as shipped (its ferry.yaml, pipeline and seed SQL), then with a
 * larger table, several pages per job and a kill -9 in the middle.
 */
const example = join(repoRoot, 'examples', 'migrate-legacy');
const pipeline = 'pipelines/migrate-legacy-users.yaml';

describePostgres('migration from a PostgreSQL table into the SQLite store', () => {
  const server = usePostgresServer();
  let project: TestProject;
  afterEach(() => project?.cleanup());

  /** The example folder copied to a temp project, with a fresh database holding `sql`. */
  async function exampleProject(sql: string): Promise<{ env: Record<string, string> }> {
    project = new TestProject();
    cpSync(example, project.dir, { recursive: true });
    const database = await server().createDatabase();
    const client = await rawClient(server().url(database));
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
    return { env: { LEGACY_DATABASE_URL: server().url(database) } };
  }

  function migrate(env: Record<string, string>, extraEnv: Record<string, string> = {}): { code: number; report: JobReportJson; output: string } {
    const result = runFerry(['run', pipeline, '--json'], { cwd: project.dir, env: { ...env, ...extraEnv } });
    expect(result.stdout + result.stderr).not.toContain(server().password);
    return {
      code: result.code,
      report: result.stdout ? (JSON.parse(result.stdout) as JobReportJson) : (undefined as never),
      output: result.stdout + result.stderr,
    };
  }

  it('runs the shipped example: live users mapped and upserted, bad rows rejected with their row', async () => {
    const { env } = await exampleProject(readFileSync(join(example, 'legacy_users.sql'), 'utf8'));
    expect(runFerry(['validate'], { cwd: project.dir, env }).stdout).toBe(`ok ${pipeline}\n`);
    const { code, report, output } = migrate(env);
    expect(code, output).toBe(0);
    // 8 legacy rows, one soft-deleted: 7 read; alan (email), katherine (phone), GRACE (same key as grace) rejected.
    expect(report.summary).toMatchObject({ total: 7, inserted: 4, updated: 0, unchanged: 0, rejected: 3 });
    const rows = project.rows(
      'SELECT email, given_name, family_name, name, email_verified, phone_number, user_metadata, app_metadata FROM users ORDER BY email',
    );
    expect(rows).toEqual([
      {
        email: 'ada.lovelace@example.com',
        given_name: 'Ada',
        family_name: 'Lovelace',
        name: 'Countess Ada',
        email_verified: 1,
        phone_number: '+442071234567',
        user_metadata: '{"plan":"pro","newsletter":true,"legacy_id":1}',
        app_metadata: '{"signed_up_at":"2019-03-01T10:00:00.000Z"}',
      },
      {
        email: 'edsger@example.com',
        given_name: 'Edsger',
        family_name: 'Dijkstra',
        name: 'Edsger Dijkstra',
        email_verified: 0,
        phone_number: '+31205551234',
        user_metadata: '{"plan":"pro","newsletter":true,"legacy_id":5}',
        app_metadata: '{"signed_up_at":"2021-02-02T16:45:00.000Z"}',
      },
      {
        email: 'grace@example.com',
        given_name: 'Grace',
        family_name: 'Hopper',
        name: 'Grace Hopper',
        email_verified: 1,
        phone_number: null,
        user_metadata: '{"plan":"team","newsletter":false,"legacy_id":2}',
        app_metadata: '{"signed_up_at":"2019-05-12T08:30:00.000Z"}',
      },
      {
        email: 'margaret@example.com',
        given_name: 'Margaret',
        family_name: 'Hamilton',
        name: 'Margaret Hamilton',
        email_verified: 1,
        phone_number: '+16175550199',
        user_metadata: '{"plan":"enterprise","newsletter":true,"legacy_id":8}',
        app_metadata: '{"signed_up_at":"2023-11-11T11:11:11.000Z"}',
      },
    ]);
    // Rows are the place in the migration's order (id order over the live users).
    expect(project.rejects(report).map((r) => [r.row, r.errors.map((e) => `${e.code} ${e.path}`)])).toEqual([
      [3, ['FORMAT email']],
      [4, ['PATTERN phone_number']],
      [6, ['DUPLICATE_IN_SOURCE email']],
    ]);
    // Again: the upsert finds every migrated user as it is.
    const again = migrate(env);
    expect(again.report.summary).toMatchObject({ total: 7, inserted: 0, updated: 0, unchanged: 4, rejected: 3 });
  }, 120_000);

  it('migrates 2,500 rows in pages of 1,000 and, killed mid-job, resumes to the exact result', async () => {
    const { env } = await exampleProject(`${readFileSync(join(example, 'legacy_users.sql'), 'utf8').split('INSERT')[0]}
      INSERT INTO legacy_users (email_address, first_name, last_name, is_verified, plan, prefs, signed_up_at, deleted)
      SELECT 'user' || i || '@example.com', 'First' || i, 'Last' || i, i % 2 = 0, 'free', jsonb_build_object('newsletter', i % 3 = 0),
             timestamptz '2024-01-01T00:00:00Z' + i * interval '1 minute', i % 10 = 0
        FROM generate_series(1, 2778) AS i;`);
    const file = join(project.dir, pipeline);
    writeFileSync(file, readFileSync(file, 'utf8').replace('batch: { size: 500, parallelism: 2 }', 'batch: { size: 1000, parallelism: 2 }'));
    // The second batch commit of the job, then the process dies before its journal knows.
    const killed = migrate(env, { FERRY_FAILPOINTS: 'batch-after-commit=2' });
    expect(killed.code).not.toBe(0);
    // One JSON object per line, newest first: this project has the one job.
    const job = (JSON.parse(runFerry(['jobs', 'list', '--json'], { cwd: project.dir, env }).stdout) as { job: string }).job;
    const resumed = runFerry(['jobs', 'resume', job, '--json'], { cwd: project.dir, env });
    expect(resumed.code).toBe(0);
    const report = JSON.parse(resumed.stdout) as JobReportJson;
    // 2778 rows, every tenth deleted: 2501 live; none rejected.
    expect(report.summary).toMatchObject({ total: 2501, inserted: 2501, rejected: 0 });
    const [counts] = project.rows(
      "SELECT count(*) AS n, count(DISTINCT email) AS distinct_emails, min(json_extract(user_metadata, '$.legacy_id')) AS first, max(json_extract(user_metadata, '$.legacy_id')) AS last FROM users",
    );
    expect(counts).toEqual({ n: 2501, distinct_emails: 2501, first: 1, last: 2778 });
  }, 180_000);
});
