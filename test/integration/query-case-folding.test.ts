import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/connections/types.js';
import { compileQuery, type DialectName } from '../../src/query/compile-query.js';
import { describePostgres, usePostgresDatabase, usePostgresServer } from '../helpers/describe-postgres.js';

/**
 * A case-insensitive query term (a wildcard, or the email column) finds the same rows on SQLite and
 * PostgreSQL: A–Z fold, every other letter matches exactly. Before, SQLite folded A–Z only and
 * PostgreSQL every letter by its locale, so `given_name:élo*` found Élodie on one and not the other,
 * and so did `email:ÉLODIE@…`, Greek with its final sigma, and the Turkish İ.
 */

const text = (name: string): ColumnInfo => ({ name, type: 'text', nullable: name !== 'id', primaryKey: name === 'id', unique: name === 'id' });
const COLUMNS = [text('id'), text('email'), text('given_name')];

// prettier-ignore
const ROWS: [string, string, string][] = [
  ['p1', 'élodie@example.com', 'Élodie'],
  ['p2', 'ÉLODIE@example.com', 'élodie'],
  ['p3', 'Elodie@example.com', 'ELODIE'],
  ['p4', 'σας@example.gr', 'ΣΑΣ'],
  ['p5', 'ΣΑΣ@example.gr', 'σας'],
  ['p6', 'İpek@example.tr', 'İpek'],
  ['p7', 'ipek@example.tr', 'ipek'],
  ['p8', 'IPEK@example.tr', 'ıpek'],
  ['p9', 'владимир@example.ru', 'Владимир'],
];

const QUERIES: [string, string[]][] = [
  ['given_name:élo*', ['p2']],
  ['given_name:Élo*', ['p1']],
  ['given_name:elo*', ['p3']],
  ['email:ÉLODIE@EXAMPLE.COM', ['p2']],
  ['email:élodie@example.com', ['p1']],
  ['email:elodie@EXAMPLE.com', ['p3']],
  ['given_name:σα*', ['p5']],
  ['given_name:ΣΑ*', ['p4']],
  ['email:ΣΑΣ@example.gr', ['p5']],
  ['given_name:ipe*', ['p7']],
  ['given_name:İpe*', ['p6']],
  ['email:ipek@example.tr', ['p7', 'p8']],
  ['email:İPEK@example.tr', ['p6']],
  ['given_name:влад*', []],
  ['given_name:Влад*', ['p9']],
  ['email:ВЛАДИМИР@example.ru', []],
];

let dir: string;
let sqlite: Database.Database;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-query-fold-'));
  sqlite = new Database(join(dir, 'people.db'));
  sqlite.exec('CREATE TABLE people (id TEXT PRIMARY KEY, email TEXT, given_name TEXT)');
  const insert = sqlite.prepare('INSERT INTO people VALUES (?, ?, ?)');
  for (const row of ROWS) insert.run(...row);
});

afterAll(() => {
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

function where(query: string, dialect: DialectName) {
  return compileQuery(query, COLUMNS, dialect);
}

describePostgres('case-insensitive query terms', () => {
  const server = usePostgresServer();
  const db = usePostgresDatabase(server, 'DROP TABLE IF EXISTS people; CREATE TABLE people (id text PRIMARY KEY, email text, given_name text)');

  it.each(QUERIES)('%s finds the same rows on SQLite and PostgreSQL', async (query, expected) => {
    for (const row of ROWS) await db.raw.query('INSERT INTO people VALUES ($1, $2, $3)', row);
    const onSqlite = where(query, 'sqlite');
    const sqliteIds = sqlite
      .prepare(`SELECT id FROM people WHERE ${onSqlite.sql} ORDER BY id`)
      .pluck()
      .all(...onSqlite.params);
    const onPostgres = where(query, 'postgres');
    const postgresIds = (await db.raw.query<{ id: string }>(`SELECT id FROM people WHERE ${onPostgres.sql} ORDER BY id`, onPostgres.params)).rows.map(
      (r) => r.id,
    );
    expect({ sqlite: sqliteIds, postgres: postgresIds }).toEqual({ sqlite: expected, postgres: expected });
  });
});
