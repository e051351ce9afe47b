import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteOrderIndexUpgrade, sqliteUsersTableDdl } from '../../src/connections/users-table.js';
import { TestProject } from '../helpers/project.js';

/**
 * A users table made by an earlier Ferry holds its order indexes on the former timestamp
 * expression (`…_order`), which no query uses any more: the first job that writes to it builds the
 * current ones (`…_order2`) and drops those. A table another tool made keeps its own indexes.
 */
const FORMER = (column: string) => `CREATE INDEX "users_${column}_order" ON "users" (strftime('%Y-%m-%dT%H:%M:%fZ', "${column}"), "user_id")`;
const IMPORT = 'source: { file: users.json }\ntarget: { connection: users, key: [email], upsert: true }\n';
const EXPORT = "source: { connection: users, query: '*', sort: { by: created_at, order: desc } }\ntarget: { file: out/users.csv }\ncolumns: { email: email }\n";

describe('SQLite order indexes of a users table made before order2', () => {
  let p: TestProject;
  beforeEach(() => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: users.db, table: users }\n');
    p.write('users.json', [{ email: 'new@x.io', created_at: '2024-06-01T00:00:00.000Z' }]);
    p.write('import.yaml', IMPORT);
    p.write('export.yaml', EXPORT);
  });
  afterEach(() => p.cleanup());

  const indexes = (): Record<string, string> => {
    const db = new Database(join(p.dir, 'users.db'), { readonly: true });
    const rows = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
    db.close();
    return Object.fromEntries(rows.map((r) => [r.name, r.sql]));
  };
  const store = (ddl: string[]): void => {
    const db = new Database(join(p.dir, 'users.db'));
    ddl.forEach((sql) => db.exec(sql));
    const insert = db.prepare('INSERT INTO users (user_id, email, created_at) VALUES (?, ?, ?)');
    insert.run('u1', 'old@x.io', '2020-01-01T00:00:00.000Z');
    insert.run('u2', 'odd@x.io', '2022-03-04T05:06:07+0200'); // another tool's spelling
    db.close();
  };

  it('the first import rebuilds them under the current name; exports sort the same before and after', () => {
    const table = sqliteUsersTableDdl('users').filter((sql) => !sql.includes('_order2'));
    store([...table, FORMER('created_at'), FORMER('updated_at')]);
    expect(Object.keys(indexes())).toEqual(expect.arrayContaining(['users_created_at_order', 'users_updated_at_order']));
    expect(p.run('export.yaml').code).toBe(0);
    expect(readFileSync(join(p.dir, 'out/users.csv'), 'utf8')).toBe('email\r\nodd@x.io\r\nold@x.io\r\n');

    expect(p.run('import.yaml').report.summary.inserted).toBe(1);
    const after = indexes();
    expect(Object.keys(after)).not.toContain('users_created_at_order');
    expect(Object.keys(after)).not.toContain('users_updated_at_order');
    const { create } = sqliteOrderIndexUpgrade('users');
    expect(create.map((sql) => sql.replace('IF NOT EXISTS ', ''))).toEqual([after['users_created_at_order2'], after['users_updated_at_order2']]);
    expect(p.run('export.yaml').code).toBe(0);
    expect(readFileSync(join(p.dir, 'out/users.csv'), 'utf8')).toBe('email\r\nnew@x.io\r\nodd@x.io\r\nold@x.io\r\n');
  });

  it('an export alone changes nothing (it only reads)', () => {
    store([...sqliteUsersTableDdl('users').filter((sql) => !sql.includes('_order2')), FORMER('created_at')]);
    expect(p.run('export.yaml').code).toBe(0);
    expect(Object.keys(indexes())).toContain('users_created_at_order');
    expect(Object.keys(indexes())).not.toContain('users_created_at_order2');
  });

  it("a users table another tool made, without Ferry's indexes, gets none", () => {
    store(sqliteUsersTableDdl('users').filter((sql) => !sql.includes('INDEX')));
    expect(p.run('import.yaml').report.summary.inserted).toBe(1);
    expect(Object.keys(indexes()).filter((name) => name.includes('_order'))).toEqual([]);
  });
});
