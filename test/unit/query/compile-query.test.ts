import { describe, expect, it } from 'vitest';
import type { ColumnInfo, ColumnType } from '../../../src/connections/types.js';
import { QueryError, checkQuery, compileQuery } from '../../../src/query/compile-query.js';
import { MAX_QUERY_TERMS } from '../../../src/query/query-limits.js';
import { resolveQueryDates } from '../../../src/query/resolve-dates.js';
import { sqliteDialect } from '../../../src/query/sqlite-dialect.js';

const column = (name: string, type: ColumnType): ColumnInfo => ({ name, type, nullable: true, primaryKey: false, unique: false });

const COLUMNS: ColumnInfo[] = [
  column('user_id', 'text'),
  column('email', 'text'),
  column('email_verified', 'boolean'),
  column('nickname', 'text'),
  column('logins_count', 'integer'),
  column('created_at', 'timestamp'),
  column('user_metadata', 'json'),
  column('app_metadata', 'json'),
];

const sqlite = (query: string) => compileQuery(query, COLUMNS, 'sqlite');
const postgres = (query: string) => compileQuery(query, COLUMNS, 'postgres');

describe('compileQuery', () => {
  it('matches everything for *, *:* and an empty query', () => {
    for (const query of ['*', '*:*', '', '  ']) {
      expect(sqlite(query)).toEqual({ sql: '1=1', params: [] });
      expect(postgres(query)).toEqual({ sql: '1=1', params: [] });
    }
  });

  it('translates the nightly-export example', () => {
    const query = '_exists_:nickname AND user_metadata.plan:pro';
    expect(sqlite(query)).toEqual({
      sql:
        `("nickname" IS NOT NULL AND ((json_type("user_metadata", ?) = 'text' AND json_extract("user_metadata", ?) = ?)` +
        ` OR (json_type("user_metadata", ?) = 'array' AND EXISTS (SELECT 1 FROM json_each("user_metadata", ?) AS "ferry_e"` +
        ` WHERE ("ferry_e"."type" = 'text' AND "ferry_e"."value" = ?)))))`,
      params: ['$."plan"', '$."plan"', 'pro', '$."plan"', '$."plan"', 'pro'],
    });
    // PostgreSQL: an array holds the value by containment, with no subquery to plan.
    expect(postgres(query)).toEqual({
      sql:
        `("nickname" IS NOT NULL AND ((jsonb_typeof("user_metadata"::jsonb #> $1::text[]) = 'string'` +
        ` AND ("user_metadata"::jsonb #> $2::text[]) = to_jsonb($3::text))` +
        ` OR (jsonb_typeof("user_metadata"::jsonb #> $4::text[]) = 'array' AND "user_metadata"::jsonb #> $5::text[] @> jsonb_build_array(to_jsonb($6::text)))))`,
      params: [['plan'], ['plan'], 'pro', ['plan'], ['plan'], 'pro'],
    });
  });

  it('compares text exactly, and the email column case-insensitively', () => {
    expect(sqlite('nickname:"Bob Smith"')).toEqual({ sql: '"nickname" COLLATE BINARY = ?', params: ['Bob Smith'] });
    expect(postgres('nickname:Bob')).toEqual({ sql: '"nickname" = $1', params: ['Bob'] });
    expect(sqlite('email:Bob@Example.com')).toEqual({ sql: 'lower("email") COLLATE BINARY = lower(?)', params: ['Bob@Example.com'] });
    expect(postgres('email:Bob@Example.com')).toEqual({
      sql: `translate("email", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`,
      params: ['Bob@Example.com'],
    });
  });

  it('turns wildcards into a case-insensitive LIKE with %, _ and \\ escaped', () => {
    expect(sqlite('nickname:a_b%c\\\\d*e?')).toEqual({ sql: `"nickname" LIKE ? ESCAPE '\\'`, params: ['a\\_b\\%c\\\\d%e_'] });
    expect(postgres('nickname:jo*')).toEqual({
      sql: `translate(("nickname")::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') ESCAPE '\\'`,
      params: ['jo%'],
    });
  });

  it('binds booleans as 1/0 in SQLite and true/false in PostgreSQL', () => {
    expect(sqlite('email_verified:true')).toEqual({ sql: '"email_verified" = ?', params: [1] });
    expect(postgres('email_verified:false')).toEqual({ sql: '"email_verified" = $1', params: [false] });
  });

  it('translates numeric ranges, open bounds and mixed brackets', () => {
    expect(sqlite('logins_count:[10 TO 20}')).toEqual({ sql: '("logins_count" >= ? AND "logins_count" < ?)', params: [10, 20] });
    expect(postgres('logins_count:{10 TO *]')).toEqual({ sql: '"logins_count" > $1::numeric', params: [10] });
    expect(sqlite('logins_count:[* TO *]')).toEqual({ sql: '"logins_count" IS NOT NULL', params: [] });
  });

  it('makes a date-only upper bound include the whole day', () => {
    const query = 'created_at:[2024-01-01 TO 2024-12-31]';
    // SQLite: the indexed milliseconds narrow (bounds 2 ms wider), the microseconds since 1970 decide.
    const indexed = sqliteDialect.columnOperand('"created_at"', 'timestamp');
    const { sql, params } = sqlite(query);
    expect(sql.startsWith(`((${indexed} >= ? AND (CASE `)).toBe(true);
    expect(sql).toMatch(/ END\) >= \?\) AND \(\(CASE WHEN "created_at" GLOB .* <= \? AND \(CASE .* END\) < \?\)\)$/);
    expect(sql.split(indexed)).toHaveLength(3);
    expect(params).toEqual(['2023-12-31T23:59:59.998Z', 1704067200000000n, '2025-01-01T00:00:00.002Z', 1735689600000000n]);
    expect(postgres(query)).toEqual({
      sql: '("created_at" >= $1::timestamptz AND "created_at" < $2::timestamptz)',
      params: ['2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    });
    expect(postgres('created_at:{2024-01-01 TO 2024-02-01}').params).toEqual(['2024-01-02T00:00:00.000Z', '2024-02-01T00:00:00.000Z']);
    expect(postgres('created_at:"2024-06-15 12:00:00+02:00"')).toEqual({ sql: '"created_at" = $1::timestamptz', params: ['2024-06-15T10:00:00.000Z'] });
  });

  it('compares typed JSON values at nested paths, the value itself or an element of the array there', () => {
    const roles = sqlite('app_metadata.roles.admin:true');
    expect(roles.sql).toContain(`(json_type("app_metadata", ?) IN ('true', 'false') AND json_extract("app_metadata", ?) = ?) OR `);
    expect(roles.sql).toContain(`WHERE ("ferry_e"."type" IN ('true', 'false') AND "ferry_e"."value" = ?)`);
    expect(roles.params).toEqual(['$."roles"."admin"', '$."roles"."admin"', 1, '$."roles"."admin"', '$."roles"."admin"', 1]);
    const score = postgres('user_metadata.score:[5 TO *]');
    expect(score.sql).toContain(
      `(jsonb_typeof("user_metadata"::jsonb #> $1::text[]) = 'number' AND ("user_metadata"::jsonb #> $2::text[]) >= to_jsonb($3::numeric)) OR `,
    );
    // A range over an array's elements: a strict SQL/JSON path, its bounds as variables.
    expect(score.sql).toContain(
      `jsonb_path_exists("user_metadata"::jsonb #> $5::text[], 'strict $[*] ? (@.type() == "number" && @ >= $v0)'::jsonpath, jsonb_build_object('v0', to_jsonb($6::numeric)))`,
    );
    expect(sqlite('user_metadata.plan:pro*').params).toEqual(['$."plan"', '$."plan"', 'pro%', '$."plan"', '$."plan"', 'pro%']);
    // An array holds a value when one of its elements is not null: [] and [null] hold none.
    expect(sqlite('_exists_:user_metadata.a.b')).toEqual({
      sql: `(json_type("user_metadata", ?) NOT IN ('null', 'array') OR (json_type("user_metadata", ?) = 'array' AND EXISTS (SELECT 1 FROM json_each("user_metadata", ?) AS "ferry_e" WHERE "ferry_e"."type" <> 'null')))`,
      params: ['$."a"."b"', '$."a"."b"', '$."a"."b"'],
    });
    expect(sqlite('user_metadata.zip:"8001"').params).toEqual(['$."zip"', '$."zip"', '8001', '$."zip"', '$."zip"', '8001']);
  });

  it('matches a whole JSON column by its document: a value, or an element of an array', () => {
    expect(sqlite('app_metadata:admin').params).toEqual(['$', '$', 'admin', '$', '$', 'admin']);
    expect(postgres('app_metadata:admin').params).toEqual([[], [], 'admin', [], [], 'admin']);
    // _exists_ of a whole column needs no JSON read.
    expect(sqlite('_exists_:app_metadata')).toEqual({ sql: '"app_metadata" IS NOT NULL', params: [] });
  });

  it('numbers PostgreSQL placeholders left to right through operators and groups', () => {
    expect(postgres('nickname:(a OR b) -email_verified:true logins_count:1')).toEqual({
      sql: '(("nickname" = $1 OR "nickname" = $2) AND NOT COALESCE("email_verified" = $3, FALSE) AND "logins_count" = $4::numeric)',
      params: ['a', 'b', true, 1],
    });
    expect(sqlite('NOT (nickname:a OR nickname:b)')).toEqual({
      sql: 'NOT COALESCE(("nickname" COLLATE BINARY = ? OR "nickname" COLLATE BINARY = ?), FALSE)',
      params: ['a', 'b'],
    });
  });

  it('keeps the SQL text identical whatever the value', () => {
    const plain = postgres('nickname:"bob"');
    const hostile = postgres(`nickname:"x' OR '1'='1"`);
    expect(hostile.sql).toBe(plain.sql);
    expect(hostile.params).toEqual(["x' OR '1'='1"]);
  });

  it.each([
    ['email:x AND emial:y', 12, 'unknown field "emial"; known fields: user_id, email, email_verified, nickname'],
    ['email;DROP:x', 0, 'unknown field "email;DROP"'],
    ['_exists_:nope', 9, 'unknown field "nope"'],
    ["user_metadata.a'b:1", 14, 'invalid key "a\'b"'],
    ['user_metadata..plan:1', 14, 'invalid key ""'],
    ['nickname.first:x', 0, '"nickname" is a text column: only JSON columns have paths'],
    ['logins_count:abc', 13, 'logins_count holds numbers: "abc" is not a number'],
    ['logins_count:[1 TO x]', 19, '"x" is not a number'],
    ['email_verified:yes', 15, 'expected true or false'],
    ['email_verified:[false TO true]', 15, 'ranges do not apply to email_verified'],
    ['logins_count:1*', 13, 'wildcards only apply to text'],
    ['created_at:2024-02-30', 11, 'is not a date'],
    ['created_at:[2024-01-01 TO tomorrow]', 26, 'is not a date'],
  ])('rejects %j at offset %i', (query, offset, message) => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      expect(() => compileQuery(query, COLUMNS, dialect)).toThrow(QueryError);
    }
    const error = checkQuery(query, COLUMNS);
    expect(error).toBeInstanceOf(QueryError);
    expect(error?.offset).toBe(offset);
    expect(error?.message).toContain(message);
  });

  it.each([
    ['logins_count:[{last_success} TO *]', 14, '{last_success}'],
    ['logins_count:[0 TO now-1d/d]', 19, 'now-1d/d'],
  ])('quotes date math as written on a number column, not its resolved instant: %j', (query, offset, written) => {
    expect(checkQuery(query, COLUMNS)).toMatchObject({
      offset,
      field: 'logins_count',
      message: `logins_count holds numbers: date math (${written}) gives a date`,
    });
  });

  it('names the offending field on field errors', () => {
    expect(checkQuery('emial:x', COLUMNS)).toMatchObject({ field: 'emial', offset: 0 });
    expect(checkQuery('john', COLUMNS)).toMatchObject({ message: 'a term needs a field (field:value)', offset: 0 });
    expect(checkQuery('_exists_:nickname AND user_metadata.plan:pro', COLUMNS)).toBeUndefined();
  });
});

/** How deeply the SQL's parentheses nest. */
function parenthesisDepth(sql: string): number {
  let depth = 0;
  let deepest = 0;
  for (const ch of sql) {
    if (ch === '(') deepest = Math.max(deepest, ++depth);
    if (ch === ')') depth--;
  }
  return deepest;
}

const orChain = (count: number, term: (i: number) => string): string => Array.from({ length: count }, (_, i) => term(i)).join(' OR ');

describe('the SQL of a long AND/OR list', () => {
  it('stays flat up to three operands', () => {
    expect(sqlite('nickname:a OR nickname:b OR nickname:c').sql).toBe(
      '("nickname" COLLATE BINARY = ? OR "nickname" COLLATE BINARY = ? OR "nickname" COLLATE BINARY = ?)',
    );
  });

  it('is cut in halves beyond that, keeping the operands in order', () => {
    const { sql, params } = postgres('nickname:a nickname:b nickname:c nickname:d nickname:e');
    expect(sql).toBe('(("nickname" = $1 AND "nickname" = $2 AND "nickname" = $3) AND ("nickname" = $4 AND "nickname" = $5))');
    expect(params).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('nests as deep as the logarithm of its length, however many terms', () => {
    const query = orChain(MAX_QUERY_TERMS, (i) => `nickname:n${i}`);
    const { sql, params } = postgres(query);
    // SQLite parses `a OR b OR …` one level deeper per operand: what matters is the operands of one list.
    expect(parenthesisDepth(sql)).toBeLessThanOrEqual(10);
    expect(Math.max(...sql.split(/[()]/).map((list) => list.split(' OR ').length))).toBeLessThanOrEqual(3);
    expect(params).toEqual(Array.from({ length: MAX_QUERY_TERMS }, (_, i) => `n${i}`));
    expect(sql.match(/\$\d+/g)).toEqual(params.map((_, i) => `$${i + 1}`));
  });

  it('binds 9 values for a JSON range, the most a term binds: within both stores’ limits at the term limit', () => {
    // A SQLite page repeats the query in up to three parts (27,000 of 32,766); PostgreSQL binds it once (of 65,535).
    const query = orChain(MAX_QUERY_TERMS, (i) => `user_metadata.score:[${i} TO ${i + 1}]`);
    expect(sqlite(query).params).toHaveLength(9 * MAX_QUERY_TERMS);
    expect(postgres(query).params).toHaveLength(9 * MAX_QUERY_TERMS);
  });
});

describe('an escaped dot in a field name', () => {
  it('is refused inside a JSON path, at the backslash: the key "a.b" was read as the path a → b', () => {
    for (const query of ['user_metadata.a\\.b:1', '_exists_:user_metadata.a\\.b', 'user_metadata.x.a\\.b:[1 TO 2]']) {
      const error = checkQuery(query, COLUMNS);
      expect(error?.message, query).toMatch(/escaped dot \(\\\.\) would be part of a JSON key/);
      expect(error?.offset, query).toBe(query.indexOf('\\'));
    }
    // An escaped backslash before a dot is a backslash, and the dot a step: the key "a\" is refused as any other.
    expect(checkQuery('user_metadata.a\\\\.b:1', COLUMNS)?.message).toMatch(/invalid key "a\\"/);
  });

  it('names a column whose name holds a dot, as before', () => {
    const columns = [...COLUMNS, column('a.b', 'text')];
    expect(compileQuery('a\\.b:x', columns, 'sqlite')).toEqual({ sql: '"a.b" COLLATE BINARY = ?', params: ['x'] });
    expect(compileQuery('a.b:x', columns, 'sqlite')).toEqual({ sql: '"a.b" COLLATE BINARY = ?', params: ['x'] });
  });
});

describe('one-sided ranges: field:>v, >=v, <v, <=v (Elasticsearch query_string)', () => {
  it('are ranges open on the other side', () => {
    expect(sqlite('logins_count:>10')).toEqual(sqlite('logins_count:{10 TO *]'));
    expect(sqlite('logins_count:>=10')).toEqual(sqlite('logins_count:[10 TO *]'));
    expect(postgres('nickname:<m')).toEqual(postgres('nickname:[* TO m}'));
    expect(postgres('user_metadata.n:<=5')).toEqual(postgres('user_metadata.n:[* TO 5]'));
    expect(postgres('user_metadata.n:<="5"')).toEqual(postgres('user_metadata.n:[* TO "5"]'));
    expect(sqlite('created_at:>2024-01-15')).toEqual(sqlite('created_at:{2024-01-15 TO *]'));
    expect(sqlite('logins_count:(>=1 AND <5)')).toEqual(sqlite('logins_count:[1 TO *] AND logins_count:[* TO 5}'));
    // Escaped or quoted, > is text.
    expect(sqlite('nickname:\\>m').params).toEqual(['>m']);
    expect(sqlite('nickname:">m"').params).toEqual(['>m']);
  });

  it('take date math, resolved into a range when the job is planned', () => {
    const anchors = { now: '2024-03-10T12:00:00.000Z', lastSuccess: '2024-03-01T00:00:00.000Z' };
    expect(resolveQueryDates('created_at:>now-1d AND logins_count:>5', anchors)).toBe('created_at:{2024-03-09T12:00:00.000Z TO *] AND logins_count:>5');
    expect(resolveQueryDates('created_at:<=now/d', anchors)).toBe('created_at:[* TO 2024-03-11T00:00:00.000Z}');
    expect(resolveQueryDates('created_at:(>{last_success}-1h AND <now)', anchors)).toBe(
      'created_at:({2024-02-29T23:00:00.000Z TO *] AND [* TO 2024-03-10T12:00:00.000Z})',
    );
    expect(resolveQueryDates('created_at:>{last_success}', { ...anchors, lastSuccess: null })).toBe('created_at:[* TO *]');
    expect(compileQuery('created_at:>now-1d', COLUMNS, 'sqlite', anchors)).toEqual(
      compileQuery('created_at:{2024-03-09T12:00:00.000Z TO *]', COLUMNS, 'sqlite'),
    );
  });

  it('need one value right after the operator', () => {
    expect(checkQuery('nickname:>', COLUMNS)).toMatchObject({ offset: 9, message: 'nickname: expected a value after >' });
    expect(checkQuery('nickname:> m', COLUMNS)).toMatchObject({ offset: 9 });
    expect(checkQuery('nickname:>=m*', COLUMNS)).toMatchObject({ offset: 11, message: 'nickname: >= takes one value, not a wildcard' });
    expect(checkQuery('nickname:>*', COLUMNS)).toMatchObject({ offset: 9 });
  });
});
