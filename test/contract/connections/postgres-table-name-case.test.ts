import { expect, it } from 'vitest';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../../helpers/describe-postgres.js';
import { TestProject } from '../../helpers/project.js';
import { batch } from './contract-harness.js';

/**
 * A table name in ferry.yaml is taken as written, case included, as a quoted name in SQL. One whose
 * case differs from the table's (`Users` for a table made by `CREATE TABLE Users`, which PostgreSQL
 * folds to `users`) named no table, so a target created the built-in users table under that name
 * and the import went there, beside the table meant, without a word.
 */
describePostgres('postgres target named with another case than its table', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS crm CASCADE; CREATE SCHEMA crm');
  const tables = async () =>
    (await db.raw.query<{ t: string }>("SELECT schemaname || '.' || tablename AS t FROM pg_tables WHERE schemaname IN ('public', 'crm') ORDER BY 1")).rows.map(
      (r) => r.t,
    );

  it.each([
    ['Users', 'users', 'public.users'],
    ['crm.APP_USERS', 'crm.app_users', 'crm.app_users'],
  ])('%s beside %s: refused, naming the table, and nothing is created', async (configured, existing, shown) => {
    await db.raw.query(`CREATE TABLE ${existing} (email text PRIMARY KEY, name text)`);
    const before = await tables();
    const connection = await db.connect(configured);
    const refusal = new RegExp(
      `table ${configured.replace('.', '\\.')} does not exist, but ${shown.replace('.', '\\.')} does: .*Hint: set the connection's table to ${existing}$`,
    );
    await expect(connection.columns()).rejects.toThrow(refusal);
    await expect(connection.writeBatch(batch([{ email: 'a@x.io' }]))).rejects.toThrow(refusal);
    expect(await tables()).toEqual(before);
    // And validate says so at the pipeline's connection.
    const p = new TestProject();
    try {
      p.write('ferry.yaml', `connections:\n  crm: { driver: postgres, url: "${db.url}", table: ${configured} }\n`);
      p.write('pipelines/users.csv', 'email\na@x.io\n');
      p.write('pipelines/import.yaml', 'source: { file: users.csv }\ntarget: { connection: crm }\ncolumns:\n  email: email\n');
      const r = p.ferry('validate');
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(
        new RegExp(
          `pipelines/import\\.yaml:2:23 target\\.connection: connection crm: \\[connection:postgres\\] reading the columns of table [^:]*: ${refusal.source}`,
          'm',
        ),
      );
    } finally {
      p.cleanup();
    }
    expect(await tables()).toEqual(before);
  });

  it('a name no table has in any case still gets the built-in table', async () => {
    await db.raw.query('CREATE TABLE people (email text PRIMARY KEY)');
    const connection = await db.connect('Users');
    await connection.columns();
    expect(await tables()).toContain('public.Users');
  });
});
