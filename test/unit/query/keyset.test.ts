import { describe, expect, it } from 'vitest';
import type { ColumnInfo, ColumnType } from '../../../src/connections/types.js';
import { compileQuery } from '../../../src/query/compile-query.js';
import { checkSort, cursorOf, keysetQuery, keysetScanQuery, type KeysetBase } from '../../../src/query/keyset.js';
import type { DialectName } from '../../../src/query/sql-dialect.js';
import { sqliteDialect } from '../../../src/query/sqlite-dialect.js';

const column = (name: string, type: ColumnType, nullable = true): ColumnInfo => ({
  name,
  type,
  nullable,
  primaryKey: name === 'user_id',
  unique: name === 'user_id',
});

const COLUMNS: ColumnInfo[] = [
  column('user_id', 'text', false),
  column('email', 'text'),
  column('logins_count', 'integer', false),
  column('nickname', 'text'),
  column('created_at', 'timestamp'),
  column('user_metadata', 'json'),
];
const SELECT = '"user_id", "email", "logins_count", "nickname", "created_at", "user_metadata"';

/** One part of a sorted page: its columns plus the sort value, key and part number the merge orders by. */
function part(sortValue: string, index: number, where: string, order: string, limit: number): string {
  const select = `${SELECT}, ${sortValue} AS "ferry_sort", "user_id" AS "ferry_k0", ${index} AS "ferry_part"`;
  return `SELECT * FROM (SELECT ${select} FROM "users" WHERE ${where} ORDER BY ${order} LIMIT ${limit}) AS "ferry_b${index}"`;
}

function union(parts: string[], direction: 'ASC' | 'DESC', limit: number): string {
  return `SELECT ${SELECT} FROM (${parts.join(' UNION ALL ')}) AS "ferry_page" ORDER BY "ferry_part", "ferry_sort" ${direction}, "ferry_k0" ASC LIMIT ${limit}`;
}

function base(dialect: DialectName, query = '*', extra: Partial<KeysetBase> = {}): KeysetBase {
  return { table: 'users', columns: COLUMNS, where: compileQuery(query, COLUMNS, dialect), key: ['user_id'], dialect, ...extra };
}

describe('keysetQuery', () => {
  it('orders by the key alone without a sort, and starts after the key', () => {
    expect(keysetQuery({ ...base('sqlite'), after: null, limit: 100 })).toEqual({
      sql: `SELECT ${SELECT} FROM "users" WHERE 1=1 ORDER BY "user_id" ASC LIMIT 100`,
      params: [],
    });
    expect(keysetQuery({ ...base('postgres'), after: { value: null, key: ['u5'] }, limit: 100 })).toEqual({
      sql: `SELECT ${SELECT} FROM "users" WHERE 1=1 AND "user_id" > $1 ORDER BY "user_id" ASC LIMIT 100`,
      params: ['u5'],
    });
  });

  it('reads a sorted page as index-friendly parts: the cursor’s ties, the values beyond it, then the NULLs', () => {
    const sort = { by: 'nickname', order: 'asc' as const };
    expect(keysetQuery({ ...base('sqlite'), sort, after: { value: 'bob', key: ['u2'] }, limit: 10 })).toEqual({
      sql: union(
        [
          part('"nickname"', 0, '1=1 AND "nickname" = ? AND "user_id" > ?', '"user_id" ASC', 10),
          part('"nickname"', 1, '1=1 AND "nickname" > ?', '"nickname" ASC, "user_id" ASC', 10),
          part('"nickname"', 2, '1=1 AND "nickname" IS NULL', '"user_id" ASC', 10),
        ],
        'ASC',
        10,
      ),
      params: ['bob', 'u2', 'bob'],
    });
  });

  it('puts NULLs last descending too: the first page is the values then the NULLs, a NULL cursor reads only NULLs', () => {
    const sort = { by: 'nickname', order: 'desc' as const };
    expect(keysetQuery({ ...base('postgres'), sort, after: null, limit: 10 })).toEqual({
      sql: union(
        [
          part('"nickname"', 0, '1=1 AND "nickname" IS NOT NULL', '"nickname" DESC, "user_id" ASC', 10),
          part('"nickname"', 1, '1=1 AND "nickname" IS NULL', '"user_id" ASC', 10),
        ],
        'DESC',
        10,
      ),
      params: [],
    });
    expect(keysetQuery({ ...base('sqlite'), sort, after: { value: null, key: ['u7'] }, limit: 10 })).toEqual({
      sql: `SELECT ${SELECT} FROM "users" WHERE 1=1 AND "nickname" IS NULL AND "user_id" > ? ORDER BY "user_id" ASC LIMIT 10`,
      params: ['u7'],
    });
  });

  it('leaves NULLs out for a NOT NULL column: one ordered read first, then ties and values beyond', () => {
    const sort = { by: 'logins_count', order: 'asc' as const };
    expect(keysetQuery({ ...base('sqlite'), sort, after: null, limit: 5 })).toEqual({
      sql: `SELECT ${SELECT} FROM "users" WHERE 1=1 ORDER BY "logins_count" ASC, "user_id" ASC LIMIT 5`,
      params: [],
    });
    expect(keysetQuery({ ...base('postgres'), sort, after: { value: 3, key: ['u1'] }, limit: 5 })).toEqual({
      sql: union(
        [
          part('"logins_count"', 0, '1=1 AND "logins_count" = $1 AND "user_id" > $2', '"user_id" ASC', 5),
          part('"logins_count"', 1, '1=1 AND "logins_count" > $3', '"logins_count" ASC, "user_id" ASC', 5),
        ],
        'ASC',
        5,
      ),
      params: [3, 'u1', 3],
    });
  });

  it('repeats the query in every part: bound again for SQLite’s ?, reused as $1…$n in PostgreSQL; timestamps normalised in SQLite', () => {
    const sort = { by: 'created_at', order: 'desc' as const };
    const after = { value: '2024-01-01T00:00:00.000Z', key: ['u1'] };
    const t = sqliteDialect.columnOperand('"created_at"', 'timestamp');
    expect(keysetQuery({ ...base('sqlite', 'nickname:bob'), sort, after, limit: 2 })).toEqual({
      sql: union(
        [
          part(t, 0, `"nickname" COLLATE BINARY = ? AND ${t} = ? AND "user_id" > ?`, '"user_id" ASC', 2),
          part(t, 1, `"nickname" COLLATE BINARY = ? AND ${t} < ?`, `${t} DESC, "user_id" ASC`, 2),
          part(t, 2, `"nickname" COLLATE BINARY = ? AND ${t} IS NULL`, '"user_id" ASC', 2),
        ],
        'DESC',
        2,
      ),
      params: ['bob', after.value, 'u1', 'bob', after.value, 'bob'],
    });
    expect(keysetQuery({ ...base('postgres', 'nickname:bob'), sort, after, limit: 2 })).toEqual({
      sql: union(
        [
          part('"created_at"', 0, `"nickname" = $1 AND "created_at" = $2 AND "user_id" > $3`, '"user_id" ASC', 2),
          part('"created_at"', 1, `"nickname" = $1 AND "created_at" < $4`, '"created_at" DESC, "user_id" ASC', 2),
          part('"created_at"', 2, `"nickname" = $1 AND "created_at" IS NULL`, '"user_id" ASC', 2),
        ],
        'DESC',
        2,
      ),
      params: ['bob', after.value, 'u1', after.value],
    });
  });

  it('sorts by a JSON path through path parameters, bound in text order; JSON null counts as no value', () => {
    const sort = { by: 'user_metadata.plan', order: 'asc' as const };
    const after = { value: 'pro', key: ['u3'] };
    const v = `json_extract("user_metadata", ?)`;
    const path = '$."plan"';
    expect(keysetQuery({ ...base('sqlite'), sort, after, limit: 2 })).toEqual({
      sql: union(
        [
          part(v, 0, `1=1 AND ${v} = ? AND "user_id" > ?`, '"user_id" ASC', 2),
          part(v, 1, `1=1 AND ${v} > ?`, `${v} ASC, "user_id" ASC`, 2),
          part(v, 2, `1=1 AND ${v} IS NULL`, '"user_id" ASC', 2),
        ],
        'ASC',
        2,
      ),
      params: [path, path, 'pro', 'u3', path, path, 'pro', path, path, path],
    });
    const pg = (n: number): string => `NULLIF(("user_metadata"::jsonb #> $${n}::text[]), 'null'::jsonb)`;
    expect(keysetQuery({ ...base('postgres'), sort, after, limit: 2 })).toEqual({
      sql: union(
        [
          part(pg(1), 0, `1=1 AND ${pg(2)} = $3::jsonb AND "user_id" > $4`, '"user_id" ASC', 2),
          part(pg(5), 1, `1=1 AND ${pg(6)} > $7::jsonb`, `${pg(8)} ASC, "user_id" ASC`, 2),
          part(pg(9), 2, `1=1 AND ${pg(10)} IS NULL`, '"user_id" ASC', 2),
        ],
        'ASC',
        2,
      ),
      params: [['plan'], ['plan'], '"pro"', 'u3', ['plan'], ['plan'], '"pro"', ['plan'], ['plan'], ['plan']],
    });
  });

  it('compares a composite key as a row value, and quotes a schema-qualified PostgreSQL table part by part', () => {
    const page = keysetQuery({ ...base('postgres'), table: 'crm.app_users', key: ['tenant', 'id'], after: { value: null, key: ['t1', 7] }, limit: 3 });
    expect(page).toEqual({
      sql: `SELECT ${SELECT} FROM "crm"."app_users" WHERE 1=1 AND ("tenant", "id") > ($1, $2) ORDER BY "tenant" ASC, "id" ASC LIMIT 3`,
      params: ['t1', 7],
    });
    expect(keysetQuery({ ...base('sqlite'), table: 'odd"name', key: ['rowid'], after: null, limit: 1 }).sql).toBe(
      `SELECT ${SELECT} FROM "odd""name" WHERE 1=1 ORDER BY "rowid" ASC LIMIT 1`,
    );
  });

  it('keeps injection attempts in parameters: the SQL text is the same whatever the values', () => {
    const evil = `x'); DROP TABLE users; --`;
    const sort = { by: 'nickname', order: 'asc' as const };
    const a = keysetQuery({ ...base('sqlite', `nickname:"${evil}"`), sort, after: { value: evil, key: [evil] }, limit: 1 });
    const b = keysetQuery({ ...base('sqlite', 'nickname:"plain"'), sort, after: { value: 'plain', key: ['plain'] }, limit: 1 });
    expect(a.sql).toBe(b.sql);
    expect(a.params).toEqual([evil, evil, evil, evil, evil, evil]);
  });

  it('refuses unknown sort fields, whole JSON columns, bad cursors and limits', () => {
    expect(() => keysetQuery({ ...base('sqlite'), sort: { by: 'nick', order: 'asc' }, after: null, limit: 1 })).toThrow(/unknown field "nick"/);
    expect(() => keysetQuery({ ...base('sqlite'), sort: { by: 'user_metadata', order: 'asc' }, after: null, limit: 1 })).toThrow(
      '"user_metadata" is a JSON column: sort by a key inside it (user_metadata.key)',
    );
    expect(() => keysetQuery({ ...base('sqlite'), after: { value: null, key: [] }, limit: 1 })).toThrow(/cursor has 0 key value\(s\)/);
    expect(() => keysetQuery({ ...base('sqlite'), after: null, limit: 1.5 })).toThrow(/whole number/);
    expect(checkSort('user_metadata.a b', COLUMNS)).toMatchObject({ offset: 14 });
    expect(checkSort('created_at', COLUMNS)).toBeUndefined();
  });
});

describe('keysetScanQuery', () => {
  it('selects the sort value, its exact digits and the key; SQLite binds the select list’s paths first, PostgreSQL numbers them after the query', () => {
    const sort = { by: 'user_metadata.plan', order: 'desc' as const };
    const value = 'json_extract("user_metadata", ?)';
    expect(keysetScanQuery({ ...base('sqlite', 'nickname:bob'), sort, limit: 10 })).toEqual({
      sql: `SELECT ${value}, CASE typeof(${value}) WHEN 'integer' THEN CAST(${value} AS TEXT) END, "user_id" FROM "users" WHERE "nickname" COLLATE BINARY = ? ORDER BY ${value} DESC NULLS LAST, "user_id" ASC LIMIT 10`,
      params: ['$."plan"', '$."plan"', '$."plan"', 'bob', '$."plan"'],
    });
    const pg = (n: number): string => `NULLIF(("user_metadata"::jsonb #> $${n}::text[]), 'null'::jsonb)`;
    expect(keysetScanQuery({ ...base('postgres', 'nickname:bob'), sort })).toEqual({
      sql: `SELECT ${pg(2)}, CASE WHEN jsonb_typeof(${pg(3)}) IN ('number', 'array', 'object') THEN (${pg(4)})::text END, "user_id" FROM "users" WHERE "nickname" = $1 ORDER BY ${pg(5)} DESC NULLS LAST, "user_id" ASC`,
      params: ['bob', ['plan'], ['plan'], ['plan'], ['plan']],
    });
    expect(keysetScanQuery({ ...base('postgres'), sort: { by: 'nickname', order: 'asc' } }).sql).toMatch(/^SELECT "nickname", NULL, "user_id" FROM/);
    expect(keysetScanQuery(base('sqlite'))).toEqual({ sql: 'SELECT "user_id" FROM "users" WHERE 1=1 ORDER BY "user_id" ASC', params: [] });
  });

  it('turns a scan row into a cursor, keeping the digits of a number its double does not hold', () => {
    expect(cursorOf(['pro', null, 'u1'], true)).toEqual({ value: 'pro', key: ['u1'] });
    expect(cursorOf([null, null, 'u1'], true)).toEqual({ value: null, key: ['u1'] });
    expect(cursorOf(['u1', 2], false)).toEqual({ value: null, key: ['u1', 2] });
    expect(cursorOf([5, '5', 'u1'], true)).toEqual({ value: 5, key: ['u1'] });
    expect(cursorOf([0.1, '0.1', 'u1'], true)).toEqual({ value: 0.1, key: ['u1'] });
    expect(cursorOf([2 ** 53, '9007199254740993', 'u1'], true)).toEqual({ value: 2 ** 53, exact: '9007199254740993', key: ['u1'] });
    expect(cursorOf([0.1, '0.10000000000000000001', 'u1'], true)).toEqual({ value: 0.1, exact: '0.10000000000000000001', key: ['u1'] });
  });

  it('compares a cursor with its digits: bound exactly, and two cursors of one double but other digits are not ties', () => {
    const sort = { by: 'logins_count', order: 'asc' as const };
    const after = { value: 2 ** 53, exact: '9007199254740993', key: ['u1'] };
    const sqlite = keysetQuery({ ...base('sqlite'), sort, after, limit: 2 });
    expect(sqlite.params.filter((p) => typeof p === 'bigint')).toEqual([9007199254740993n, 9007199254740993n]);
    const pg = keysetQuery({ ...base('postgres'), sort: { by: 'user_metadata.n', order: 'asc' }, after, limit: 2 });
    expect(pg.params).toContain('9007199254740993');
    // Same double, other digits: the page is the general one (after's ties, values between, until's ties), not one tie group.
    const until = { value: 2 ** 53, exact: '9007199254740995', key: ['u0'] };
    const between = keysetQuery({ ...base('sqlite'), sort, after, until });
    expect(between.params.filter((p) => typeof p === 'bigint')).toEqual([
      9007199254740993n,
      9007199254740995n,
      9007199254740993n,
      9007199254740995n,
      9007199254740995n,
      9007199254740993n,
    ]);
  });
});
