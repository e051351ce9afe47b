import { afterEach, beforeAll, expect, it } from 'vitest';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';
import { TestProject } from '../helpers/project.js';

/**
 * `ferry jobs rollback` run by a database user that row-level security binds, after a policy came
 * to hide rows the job wrote: the rollback said "deleted since" (and, for a row the job inserted,
 * nothing), and --force inserted a hidden row's old image as a second copy. It now refuses, saying
 * the rows are not visible to that user under row-level security — the check lists each such row
 * with that reason, beside the rows changed since — and changes nothing.
 */
describePostgres('rollback on a PostgreSQL table with row-level security', () => {
  const passwordEnv = 'FERRY_TEST_RLS_APP_PW';
  const server = usePostgresServer();
  const password = 'app-Rls-S3cret';
  let database = '';
  let p: TestProject | undefined;
  beforeAll(() => {
    process.env[passwordEnv] = password;
  });
  afterEach(() => p?.cleanup());

  it('the check and --force refuse, naming the rows and why, and leave the table as it is', async () => {
    database = await server().createDatabase();
    const raw = await rawClient(server().url(database));
    try {
      await raw.query(`DROP ROLE IF EXISTS rls_app; CREATE ROLE rls_app LOGIN PASSWORD '${password}'; GRANT ALL ON SCHEMA public TO rls_app;
        CREATE TABLE hide (email text); GRANT SELECT ON hide TO rls_app;
        CREATE TABLE people (email text, name text);
        INSERT INTO people VALUES ('a@x.io', 'Ann');
        ALTER TABLE people ENABLE ROW LEVEL SECURITY;
        CREATE POLICY p ON people USING (email NOT IN (SELECT email FROM hide)) WITH CHECK (true);
        GRANT ALL ON people TO rls_app`);
      p = new TestProject();
      const url = `postgres://rls_app:\${${passwordEnv}}@127.0.0.1:${server().port}/${database}`;
      p.write('ferry.yaml', `connections:\n  crm: { driver: postgres, url: "${url}", table: people }\n`);
      p.write('users.csv', 'email,name\na@x.io,Anna\nb@x.io,Bob\nc@x.io,Cy\n');
      p.write(
        'import.yaml',
        'source: { file: users.csv }\ntarget: { connection: crm, upsert: true }\nvalidate: { schema: none }\ncolumns:\n  email: email\n  name: name\n',
      );
      const { report } = p.run('import.yaml');
      expect(report.summary).toMatchObject({ inserted: 2, updated: 1 });
      // a and b hidden from rls_app from now on; c, still visible, changed by another writer.
      await raw.query("INSERT INTO hide VALUES ('a@x.io'), ('b@x.io'); UPDATE people SET name = 'Cyd' WHERE email = 'c@x.io'");
      const table = async () => (await raw.query('SELECT email, name FROM people ORDER BY email, name')).rows;
      const before = await table();
      // The check lists the hidden rows among the rows it found, each with its own reason, and --force cannot help.
      const checked = p.ferry('jobs', 'rollback', report.job);
      const said = checked.stdout + checked.stderr;
      expect(checked.code, said).toBe(1);
      expect(said).toContain(
        `cannot roll back job ${report.job}: 2 row(s) it wrote are not visible to the database user of connection crm: row-level security on table people applies to that user`,
      );
      expect(said).toContain('(and 1 other row(s) changed since)');
      expect(said).toContain(
        '  row 1 email="a@x.io": not visible under row-level security\n  row 2 email="b@x.io": not visible under row-level security\n  row 3 email="c@x.io": changed since\n',
      );
      expect(said).toContain('--force would not restore them either');
      expect(said).not.toContain(': deleted since');
      expect(said).not.toContain(password);
      // --force overrides rows changed since, not rows it cannot see: its check refuses them too, before any batch.
      const forced = p.ferry('jobs', 'rollback', report.job, '--force');
      const out = forced.stdout + forced.stderr;
      expect(forced.code, out).toBe(1);
      expect(out).toContain(`cannot roll back job ${report.job}: 2 row(s) it wrote are not visible to the database user of connection crm`);
      expect(out).toContain(
        '  row 1 email="a@x.io": not visible under row-level security\n  row 2 email="b@x.io": not visible under row-level security\nNothing',
      );
      expect(out).not.toContain('changed since');
      expect(out).not.toContain(password);
      expect(out).not.toContain('rolling back job');
      expect(await table()).toEqual(before);
      expect(before).toEqual([
        { email: 'a@x.io', name: 'Anna' },
        { email: 'b@x.io', name: 'Bob' },
        { email: 'c@x.io', name: 'Cyd' },
      ]);
    } finally {
      await raw.query('DROP OWNED BY rls_app').catch(() => undefined);
      await raw.end();
    }
  });
});
