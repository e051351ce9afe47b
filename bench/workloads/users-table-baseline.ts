import { sqliteUsersTableDdl } from '../../src/connections/users-table.js';
import { CSV_HEADER } from '../formats.js';
import { timed, type Measured } from '../measure.js';
import { quoted, sqliteValue, expectBetween } from './project.js';

/**
 * The same-table baselines: the sqlite3 CLI doing the database-side work Ferry does, with nothing
 * of Ferry's bookkeeping. `.import` puts the CSV into an unindexed staging table; one
 * `INSERT … SELECT` then maps it (the 8 columns of the workloads' JSONata mapping, in SQL) into
 * the built-in users table created by the very DDL Ferry uses — its primary key, unique email and
 * username indexes and the two export-order indexes — with user_id and the timestamps filled as
 * Ferry fills them. Rows whose email is taken are skipped (ON CONFLICT), as Ferry rejects them.
 */
const staging = `CREATE TABLE staging(${CSV_HEADER.map((c) => `"${c}" TEXT`).join(', ')});`;
const now = '2026-01-01T00:00:00.000Z';

/** The mapping of bench/formats.ts CSV_COLUMNS, in SQL. Tags `a;b` → `["a","b"]`, as JSONata's $split. */
const mapped: Record<string, string> = {
  user_id: `printf('ferry|%s%010x', '0000000000000abcdef', staging.rowid)`,
  email: 'lower("Email")',
  given_name: '"FirstName"',
  family_name: '"LastName"',
  name: `"FirstName" || ' ' || "LastName"`,
  nickname: `substr("Email", 1, instr("Email", '@') - 1)`,
  email_verified: `"Verified" = 'true'`,
  user_metadata: `json_object('plan', "Plan", 'locale', "Locale", 'tags', json('["' || replace("Tags", ';', '","') || '"]'), 'prefs', json_object('theme', "Theme"))`,
  app_metadata: `json_object('source', 'bench', 'tier', "Tier")`,
  created_at: `'${now}'`,
  updated_at: `'${now}'`,
};
const names = Object.keys(mapped);
/** What an upsert may change (not user_id, email — the key — or created_at), as Ferry's rules say. */
const updatable = names.filter((n) => !['user_id', 'email', 'created_at', 'updated_at'].includes(n));

function selectMapped(): string {
  return `SELECT ${names.map((n) => mapped[n]).join(', ')} FROM staging WHERE "Email" <> '' AND true`;
}

/** Workload 1's same-table baseline: `.import` into staging, then `INSERT … SELECT` into the built-in table. */
export function sqliteImportUsersTable(db: string, csv: string): Measured {
  const create = `${sqliteUsersTableDdl('users').join(';\n')};\n${staging}`;
  const insert = `INSERT INTO users (${names.join(', ')}) ${selectMapped()} ON CONFLICT DO NOTHING;`;
  return timed('sqlite3', [db, '-cmd', create, `.import --csv --skip 1 ${quoted(csv)} staging`, insert, 'DROP TABLE staging;'], { cwd: process.cwd() });
}

/**
 * Workload 2's same-table baseline: `.import` of the changed file into staging, then one
 * `INSERT … ON CONFLICT(email) DO UPDATE` that changes only the rows that differ (updated_at with them).
 */
export function sqliteUpsertUsersTable(db: string, csv: string): Measured {
  const set = [...updatable.map((n) => `${n} = excluded.${n}`), `updated_at = '2026-01-02T00:00:00.000Z'`].join(', ');
  const differs = updatable.map((n) => `users.${n} IS NOT excluded.${n}`).join(' OR ');
  const upsert = `INSERT INTO users (${names.join(', ')}) ${selectMapped()} ON CONFLICT(email) DO UPDATE SET ${set} WHERE ${differs};`;
  return timed('sqlite3', [db, '-cmd', staging, `.import --csv --skip 1 ${quoted(csv)} staging`, upsert, 'DROP TABLE staging;'], { cwd: process.cwd() });
}

/** Rows the same-table baseline stored (see expectBaselineRows in csv-baseline.ts for why it is a range). */
export function expectUsersTableRows(db: string, valid: number, total: number): void {
  expectBetween(`rows in ${db}`, Number(sqliteValue(db, 'SELECT count(*) FROM users')), Math.floor(valid * 0.97), total);
}

/** The stored fields of a bench NDJSON user, taken as they are (user_id and updated_at filled as Ferry fills them). */
const ndjsonFields = ['email', 'email_verified', 'given_name', 'family_name', 'name', 'nickname', 'user_metadata', 'app_metadata', 'created_at'];

/**
 * Workload 3's same-table baseline: each line into a one-column table (`.import` in ascii mode),
 * then one `INSERT … SELECT json_extract(…)` into the built-in users table.
 */
export function sqliteImportNdjsonUsersTable(db: string, file: string): Measured {
  const create = `${sqliteUsersTableDdl('users').join(';\n')};\nCREATE TABLE lines(line TEXT);`;
  const extract = ndjsonFields.map((f) => (f === 'email' ? `lower(line ->> '$.email')` : `line ->> '$.${f}'`));
  const columns = ['user_id', ...ndjsonFields, 'updated_at'];
  const select = `SELECT printf('ferry|%s%010x', '0000000000000abcdef', rowid), ${extract.join(', ')}, '${now}' FROM lines WHERE json_valid(line) AND line ->> '$.email' IS NOT NULL`;
  const insert = `INSERT INTO users (${columns.join(', ')}) ${select} ON CONFLICT DO NOTHING;`;
  return timed('sqlite3', [db, '-cmd', create, '.mode ascii', '.separator "\\037" "\\n"', `.import ${quoted(file)} lines`, insert, 'DROP TABLE lines;'], {
    cwd: process.cwd(),
  });
}
