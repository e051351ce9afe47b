import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Expected } from '../generate.js';
import { expectSummary, ferryRun, timed, type Measured } from '../measure.js';
import { compare } from './compare.js';
import { expectBetween, makeProject, quoted, sqliteValue } from './project.js';
import type { Workload, WorkloadContext } from './types.js';
import { expectUsersTableRows, sqliteImportNdjsonUsersTable } from './users-table-baseline.js';

/** The stored fields of a bench user file, in the baseline table's column order. */
const FIELDS = ['email', 'email_verified', 'given_name', 'family_name', 'name', 'nickname', 'user_metadata', 'app_metadata', 'created_at'];

/** Workload 3's Ferry side (also how workload 4 fills its table): identity mapping, `schema: user`. */
export function ferryImportNdjson(dir: string, file: string, expected: Expected): Measured {
  const pipeline = { name: 'bench-import-ndjson', source: { file }, target: { connection: 'users', key: ['email'] }, validate: { schema: 'user' } };
  makeProject(dir, 'users.db', { 'import.yaml': pipeline });
  const run = ferryRun(dir, 'import.yaml');
  expectSummary(run.report, { total: expected.total, inserted: expected.valid, rejected: expected.invalid });
  return run;
}

/**
 * The baseline loads NDJSON with the sqlite3 CLI alone: `.import` in ascii mode with newline as
 * the row separator puts each line in a one-column table untouched, then one INSERT parses every
 * line with json_extract into the same fields, skipping lines that are not JSON and emails
 * already present (the case-insensitive unique index), as Ferry's rejects do.
 */
function sqliteImportNdjson(db: string, file: string): Measured {
  const columns = FIELDS.map((f) => `${f}${f === 'email' ? ' TEXT COLLATE NOCASE' : ''}`).join(', ');
  const create = `CREATE TABLE users(${columns}); CREATE UNIQUE INDEX users_email ON users(email); CREATE TABLE lines(line TEXT);`;
  const extract = FIELDS.map((f) => `json_extract(line, '$.${f}')`).join(', ');
  const insert = `INSERT OR IGNORE INTO users SELECT ${extract} FROM lines WHERE json_valid(line);`;
  return timed('sqlite3', [db, '-cmd', create, '.mode ascii', '.separator "\\037" "\\n"', `.import ${quoted(file)} lines`, insert], { cwd: process.cwd() });
}

export const importNdjson: Workload = {
  id: '3',
  title: 'import NDJSON → SQLite, identity mapping',
  baseline: 'sqlite3 .import lines + json_extract',
  sameTableBaseline: 'the same into the users table',
  async run(ctx: WorkloadContext) {
    const data = ctx.data(['ndjson']);
    const file = data.files.ndjson!;
    const { expected } = data;
    return compare(ctx, this, ctx.records, {
      ferry: (round) => {
        const dir = join(ctx.work, `ferry-${round}`);
        const run = ferryImportNdjson(dir, file, expected);
        rmSync(dir, { recursive: true, force: true });
        return run;
      },
      baseline: (round) => {
        const db = join(ctx.work, `baseline-${round}.db`);
        const run = sqliteImportNdjson(db, file);
        expectBetween(`rows in ${db}`, Number(sqliteValue(db, 'SELECT count(*) FROM users')), expected.valid, expected.total);
        rmSync(db, { force: true });
        return run;
      },
      sameTable: (round) => {
        const db = join(ctx.work, `same-table-${round}.db`);
        const run = sqliteImportNdjsonUsersTable(db, file);
        expectUsersTableRows(db, expected.valid, expected.total);
        rmSync(db, { force: true });
        return run;
      },
    });
  },
};
