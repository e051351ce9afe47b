import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runFerry, runFerryAsync } from '../helpers/cli.js';
import { describePostgres, usePostgresServer, usersConnectionYaml } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry jobs rollback` when the PostgreSQL server goes away during its read-only check pass: the
 * driver's words were of "restoring the rows" and a batch "tried up to retry.max_attempts times",
 * though nothing was restored and nothing retried.
 */
const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('rollback check pass with the database down', () => {
  const server = usePostgresServer({ passwordEnv });
  let p: TestProject;
  let job: string;
  let database: string;

  beforeEach(async () => {
    database = await server().createDatabase();
    p = new TestProject();
    p.write('ferry.yaml', usersConnectionYaml(server(), database, passwordEnv));
    p.write('users.json', [{ email: 'ada@example.com' }, { email: 'alan@example.com' }]);
    p.write('import.yaml', 'source: { file: users.json }\ntarget: { connection: users }\n');
    job = p.run('import.yaml').report.job;
  });

  afterEach(() => p.cleanup());

  /** Until a session of Ferry's (application_name ferry) opened since `since` is on the server: not the import's, ending. */
  async function untilFerryConnected(since: Date): Promise<void> {
    const raw = await rawClient(server().url(database));
    try {
      for (let waited = 0; waited < 6000; waited += 100) {
        const { rows } = await raw.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'ferry' AND backend_start >= $1", [since]);
        if (rows.length > 0) return;
        await sleep(100);
      }
      throw new Error('ferry jobs rollback did not connect within 6 s');
    } finally {
      await raw.end();
    }
  }

  const expectCheckFailed = (stderr: string): void => {
    expect(stderr).toContain(`cannot roll back job ${job}: [connection:postgres] `);
    expect(stderr).toContain(`Nothing was restored: run ferry jobs rollback ${job} again once the database answers`);
    expect(stderr).not.toMatch(/restoring the rows|retry\.max_attempts/);
    expect(stderr).not.toContain(server().password);
  };

  it('says the check could not read the table when the server stops during the check', async () => {
    // The check waits before its first chunk, connected (its session open): the server stops meanwhile.
    const started = new Date();
    const rollback = runFerryAsync(['jobs', 'rollback', job], { cwd: p.dir, env: { FERRY_FAILPOINTS: 'rollback-check=pause:8000' } });
    await untilFerryConnected(started);
    await server().pause();
    const refused = await rollback.finally(() => server().resume());
    expect(refused.code, refused.stderr).toBe(1);
    expectCheckFailed(refused.stderr);
    expect(refused.stderr).toContain(`reading the rows job ${job} wrote, to check them before any change: `);
    // Once the server is back, the same command rolls the job back.
    const again = runFerry(['jobs', 'rollback', job, '--json'], { cwd: p.dir });
    expect(again.code, again.stderr).toBe(0);
  });

  it('says the same when the server is down before the check connects', async () => {
    await server().pause();
    let refused;
    try {
      refused = runFerry(['jobs', 'rollback', job], { cwd: p.dir });
    } finally {
      await server().resume();
    }
    expect(refused.code, refused.stderr).toBe(1);
    expectCheckFailed(refused.stderr);
  });
});
