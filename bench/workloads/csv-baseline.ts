import { CSV_HEADER } from '../formats.js';
import { timed, type Measured } from '../measure.js';
import { expectBetween, quoted, sqliteValue } from './project.js';

/**
 * The CSV baselines: the sqlite3 CLI, the fastest plain way to get a CSV into SQLite. The table
 * has the CSV's columns and, like Ferry's users table, a case-insensitive unique index on the
 * email, so both pay for the same index maintenance; nothing is mapped or validated.
 */
const columns = CSV_HEADER.map((c) => `"${c}" TEXT${c === 'Email' ? ' COLLATE NOCASE' : ''}`).join(', ');
export const createCsvTable = `CREATE TABLE users(${columns}); CREATE UNIQUE INDEX users_email ON users("Email");`;

/** Workload 1's baseline: `.import --csv` into the empty table, one sqlite3 process. */
export function sqliteImport(db: string, csv: string): Measured {
  return timed('sqlite3', [db, '-cmd', createCsvTable, `.import --csv --skip 1 ${quoted(csv)} users`], { cwd: process.cwd() });
}

/**
 * Workload 2's baseline: stage the changed file with `.import`, then one
 * `INSERT … ON CONFLICT(Email) DO UPDATE` over the full table, touching only rows that differ.
 */
export function sqliteUpsert(db: string, csv: string): Measured {
  const others = CSV_HEADER.filter((c) => c !== 'Email');
  const set = others.map((c) => `"${c}" = excluded."${c}"`).join(', ');
  const differs = others.map((c) => `users."${c}" IS NOT excluded."${c}"`).join(' OR ');
  const upsert = `INSERT INTO users SELECT * FROM incoming WHERE true ON CONFLICT("Email") DO UPDATE SET ${set} WHERE ${differs};`;
  const stage = `CREATE TABLE incoming(${columns});`;
  return timed('sqlite3', [db, '-cmd', stage, `.import --csv --skip 1 ${quoted(csv)} incoming`, upsert], { cwd: process.cwd() });
}

/**
 * Rows the baseline stored: about every row but those its unique index refused (duplicates,
 * empty emails). Not exact: at a malformed row's stray quote sqlite3's lenient reader reads on
 * into the next lines as one field, so a few rows around each are lost (~1%).
 */
export function expectBaselineRows(db: string, valid: number, total: number): void {
  expectBetween(`rows in ${db}`, Number(sqliteValue(db, 'SELECT count(*) FROM users')), Math.floor(valid * 0.97), total);
}
