import type pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { runFerry } from '../helpers/cli.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject, type JobReportJson } from '../helpers/project.js';
import { crashAndResumeUpsert, expectUpsertDryRun, seedUpsertScenario } from '../helpers/upsert-scenario.js';

/**
 * The operator tools of operator-tools.test.ts with the `users` connection on a real PostgreSQL
 * server: a dry run leaves every table of the database as it was, and a rollback gives the table
 * back row for row, each row compared as the server prints it (every column, microseconds included).
 */
const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('operator tools on PostgreSQL', () => {
  const server = usePostgresServer({ passwordEnv });
  let p: TestProject;
  let db: pg.Client;

  afterEach(async () => {
    await db?.end();
    p?.cleanup();
  });

  /** A project whose `users` connection is a fresh database, seeded with the scenario's 300 users. */
  async function seededProject(): Promise<void> {
    const database = await server().createDatabase();
    db = await rawClient(server().url(database));
    p = new TestProject();
    p.write('ferry.yaml', usersConnectionYaml(server(), database, passwordEnv));
    seedUpsertScenario(p);
  }

  /** Every table of the database — users and Ferry's bookkeeping — as the server prints its rows. */
  async function everything(): Promise<Record<string, string[]>> {
    const { rows: tables } = await db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    const out: Record<string, string[]> = {};
    for (const { name } of tables) {
      const { rows } = await db.query<{ row: string }>(`SELECT t::text AS row FROM public.${name} AS t ORDER BY 1`);
      out[name] = rows.map((r) => r.row);
    }
    return out;
  }

  async function usersTable(): Promise<string[]> {
    return (await everything())['users'] ?? [];
  }

  it('dry run: counts and diffs as a real run gets them, and not one row of any table changes', async () => {
    await seededProject();
    const before = await everything();
    const result = runFerry(['run', 'upsert.yaml', '--dry-run', '--json', '--examples', '2'], { cwd: p.dir });
    expect(result.code, result.stderr).toBe(0);
    expectUpsertDryRun(result.stdout);
    expect(await everything()).toEqual(before);
    const { report: real } = p.run('upsert.yaml');
    expect(real.summary).toMatchObject({ total: 151, inserted: 50, updated: 99, unchanged: 0, rejected: 2 });
  });

  it('rollback restores the exact previous table after an upsert with metadata merge that was killed and resumed', async () => {
    await seededProject();
    const previous = await usersTable();
    const job = crashAndResumeUpsert(p);
    expect(await usersTable()).not.toEqual(previous);

    const rollback = runFerry(['jobs', 'rollback', job, '--json'], { cwd: p.dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect((JSON.parse(rollback.stdout) as JobReportJson).summary).toMatchObject({ total: 149, updated: 149, rejected: 0 });
    expect(await usersTable()).toEqual(previous);
    expect(rollback.stdout + rollback.stderr).not.toContain(server().password);
  });

  it('rollback refuses, listing them, where a later job changed rows, and puts everything back with --force', async () => {
    await seededProject();
    const previous = await usersTable();
    const { report } = p.run('upsert.yaml');
    p.write('later.json', [{ email: 'user201@example.com', nickname: 'later' }]);
    p.write('later.yaml', 'source: { file: later.json }\ntarget: { connection: users, upsert: true }\n');
    expect(p.run('later.yaml').report.summary.updated).toBe(1);
    const afterLater = await usersTable();

    const refused = runFerry(['jobs', 'rollback', report.job], { cwd: p.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      '1 row(s) it wrote were changed by a later job or another writer since:\n  row 2 email="user201@example.com": changed since',
    );
    expect(await usersTable()).toEqual(afterLater);

    const forced = runFerry(['jobs', 'rollback', report.job, '--force', '--json'], { cwd: p.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(await usersTable()).toEqual(previous);
  });
});
