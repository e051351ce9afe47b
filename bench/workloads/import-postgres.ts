import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_HEADER } from '../formats.js';
import { expectSummary, ferryRun, timed, type Measured } from '../measure.js';
import { compare, skipped } from './compare.js';
import { csvPipeline } from './import-csv.js';
// The test suite's throwaway server (built with the bench: tsconfig.build.json), durable here: Ferry and its baseline pay for real commits.
import { postgresAvailable, startPostgres, type PostgresServer } from '../../test/helpers/postgres-server.js';
import { expectBetween, makeProject } from './project.js';
import { postgresUsersTableDialect } from '../../src/connections/postgres/schema.js';
import { usersTableDdl } from '../../src/connections/users-table.js';
import type { Workload, WorkloadContext } from './types.js';

const columns = CSV_HEADER.map((c) => `"${c}" text`).join(', ');

/**
 * The baseline: psql `\copy` (COPY … FROM STDIN, csv) into an unindexed staging table, then one
 * INSERT … SELECT … ON CONFLICT DO NOTHING into a table with a unique index on lower(email).
 * COPY straight into the indexed table would abort at the first duplicate.
 */
function psqlCopy(url: string, csv: string): Measured {
  const create = `CREATE TABLE users(${columns}); CREATE UNIQUE INDEX users_email ON users (lower("Email")); CREATE UNLOGGED TABLE staging(${columns});`;
  const insert = 'INSERT INTO users SELECT * FROM staging ON CONFLICT DO NOTHING';
  return timed('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', create, '-c', copyToStaging(csv), '-c', insert], { cwd: process.cwd() });
}

/** psql's `\copy` of the CSV into the table `staging`. */
function copyToStaging(csv: string): string {
  return `\\copy staging FROM '${csv.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER true)`;
}

/** Workload 1's mapping (bench/formats.ts CSV_COLUMNS) in PostgreSQL SQL, with user_id and the timestamps filled as Ferry fills them. */
const mapped: Record<string, string> = {
  user_id: `'ferry|0000000000000abcdef' || lpad(to_hex(row_number() OVER ()), 10, '0')`,
  email: 'lower("Email")',
  given_name: '"FirstName"',
  family_name: '"LastName"',
  name: `"FirstName" || ' ' || "LastName"`,
  nickname: `split_part("Email", '@', 1)`,
  email_verified: `"Verified" = 'true'`,
  user_metadata: `jsonb_build_object('plan', "Plan", 'locale', "Locale", 'tags', to_jsonb(string_to_array("Tags", ';')), 'prefs', jsonb_build_object('theme', "Theme"))`,
  app_metadata: `jsonb_build_object('source', 'bench', 'tier', "Tier")`,
  created_at: `'2026-01-01T00:00:00.000Z'`,
  updated_at: `'2026-01-01T00:00:00.000Z'`,
};

/**
 * The same-table baseline: the same `\copy` into staging, then one INSERT … SELECT of the 8 mapped
 * columns into the built-in users table created by the DDL Ferry uses (its primary key, unique email
 * and username indexes, the two export-order indexes, typed columns), skipping taken emails.
 */
function psqlCopyUsersTable(url: string, csv: string): Measured {
  const create = `${usersTableDdl('users', postgresUsersTableDialect).join(';\n')}; CREATE UNLOGGED TABLE staging(${columns});`;
  const names = Object.keys(mapped);
  const insert = `INSERT INTO users (${names.join(', ')}) SELECT ${names.map((n) => mapped[n]).join(', ')} FROM staging WHERE "Email" <> '' ON CONFLICT DO NOTHING`;
  return timed('psql', [url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', create, '-c', copyToStaging(csv), '-c', insert], { cwd: process.cwd() });
}

function psqlValue(url: string, sql: string): string {
  return timed('psql', [url, '-tA', '-c', sql], { cwd: process.cwd() }).stdout.trim();
}

/** `ferry run` of workload 1's pipeline into a new, empty database on the server. */
function ferryImport(server: PostgresServer, dir: string, database: string, csv: string): ReturnType<typeof ferryRun> {
  psqlValue(server.url('postgres'), `CREATE DATABASE ${database}`);
  makeProject(dir, { driver: 'postgres', url: server.url(database), table: 'users' }, { 'import.yaml': csvPipeline(csv, false) });
  return ferryRun(dir, 'import.yaml');
}

/**
 * Workload 5: workload 1's CSV import into PostgreSQL (a throwaway local server). Skipped, with
 * the reason, when there is no server binary or a 1,000-user import does not work.
 */
export const importPostgres: Workload = {
  id: '5',
  title: 'import CSV → PostgreSQL, 8 JSONata columns, insert',
  baseline: 'psql \\copy + INSERT … ON CONFLICT DO NOTHING',
  sameTableBaseline: 'psql \\copy into staging + INSERT … SELECT into the users table',
  async run(ctx: WorkloadContext) {
    const found = postgresAvailable();
    if (!found.ok) return skipped(ctx, this, found.reason);
    const server = await startPostgres({ durable: true });
    try {
      const problem = probe(ctx, server);
      if (problem !== undefined) return skipped(ctx, this, problem);
      const data = ctx.data(['csv']);
      const { expected } = data;
      const csv = data.files.csv!;
      return await compare(ctx, this, ctx.records, {
        ferry: (round) => {
          const run = ferryImport(server, join(ctx.work, `ferry-${round}`), `ferry_${round}`, csv);
          expectSummary(run.report, { total: expected.total, inserted: expected.valid, rejected: expected.invalid });
          rmSync(join(ctx.work, `ferry-${round}`), { recursive: true, force: true });
          return run;
        },
        baseline: (round) => {
          psqlValue(server.url('postgres'), `CREATE DATABASE baseline_${round}`);
          const run = psqlCopy(server.url(`baseline_${round}`), csv);
          expectBetween('rows copied', Number(psqlValue(server.url(`baseline_${round}`), 'SELECT count(*) FROM users')), expected.valid, expected.total);
          return run;
        },
        sameTable: (round) => {
          psqlValue(server.url('postgres'), `CREATE DATABASE same_table_${round}`);
          const run = psqlCopyUsersTable(server.url(`same_table_${round}`), csv);
          expectBetween('rows copied', Number(psqlValue(server.url(`same_table_${round}`), 'SELECT count(*) FROM users')), expected.valid, expected.total);
          return run;
        },
      });
    } finally {
      await server.stop();
    }
  },
};

/** Why a 1,000-user import into PostgreSQL fails, or undefined when the driver works. */
function probe(ctx: WorkloadContext, server: PostgresServer): string | undefined {
  const small = ctx.data(['csv'], 1000);
  try {
    const run = ferryImport(server, join(ctx.work, 'probe'), 'probe', small.files.csv!);
    expectSummary(run.report, { inserted: small.expected.valid, rejected: small.expected.invalid });
    return undefined;
  } catch (err) {
    return `a 1,000-user import failed (${String(err instanceof Error ? err.message : err).split('\n')[0]})`;
  }
}
