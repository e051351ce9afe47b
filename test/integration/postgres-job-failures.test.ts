import type pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { runFerryAsync } from '../helpers/cli.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';
import { startStallingProxy, type StallingProxy } from '../helpers/stalling-proxy.js';

/**
 * Jobs into PostgreSQL that fail on the server's side: the failure names the batch as the job
 * counts them, and a server that stops answering fails the job after its retries instead of
 * hanging it, resumable once the server answers again.
 */
const passwordEnv = 'FERRY_TEST_PG_PASSWORD';

describePostgres('postgres job failures', () => {
  const server = usePostgresServer({ passwordEnv });
  let p: TestProject | undefined;
  let db: pg.Client | undefined;
  let proxy: StallingProxy | undefined;

  afterEach(async () => {
    proxy?.resume();
    await proxy?.close();
    await db?.end();
    p?.cleanup();
  });

  /** A project importing users.csv (`count` users, u1@x.io…) into app_users, through `port`, with these connection options. */
  async function project(count: number, options: { port?: number; connection?: string } = {}): Promise<TestProject> {
    const database = await server().createDatabase();
    db = await rawClient(server().url(database));
    await db.query('CREATE TABLE app_users (email text PRIMARY KEY, name text)');
    p = new TestProject();
    const url = `postgres://${server().user}:\${${passwordEnv}}@127.0.0.1:${options.port ?? server().port}/${database}`;
    p.write('ferry.yaml', `connections:\n  users: { driver: postgres, url: "${url}", table: app_users, pool: 1${options.connection ?? ''} }\n`);
    p.write('users.csv', ['email,name', ...Array.from({ length: count }, (_, i) => `u${i + 1}@x.io,U${i + 1}`)].join('\n') + '\n');
    return p;
  }

  async function run(
    project: TestProject,
    ...args: string[]
  ): Promise<{ code: number; report: { job: string; status: string; error?: { message: string; code: string; batch: number | null } } }> {
    const result = await runFerryAsync([...args, '--json'], { cwd: project.dir });
    try {
      return { code: result.code, report: JSON.parse(result.stdout) as never };
    } catch {
      throw new Error(`ferry printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
  }

  it('names the failed batch as the job counts it, not by its chunk marker id', async () => {
    const p = await project(6);
    // Not about the row (not retryable, no reject): the batch fails.
    await db?.query(`
      CREATE FUNCTION fail_u5() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.email = 'u5@x.io' THEN RAISE EXCEPTION 'internal trouble' USING ERRCODE = 'XX000'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_u5 BEFORE INSERT ON app_users FOR EACH ROW EXECUTE FUNCTION fail_u5()`);
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 2, parallelism: 1 }\nretry: { max_attempts: 1 }\n');
    const { code, report } = await run(p, 'run', 'import.yaml');
    expect(code).toBe(1);
    expect(report.error).toMatchObject({ code: 'BATCH_FAILED', batch: 2 });
    expect(report.error?.message).toMatch(/^batch 2: \[connection:postgres\] writing rows 5–6 of job \S+: internal trouble$/);
  }, 60_000);

  it('knows a statement timeout by its SQLSTATE, whatever language the server words it in', async () => {
    const p = await project(4, { connection: ', query_timeout: 1s' });
    // A server with lc_messages = de: its statement timeout, caught and raised again in German (57014 kept).
    await db?.query(`
      CREATE FUNCTION slow_u3() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.email = 'u3@x.io' THEN
          BEGIN
            PERFORM pg_sleep(5);
          EXCEPTION WHEN query_canceled THEN
            RAISE EXCEPTION USING ERRCODE = '57014', MESSAGE = 'Abbruch der Anweisung wegen Zeitüberschreitung';
          END;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER slow_u3 BEFORE INSERT ON app_users FOR EACH ROW EXECUTE FUNCTION slow_u3()`);
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 2, parallelism: 1 }\nretry: { max_attempts: 1 }\n');
    const { code, report } = await run(p, 'run', 'import.yaml');
    expect(code).toBe(1);
    expect(report.error?.message).toMatch(
      /^batch 1: \[connection:postgres\] writing rows 3–4 of job \S+: the PostgreSQL server at postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/\w+ cancelled the statement after the connection's query_timeout \(1 s\)\. Hint: another transaction may hold locks/,
    );
  }, 60_000);

  it('fails a job whose server stops answering after its retries, clearly; the resume writes each row once', async () => {
    proxy = await startStallingProxy(server().port);
    const p = await project(6, { port: proxy.port, connection: ', query_timeout: 1s, connect_timeout: 1s' });
    p.write(
      'import.yaml',
      'source: { file: users.csv }\ntarget: { connection: users }\nbatch: { size: 2, parallelism: 1 }\nretry: { max_attempts: 3, initial_interval: 100ms }\n',
    );
    // Batch 1 (u3, u4) reaches the proxy and no further: the server seems frozen from then on.
    proxy.stall('u3@x.io');
    const started = Date.now();
    const failed = await run(p, 'run', 'import.yaml');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(failed.code).toBe(1);
    expect(failed.report.error).toMatchObject({ code: 'BATCH_FAILED', batch: 1 });
    expect(failed.report.error?.message).toMatch(
      /^batch 1: \[connection:postgres\] writing rows 3–4 of job \S+: (no answer from|no session opened with) the PostgreSQL server at postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:\d+\/\w+ in 1 s\. Hint: the server or the network to it stalled, /,
    );
    expect(JSON.stringify(failed.report)).not.toContain(server().password);

    proxy.resume();
    const resumed = await run(p, 'jobs', 'resume', failed.report.job);
    expect(resumed.report.status).toBe('succeeded');
    const { rows } = await db!.query<{ email: string }>('SELECT email FROM app_users ORDER BY email');
    expect(rows.map((r) => r.email)).toEqual(['u1@x.io', 'u2@x.io', 'u3@x.io', 'u4@x.io', 'u5@x.io', 'u6@x.io']);
  }, 90_000);
});
