import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColumnInfo, ColumnType } from '../../src/connections/types.js';
import { QueryError, compileQuery } from '../../src/query/compile-query.js';
import { registerQueryFunctions } from '../../src/connections/sqlite/read.js';

const column = (name: string, type: ColumnType): ColumnInfo => ({
  name,
  type,
  nullable: name !== 'user_id',
  primaryKey: name === 'user_id',
  unique: name === 'user_id',
});

/** Built by hand, as introspection of the built-in users table would report it. */
const COLUMNS: ColumnInfo[] = [
  column('user_id', 'text'),
  column('email', 'text'),
  column('email_verified', 'boolean'),
  column('given_name', 'text'),
  column('family_name', 'text'),
  column('nickname', 'text'),
  column('logins_count', 'integer'),
  column('created_at', 'timestamp'),
  column('user_metadata', 'json'),
  column('app_metadata', 'json'),
];

type Row = [string, string | null, number | null, string, string | null, string | null, number | null, string | null, object | null, object | null];

// prettier-ignore
const USERS: Row[] = [
  ['u01', 'alice@example.com', 1, 'Alice', 'Smith', 'ali', 42, '2024-01-15T10:00:00.000Z', { plan: 'pro', score: 7.5, newsletter: true }, { roles: { admin: true }, tier: 3 }],
  ['u02', 'Bob@Example.com', 0, 'Bob', 'Jones', 'bobby', 0, '2024-03-01T00:00:00.000Z', { plan: 'free', score: 2, newsletter: false }, { roles: { admin: false } }],
  ['u03', 'carol@example.org', 1, 'Carol', null, null, 10, '2024-12-31T23:59:59.999Z', { plan: 'pro', tags: ['beta'] }, null],
  ['u04', 'dave@example.com', null, 'Dave', "O'Brien", 'dave', 5, '2023-12-31T23:59:59Z', { plan: null }, {}],
  ['u05', 'eve@example.net', 1, 'Ève', 'Müller', 'évé', 100, '2025-01-01T00:00:00.000Z', { plan: 'Pro' }, { roles: { admin: 'true' } }],
  ['u06', 'frank%@example.com', 0, 'Frank', null, 'frank_50', 50, '2024-06-15T12:00:00+02:00', { plan: 'team', score: '7.5' }, { tier: '3' }],
  ['u07', 'grace@example.com', 1, 'Grace', 'Hopper', "x' OR '1'='1", 7, '2024-02-29T08:00:00.000Z', { plan: 'pro', address: { city: 'Zürich', zip: '8001' } }, { roles: { admin: true, editor: true } }],
  ['u08', 'heidi@example.com', 1, '李', '王', '小明', 3, '2024-07-04T00:00:00.000Z', { plan: 'enterprise', score: 10 }, { roles: { editor: true } }],
  ['u09', null, 0, 'Ivan', 'Petrov', '"; DROP TABLE users; --', 1, '2022-05-05T05:05:05.000Z', null, null],
  ['u10', 'judy@example.com', 1, 'Judy', 'Smith', 'judy', null, null, { plan: 'free', score: -1 }, { tier: 1 }],
  ['u11', 'ken_x@example.com', 1, 'Ken', 'Adams', 'ken', 15, '2024-01-01T00:00:00.000Z', { plan: 'pro', score: 0 }, {}],
  ['u12', 'laura@example.com', 1, 'Laura', 'Smith-Jones', '%', 20, '2024-12-31T00:00:00.000Z', { plan: 'pro ', newsletter: 'yes' }, { tier: 2 }],
  ['u13', 'mallory@evil.test', 0, 'Mallory', null, 'mal?', 999, '2024-05-05T00:00:00.000Z', { plan: 'free' }, { roles: { admin: true } }],
  ['u14', 'niaj@example.com', 1, 'Niaj', 'Zed', 'nick name', 8, '2024-08-08T08:08:08.008Z', { plan: 'pro', score: 8 }, { tier: 2 }],
  ['u15', 'olivia@example.com', 1, 'Olivia', 'Brown', 'liv', 30, '2023-06-01T00:00:00.000Z', { nested: { deep: { flag: true } } }, {}],
  ['u16', 'peggy@example.com', 0, 'Peggy', 'Brown', 'back\\slash', 12, '2024-10-10T10:10:10.000Z', { plan: 'team', score: 5.5 }, { roles: { admin: false } }],
  ['u17', 'trent@example.com', 1, 'Trent', 'Smith', 'trent', 60, '2024-11-11T11:11:11.000Z', { plan: 'pro', score: 9, newsletter: true }, { tier: 3 }],
  ['u18', 'victor@example.com', null, 'Victor', null, null, 0, '2024-09-09T09:09:09.000Z', {}, null],
  ['u19', 'walter@example.com', 1, 'Walter', 'White', 'heisenberg', 25, '2024-01-31T23:00:00.000Z', { plan: 'free', score: 3 }, { roles: { admin: null } }],
  ['u20', 'zoe@example.com', 0, 'Zoë', 'Ångström', 'zoe', 2, '2024-04-01T00:00:00.000Z', { plan: 'pro', score: 7.5 }, { tier: 3, roles: {} }],
];

const ALL_IDS = USERS.map(([id]) => id);
/** `'u01 u17'` → ['u01', 'u17']: keeps the expectation tables readable. */
const ids = (list: string): string[] => list.split(' ').filter(Boolean);
const allExcept = (list: string): string[] => ALL_IDS.filter((id) => !ids(list).includes(id));

let dir: string;
let db: Database.Database;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-query-'));
  db = new Database(join(dir, 'users.db'));
  // As the SQLite connection does for the queries it runs.
  registerQueryFunctions(db);
  db.exec(`CREATE TABLE users (
    user_id TEXT PRIMARY KEY, email TEXT, email_verified INTEGER, given_name TEXT, family_name TEXT,
    nickname TEXT, logins_count INTEGER, created_at TEXT, user_metadata TEXT, app_metadata TEXT)`);
  const insert = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const row of USERS) {
    const [um, am] = [row[8], row[9]];
    insert.run(...row.slice(0, 8), um === null ? null : JSON.stringify(um), am === null ? null : JSON.stringify(am));
  }
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function matchingIds(query: string): string[] {
  const { sql, params } = compileQuery(query, COLUMNS, 'sqlite');
  return db
    .prepare(`SELECT user_id FROM users WHERE ${sql} ORDER BY user_id`)
    .pluck()
    .all(...params) as string[];
}

function expectRows(cases: [string, string[]][]): void {
  it.each(cases)('%s', (query, expected) => {
    expect(matchingIds(query)).toEqual(expected);
  });
}

describe('field:value and phrases', () => {
  expectRows([
    ['family_name:Smith', ids('u01 u10 u17')],
    ['family_name:smith', []],
    ['family_name:Smith-Jones', ids('u12')],
    ['family_name:"Smith-Jones"', ids('u12')],
    ['email:bob@example.com', ids('u02')],
    ['email:ALICE@EXAMPLE.COM', ids('u01')],
    ['given_name:Ève', ids('u05')],
    ['given_name:李 OR family_name:Ångström', ids('u08 u20')],
    ['nickname:"nick name"', ids('u14')],
    ["family_name:O'Brien", ids('u04')],
    ['nickname:back\\\\slash', ids('u16')],
    ['nickname:mal\\?', ids('u13')],
    ['logins_count:0', ids('u02 u18')],
  ]);
});

describe('wildcards', () => {
  expectRows([
    ['given_name:a*', ids('u01')],
    ['given_name:zo*', ids('u20')],
    ['nickname:?o*', ids('u02 u20')],
    ['nickname:mal?', ids('u13')],
    ['nickname:ma?', []],
    ['nickname:*\\?', ids('u13')],
    ['nickname:*\\\\*', ids('u16')],
    ['email:*@example.com', allExcept('u03 u05 u09 u13')],
    ['nickname:*', allExcept('u03 u18')],
  ]);
});

describe('ranges', () => {
  expectRows([
    ['logins_count:[10 TO 50]', ids('u01 u03 u06 u11 u12 u15 u16 u19')],
    ['logins_count:{10 TO 50}', ids('u01 u11 u12 u15 u16 u19')],
    ['logins_count:[10 TO 50}', ids('u01 u03 u11 u12 u15 u16 u19')],
    ['logins_count:{10 TO 50]', ids('u01 u06 u11 u12 u15 u16 u19')],
    ['logins_count:[100 TO *]', ids('u05 u13')],
    ['logins_count:{* TO 3}', ids('u02 u09 u18 u20')],
    ['logins_count:[* TO *]', allExcept('u10')],
    ['given_name:[A TO C]', ids('u01 u02')],
    ['family_name:[Smith TO Smith-Jones]', ids('u01 u10 u12 u17')],
  ]);
});

describe('timestamps', () => {
  expectRows([
    ['created_at:[2024-01-01 TO 2024-12-31]', ids('u01 u02 u03 u06 u07 u08 u11 u12 u13 u14 u16 u17 u18 u19 u20')],
    ['created_at:{2024-01-01 TO 2024-12-31}', ids('u01 u02 u06 u07 u08 u13 u14 u16 u17 u18 u19 u20')],
    ['created_at:2024-12-31', ids('u03 u12')],
    ['created_at:[2025-01-01 TO *]', ids('u05')],
    ['created_at:[* TO 2023-12-31]', ids('u04 u09 u15')],
    ['created_at:[2024-02-29 TO 2024-02-29]', ids('u07')],
    ['created_at:"2024-06-15T10:00:00Z"', ids('u06')],
    ['created_at:[2024-06-15T09:00 TO 2024-06-15T11:00]', ids('u06')],
    ['created_at:"2024-06-15T12:00:00+02:00"', ids('u06')],
    ['created_at:"2024-08-08T08:08:08.008Z"', ids('u14')],
    ['created_at:"2023-12-31T23:59:59Z"', ids('u04')],
  ]);
});

describe('booleans and _exists_', () => {
  expectRows([
    ['email_verified:true', ids('u01 u03 u05 u07 u08 u10 u11 u12 u14 u15 u17 u19')],
    ['email_verified:false', ids('u02 u06 u09 u13 u16 u20')],
    ['-email_verified:true', ids('u02 u04 u06 u09 u13 u16 u18 u20')],
    ['_exists_:family_name', allExcept('u03 u06 u13 u18')],
    ['NOT _exists_:nickname', ids('u03 u18')],
    ['_exists_:user_metadata.plan', allExcept('u04 u09 u15 u18')],
    ['_exists_:app_metadata.roles', ids('u01 u02 u05 u07 u08 u13 u16 u19 u20')],
    ['_exists_:app_metadata.roles.admin', ids('u01 u02 u05 u07 u13 u16')],
    ['-_exists_:user_metadata', ids('u09')],
    ['-user_metadata:*', ids('u09')],
  ]);
});

describe('JSON paths', () => {
  expectRows([
    ['user_metadata.plan:pro', ids('u01 u03 u07 u11 u14 u17 u20')],
    ['user_metadata.plan:"pro "', ids('u12')],
    ['user_metadata.plan:pro*', ids('u01 u03 u05 u07 u11 u12 u14 u17 u20')],
    ['user_metadata.plan:(free OR team)', ids('u02 u06 u10 u13 u16 u19')],
    ['app_metadata.roles.admin:true', ids('u01 u07 u13')],
    ['app_metadata.roles.admin:"true"', ids('u05')],
    ['app_metadata.roles.admin:false', ids('u02 u16')],
    ['user_metadata.score:7.5', ids('u01 u20')],
    ['user_metadata.score:"7.5"', ids('u06')],
    ['user_metadata.score:-1', ids('u10')],
    ['user_metadata.score:[5 TO 9]', ids('u01 u14 u16 u17 u20')],
    ['user_metadata.score:{* TO 2]', ids('u02 u10 u11')],
    ['app_metadata.tier:3', ids('u01 u17 u20')],
    ['user_metadata.nested.deep.flag:true', ids('u15')],
    ['user_metadata.address.city:Zürich', ids('u07')],
    ['user_metadata.address.zip:"8001"', ids('u07')],
    ['user_metadata.address.zip:8001', []],
    ['-user_metadata.newsletter:true', allExcept('u01 u17')],
  ]);
});

describe('boolean operators', () => {
  expectRows([
    ['_exists_:nickname AND user_metadata.plan:pro', ids('u01 u07 u11 u14 u17 u20')],
    ['user_metadata.plan:pro -family_name:Smith', ids('u03 u07 u11 u14 u20')],
    ['family_name:Brown OR family_name:Smith AND email_verified:false', ids('u15 u16')],
    ['family_name:Smith AND email_verified:true OR family_name:Brown', ids('u01 u10 u15 u16 u17')],
    ['(family_name:Brown OR family_name:Smith) AND email_verified:false', ids('u16')],
    ['NOT (user_metadata.plan:pro OR user_metadata.plan:free)', ids('u04 u05 u06 u08 u09 u12 u15 u16 u18')],
    ['+family_name:Brown -nickname:liv', ids('u16')],
    ['family_name:Brown AND NOT nickname:liv', ids('u16')],
    ['family_name:Brown && !nickname:liv', ids('u16')],
    ['family_name:Brown || family_name:Zed', ids('u14 u15 u16')],
    ['family_name:Brown -(nickname:liv OR logins_count:[* TO 5])', ids('u16')],
    ['family_name:(Smith Jones)', []],
    ['given_name:(A* OR B*)', ids('u01 u02')],
    ['*', ALL_IDS],
    ['*:*', ALL_IDS],
    ['', ALL_IDS],
  ]);
});

describe('injection attempts', () => {
  const tableExists = (): boolean => db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'users'`).pluck().get() === 1;

  it('matches malicious values literally, with the same SQL text and only the parameters differing', () => {
    const quote = compileQuery(`nickname:"x' OR '1'='1"`, COLUMNS, 'sqlite');
    const drop = compileQuery('nickname:"\\"; DROP TABLE users; --"', COLUMNS, 'sqlite');
    expect(drop.sql).toBe(quote.sql);
    expect(quote.params).toEqual(["x' OR '1'='1"]);
    expect(drop.params).toEqual(['"; DROP TABLE users; --']);
    expect(matchingIds(`nickname:"x' OR '1'='1"`)).toEqual(ids('u07'));
    expect(matchingIds('nickname:"\\"; DROP TABLE users; --"')).toEqual(ids('u09'));
    expect(tableExists()).toBe(true);
    expect(db.prepare('SELECT count(*) FROM users').pluck().get()).toBe(USERS.length);
  });

  it('escapes % and _ inside wildcard terms', () => {
    expect(compileQuery('nickname:%*', COLUMNS, 'sqlite').sql).toBe(compileQuery('nickname:_*', COLUMNS, 'sqlite').sql);
    expect(matchingIds('nickname:%*')).toEqual(ids('u12'));
    expect(matchingIds('nickname:_*')).toEqual([]);
    expect(matchingIds('nickname:*_*')).toEqual(ids('u06'));
    expect(matchingIds('email:*%*')).toEqual(ids('u06'));
    expect(matchingIds('nickname:%')).toEqual(ids('u12'));
  });

  it.each([
    ['email;DROP:x', 0],
    ["user_metadata.a'b:1", 14],
    ['user_metadata.plan"--:x', 0],
    ['email_verified.x:1', 0],
    ['users:x', 0],
  ])('refuses the field in %s', (query, offset) => {
    expect(() => compileQuery(query, COLUMNS, 'sqlite')).toThrow(QueryError);
    expect(() => compileQuery(query, COLUMNS, 'sqlite')).toThrow(expect.objectContaining({ offset }));
    expect(tableExists()).toBe(true);
  });
});
