import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgres } from '../../src/connections/postgres/open.js';
import { sqliteConnection } from '../../src/connections/sqlite.js';
import type { Connection, PageCursor, ReadSort } from '../../src/connections/types.js';
import { describePostgres, usePostgresServer } from '../helpers/describe-postgres.js';
import { rawClient } from '../helpers/postgres-raw.js';

/**
 * Differential test of the query language: one set of hostile users, written byte for byte into a
 * SQLite store and a PostgreSQL one, and many queries run against both. Each query must select the
 * same users on both stores, and where the meaning is simple to state, the users a reader of the
 * query language expects (an independent predicate over the users' JavaScript values). And every
 * sort, paged as an export pages it (in pages of 1 to 3, between planned cursors), reads each of a
 * query's users once, as one unpaged read, with ties and hostile values in the sort key.
 */

interface User {
  id: string;
  email?: string;
  given_name?: string;
  nickname?: string;
  email_verified?: boolean;
  logins_count?: bigint;
  last_login?: string;
  /** JSON text, written as is (so numbers beyond a double's precision reach the stores exactly). */
  user_metadata?: string;
  app_metadata?: string;
  /** A JSON column holding an array (or a value, or an object): matched as a whole, `mfa_factors:totp`. */
  mfa_factors?: string;
}

const NAMES = [
  'ß',
  'SS',
  'ss',
  'İstanbul',
  'istanbul',
  'ISTANBUL',
  'ıi',
  'ΣΑΣ',
  'σας',
  'ς',
  '\u00e9lodie',
  'e\u0301lodie',
  'Élodie',
  '😀',
  '👨‍👩‍👧',
  '',
  ' ',
  ' lead',
  'trail ',
  'tab\there',
  '100%',
  'a_b',
  'axb',
  'back\\slash',
  'star*',
  'q?',
  "it's",
  'say "hi"',
  'new\nline',
  'AND',
  'OR',
  'NOT',
  'TO',
  '*',
  'true',
  '1e308',
  '-0',
  'null',
  'a:b',
  'Bob',
  'bob',
  'b',
  'bo',
  'bobby',
  '~',
  '(x)',
  '[y]',
  '{z}',
];

const METADATA = [
  '{"n": 1e308}',
  '{"n": -0}',
  '{"n": 0.30000000000000004}',
  '{"n": 0.3}',
  '{"n": 9007199254740993}',
  '{"n": 9007199254740992}',
  '{"n": 18446744073709551616}',
  '{"n": 0.10000000000000000001}',
  '{"n": 1E2}',
  '{"n": "5"}',
  '{"n": 5}',
  '{"n": 5.0}',
  '{"n": true}',
  '{"n": "true"}',
  '{"n": null}',
  '{}',
  '{"a.b": 1}',
  '{"a b": 1}',
  '{"a": {"b": 1}}',
  '{"a": {"b": "1"}}',
  '{"a": {"b": [1]}}',
  '{"tags": ["x", "y"]}',
  '{"tags": "x"}',
  '{"n": 10}',
  '{"n": 9}',
  '{"n": 1.5}',
  '{"n": 100}',
  '{"n": -1e-7}',
  '{"s": ""}',
  '{"s": " "}',
  '{"s": "x"}',
  '{"s": "X"}',
  '{"s": "%"}',
  '{"s": "_"}',
  '{"s": "\\\\"}',
  '{"s": "ß"}',
  '{"s": "😀"}',
  '{"s": "e\\u0301"}',
  '{"s": "\\u00e9"}',
  '{"s": "2024-01-15"}',
  '{"s": "10"}',
  '{"s": "9"}',
  '{"s": "null"}',
  '{"s": null}',
  '{"s": {"t": 1}}',
  '{"s": ["x"]}',
  '{"n": [5]}',
  '{"n": {"m": 5}}',
  '{"d": "2024-01-15T10:00:00Z"}',
  '{"Plan": "pro", "plan": "Pro"}',
  '{"tags": []}',
  '{"tags": [null]}',
  '{"tags": ["X", 5, true, null, {"t": 1}, ["z"], "y*"]}',
  '{"n": [1, 20]}',
  '{"n": [7, "7", 0.10000000000000000001]}',
  '{"s": ["ß", "", "zz"]}',
  '{"n": [[5]]}',
  '{"s": [{"x": 1}]}',
];

/** app_metadata of other users: roles as an array, a value, nothing, an array of others. */
const ROLES = [
  '{"roles": ["dev", "Admin"]}',
  '{"roles": "admin"}',
  '{"roles": []}',
  '{"roles": ["admin", "dev"]}',
  '{"roles": [["admin"]]}',
  '{"roles": [null, "adm"]}',
];

/** A whole JSON column's documents. */
const FACTORS = ['["totp", "sms"]', '"totp"', '[]', '{"type": "totp"}', '["sms"]', '[null]', '[3, 12]', 'null'];

const LOGINS = [0n, -1n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), 10n, 9n, 100n];

const INSTANTS = [
  '2024-01-15T10:00:00Z',
  '2024-01-15T10:00:00.000Z',
  '2024-01-15T10:00:00.000123Z',
  '2024-01-15T12:00:00+02:00',
  '2024-01-15T00:00:00Z',
  '2024-01-14T23:59:59.999999Z',
  '2024-01-16T00:00:00Z',
  '2024-01-15T23:59:59.999Z',
  '1000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999Z',
  '1970-01-01T00:00:00Z',
  '2024-02-29T12:00:00Z',
  '2023-12-31T23:00:00-01:00',
  '2024-01-15 10:00:00',
  '2024-01-15T10:00',
  '2024-01-15T10:00:00.123456789Z',
  '2024-01-15T09:59:59.9999995Z',
  '2024-01-15',
  // As other tools write them, and PostgreSQL reads them: offsets without a colon or minutes, lower-case t and z.
  '2024-01-15T12:00:00+0200',
  '2024-01-15t10:00:00z',
  '2024-01-15T13:00+03',
  '2024-01-15T12:00:00.000123+0200',
  '2024-01-15 08:00:00 -0200',
  '2024-01-14T22:30:00-0200',
  '2024-01-15T01:00:00.5+0130',
  '2024-01-15 10:00:00+00',
  '2024-01-15T10:00:00 utc',
];

/** Every user: a name, a metadata document, a count and an instant each from the lists above, cycling at different rates. */
function buildUsers(): User[] {
  const users: User[] = [];
  const count = Math.max(NAMES.length, METADATA.length) + 6;
  for (let i = 0; i < count; i++) {
    const user: User = { id: `u${String(i).padStart(3, '0')}` };
    // Some users leave a column out (NULL), so missing, null and empty stay apart.
    if (i % 7 !== 3) user.given_name = NAMES[i % NAMES.length]!;
    if (i % 5 !== 1) user.nickname = NAMES[(i * 7 + 3) % NAMES.length]!;
    if (i % 6 !== 2) user.email = `${['u', 'U', 'ü', 'Ü', 'i', 'İ'][i % 6]}${i}@x.io`;
    if (i % 4 !== 0) user.email_verified = i % 3 === 0;
    if (i % 3 !== 1) user.logins_count = LOGINS[i % LOGINS.length]!;
    if (i % 8 !== 5) user.last_login = INSTANTS[i % INSTANTS.length]!;
    if (i < METADATA.length) user.user_metadata = METADATA[i]!;
    if (i % 9 === 4) user.app_metadata = '{"roles": ["admin"], "org": {"id": "acme", "size": 12}}';
    if (i % 9 === 6) user.app_metadata = ROLES[Math.floor(i / 9) % ROLES.length]!;
    if (i % 4 === 1) user.mfa_factors = FACTORS[(i >> 2) % FACTORS.length]!;
    users.push(user);
  }
  return users;
}

const USERS = buildUsers();

type Expect = (u: User) => boolean;
/** The stored instants that are 2024-01-15T10:00:00.000000Z, as PostgreSQL reads them (digits beyond the microseconds rounded). */
const AT_TEN = new Set([
  '2024-01-15T10:00:00Z',
  '2024-01-15T10:00:00.000Z',
  '2024-01-15T12:00:00+02:00',
  '2024-01-15 10:00:00',
  '2024-01-15T10:00',
  '2024-01-15T09:59:59.9999995Z',
  '2024-01-15T12:00:00+0200',
  '2024-01-15t10:00:00z',
  '2024-01-15T13:00+03',
  '2024-01-15 08:00:00 -0200',
  '2024-01-15 10:00:00+00',
  '2024-01-15T10:00:00 utc',
]);
const meta = (u: User): Record<string, unknown> | undefined =>
  u.user_metadata === undefined ? undefined : (JSON.parse(u.user_metadata) as Record<string, unknown>);
/** The values of a metadata key as Elasticsearch reads them: an array's elements, or the value itself. */
const valuesOf = (u: User, key: string): unknown[] => {
  const value = meta(u)?.[key];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
};
const some = (u: User, key: string, test: (value: unknown) => boolean): boolean => valuesOf(u, key).some(test);
/** The key holds a value: not JSON null, and an array with at least one element that is not null. */
const holds = (u: User, key: string): boolean => some(u, key, (v) => v !== null);
/** app_metadata.roles as Elasticsearch reads it: an array's elements (one level), or the value itself. */
const roles = (u: User): unknown[] => {
  const value = u.app_metadata === undefined ? undefined : (JSON.parse(u.app_metadata) as Record<string, unknown>)['roles'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
};
/** The mfa_factors column's values: its array's elements, or the document itself. */
const factors = (u: User): unknown[] => {
  const value: unknown = u.mfa_factors === undefined ? undefined : JSON.parse(u.mfa_factors);
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
};
/**
 * A stored instant as PostgreSQL reads it, in microseconds since 1970 (digits beyond them rounded):
 * `T`, `t` or a space; seconds and a fraction optional; a zone Z, z, UTC, ±HH, ±HHMM or ±HH:MM, maybe after a space.
 */
function micros(text: string | undefined): number {
  const parts =
    text === undefined ? null : /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)? ?([Zz]|[+-]\d\d(?::?\d\d)?|[Uu][Tt][Cc])?$/.exec(text);
  if (!parts) return NaN;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', fraction = '', zone = 'Z'] = parts;
  const digits = zone.slice(1).replace(':', '');
  const offset = /^(z|utc)$/i.test(zone) ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  const whole = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) - offset * 60_000;
  return whole * 1000 + Math.round(Number(`0.${fraction || '0'}`) * 1e6);
}
const ms = (text: string | undefined): number => micros(text) / 1000;
/** LIKE as Ferry documents it: `*` any run, `?` one code point, A–Z folded on both sides, nothing else folded. */
function wildcard(pattern: string): (value: unknown) => boolean {
  const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const source = [...fold(pattern)].map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const re = new RegExp(`^${source}$`, 'u');
  return (value) => typeof value === 'string' && re.test(fold(value));
}

/** A query and the users it means, or null where only the two stores' agreement is checked. */
const CASES: [string, Expect | null][] = [
  // exact text
  ['given_name:ß', (u) => u.given_name === 'ß'],
  ['given_name:SS', (u) => u.given_name === 'SS'],
  ['given_name:"\u00e9lodie"', (u) => u.given_name === '\u00e9lodie'],
  ['given_name:"e\u0301lodie"', (u) => u.given_name === 'e\u0301lodie'],
  ['given_name:""', (u) => u.given_name === ''],
  ['given_name:" "', (u) => u.given_name === ' '],
  ['given_name:"trail "', (u) => u.given_name === 'trail '],
  ['given_name:trail', (u) => u.given_name === 'trail'],
  ['given_name:😀', (u) => u.given_name === '😀'],
  ['given_name:"100%"', (u) => u.given_name === '100%'],
  ['given_name:100%', (u) => u.given_name === '100%'],
  ['given_name:a_b', (u) => u.given_name === 'a_b'],
  ['given_name:back\\\\slash', (u) => u.given_name === 'back\\slash'],
  ['given_name:star\\*', (u) => u.given_name === 'star*'],
  ['given_name:q\\?', (u) => u.given_name === 'q?'],
  ["given_name:it's", (u) => u.given_name === "it's"],
  ['given_name:"say \\"hi\\""', (u) => u.given_name === 'say "hi"'],
  ['given_name:"new\nline"', (u) => u.given_name === 'new\nline'],
  ['given_name:"AND"', (u) => u.given_name === 'AND'],
  ['given_name:\\AND', (u) => u.given_name === 'AND'],
  ['given_name:a\\:b', (u) => u.given_name === 'a:b'],
  ['given_name:\\(x\\)', (u) => u.given_name === '(x)'],
  ['given_name:\\*', (u) => u.given_name === '*'],
  ['given_name:"*"', (u) => u.given_name === '*'],
  ['given_name:true', (u) => u.given_name === 'true'],
  ['given_name:1e308', (u) => u.given_name === '1e308'],
  ['given_name:\\-0', (u) => u.given_name === '-0'],
  ['given_name:null', (u) => u.given_name === 'null'],
  ['given_name:bob', (u) => u.given_name === 'bob'],
  // wildcards
  ['given_name:*', (u) => u.given_name !== undefined],
  ['given_name:?', (u) => wildcard('?')(u.given_name)],
  ['given_name:??', (u) => wildcard('??')(u.given_name)],
  ['given_name:b*', (u) => wildcard('b*')(u.given_name)],
  ['given_name:B*', (u) => wildcard('b*')(u.given_name)],
  ['given_name:*b', (u) => wildcard('*b')(u.given_name)],
  ['given_name:*o*', (u) => wildcard('*o*')(u.given_name)],
  ['given_name:b?b', (u) => wildcard('b?b')(u.given_name)],
  ['given_name:*\\**', (u) => typeof u.given_name === 'string' && u.given_name.includes('*')],
  ['given_name:*\\?', (u) => typeof u.given_name === 'string' && u.given_name.endsWith('?')],
  ['given_name:*%', (u) => typeof u.given_name === 'string' && u.given_name.endsWith('%')],
  ['given_name:*_*', (u) => typeof u.given_name === 'string' && u.given_name.includes('_')],
  ['given_name:*\\\\*', (u) => typeof u.given_name === 'string' && u.given_name.includes('\\')],
  ['given_name:ß*', (u) => wildcard('ß*')(u.given_name)],
  ['given_name:s*', (u) => wildcard('s*')(u.given_name)],
  ['given_name:i*', (u) => wildcard('i*')(u.given_name)],
  ['given_name:İ*', (u) => wildcard('İ*')(u.given_name)],
  ['given_name:σ*', (u) => wildcard('σ*')(u.given_name)],
  ['given_name:*ς', (u) => wildcard('*ς')(u.given_name)],
  ['given_name:e*', (u) => wildcard('e*')(u.given_name)],
  ['given_name:é*', (u) => wildcard('é*')(u.given_name)],
  ['given_name:?lodie', (u) => wildcard('?lodie')(u.given_name)],
  ['given_name:??lodie', (u) => wildcard('??lodie')(u.given_name)],
  ['given_name:?', (u) => wildcard('?')(u.given_name)],
  ['given_name:*\\ *', (u) => typeof u.given_name === 'string' && u.given_name.includes(' ')],
  ['given_name:*line', (u) => wildcard('*line')(u.given_name)],
  ['given_name:tab*', (u) => wildcard('tab*')(u.given_name)],
  ['email:U1*', (u) => wildcard('u1*')(u.email)],
  ['email:ü*', (u) => wildcard('ü*')(u.email)],
  ['email:Ü*', (u) => wildcard('Ü*')(u.email)],
  ['email:İ*', (u) => wildcard('İ*')(u.email)],
  ['email:U1@X.IO', (u) => u.email?.toLowerCase() === 'u1@x.io'],
  ['email:"u7@x.io"', (u) => u.email?.replace(/[A-Z]/g, (c) => c.toLowerCase()) === 'u7@x.io'],
  ['email:ü8@x.io', (u) => u.email === 'ü8@x.io'],
  // ranges over text
  ['given_name:[a TO z]', (u) => typeof u.given_name === 'string' && u.given_name >= 'a' && u.given_name <= 'z'],
  ['given_name:{a TO z}', (u) => typeof u.given_name === 'string' && u.given_name > 'a' && u.given_name < 'z'],
  ['given_name:[* TO b]', (u) => typeof u.given_name === 'string' && u.given_name <= 'b'],
  ['given_name:{b TO *]', (u) => typeof u.given_name === 'string' && u.given_name > 'b'],
  ['given_name:["" TO " "]', (u) => typeof u.given_name === 'string' && u.given_name <= ' '],
  ['given_name:[ß TO ς]', null],
  ['given_name:[😀 TO *]', null],
  ['given_name:[\u00e9 TO *]', null],
  ['given_name:[e TO f}', null],
  ['nickname:[* TO *]', (u) => u.nickname !== undefined],
  // numbers
  ['logins_count:0', (u) => u.logins_count === 0n],
  ['logins_count:-0', (u) => u.logins_count === 0n],
  ['logins_count:\\-1', (u) => u.logins_count === -1n],
  ['logins_count:[10 TO *]', (u) => u.logins_count !== undefined && u.logins_count >= 10n],
  ['logins_count:{9 TO 100}', (u) => u.logins_count !== undefined && u.logins_count > 9n && u.logins_count < 100n],
  ['logins_count:[* TO 5}', (u) => u.logins_count !== undefined && u.logins_count < 5n],
  ['logins_count:[-1 TO 1]', (u) => u.logins_count !== undefined && u.logins_count >= -1n && u.logins_count <= 1n],
  ['logins_count:[1e1 TO 1e2]', (u) => u.logins_count !== undefined && u.logins_count >= 10n && u.logins_count <= 100n],
  ['logins_count:[0.5 TO 9.5]', (u) => u.logins_count !== undefined && u.logins_count >= 1n && u.logins_count <= 9n],
  ['logins_count:[9007199254740992 TO *]', (u) => u.logins_count !== undefined && u.logins_count >= 2n ** 53n],
  ['logins_count:[1e308 TO *]', (u) => false && u.logins_count !== undefined],
  ['logins_count:*', (u) => u.logins_count !== undefined],
  // one-sided ranges, as Elasticsearch writes them
  ['logins_count:>10', (u) => u.logins_count !== undefined && u.logins_count > 10n],
  ['logins_count:>=10', (u) => u.logins_count !== undefined && u.logins_count >= 10n],
  ['logins_count:<0', (u) => u.logins_count !== undefined && u.logins_count < 0n],
  ['logins_count:<=0', (u) => u.logins_count !== undefined && u.logins_count <= 0n],
  ['logins_count:(>=1 AND <100)', (u) => u.logins_count !== undefined && u.logins_count >= 1n && u.logins_count < 100n],
  ['given_name:>m', (u) => typeof u.given_name === 'string' && u.given_name > 'm'],
  ['given_name:<=B', (u) => typeof u.given_name === 'string' && u.given_name <= 'B'],
  ['given_name:\\>m', (u) => u.given_name === '>m'],
  ['user_metadata.n:>5', (u) => some(u, 'n', (v) => typeof v === 'number' && v > 5)],
  ['user_metadata.n:<="5"', (u) => some(u, 'n', (v) => typeof v === 'string' && v <= '5')],
  ['last_login:>2024-01-15', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 16)],
  ['last_login:<2024-01-15', (u) => ms(u.last_login) < Date.UTC(2024, 0, 15)],
  ['last_login:>="2024-01-15T10:00:00.000123Z"', (u) => micros(u.last_login) >= Date.UTC(2024, 0, 15, 10) * 1000 + 123],
  // booleans
  ['email_verified:true', (u) => u.email_verified === true],
  ['email_verified:false', (u) => u.email_verified === false],
  ['-email_verified:true', (u) => u.email_verified !== true],
  ['NOT email_verified:false', (u) => u.email_verified !== false],
  ['_exists_:email_verified', (u) => u.email_verified !== undefined],
  // JSON paths
  ['user_metadata.n:5', (u) => some(u, 'n', (v) => v === 5)],
  ['user_metadata.n:"5"', (u) => some(u, 'n', (v) => v === '5')],
  ['user_metadata.n:5.0', (u) => some(u, 'n', (v) => v === 5)],
  ['user_metadata.n:0', (u) => some(u, 'n', (v) => v === 0)],
  ['user_metadata.n:\\-0', (u) => some(u, 'n', (v) => v === 0)],
  ['user_metadata.n:1e308', (u) => some(u, 'n', (v) => v === 1e308)],
  ['user_metadata.n:0.3', (u) => some(u, 'n', (v) => v === 0.3)],
  ['user_metadata.n:0.30000000000000004', (u) => some(u, 'n', (v) => v === 0.30000000000000004)],
  ['user_metadata.n:9007199254740992', (u) => u.user_metadata === '{"n": 9007199254740992}'],
  ['user_metadata.n:true', (u) => some(u, 'n', (v) => v === true)],
  ['user_metadata.n:"true"', (u) => some(u, 'n', (v) => v === 'true')],
  ['user_metadata.n:null', (u) => some(u, 'n', (v) => v === 'null')],
  ['user_metadata.n:[5 TO 10]', (u) => some(u, 'n', (v) => typeof v === 'number' && v >= 5 && v <= 10)],
  ['user_metadata.n:{5 TO *]', null],
  ['user_metadata.n:[* TO 0]', (u) => some(u, 'n', (v) => typeof v === 'number' && v <= 0)],
  ['user_metadata.n:[-1e-7 TO -1e-7]', (u) => some(u, 'n', (v) => v === -1e-7)],
  ['user_metadata.n:[1e300 TO *]', null],
  ['user_metadata.n:[1e19 TO *]', null],
  ['user_metadata.n:100', null],
  ['user_metadata.n:1e2', null],
  ['user_metadata.n:[0.1 TO 0.2]', null],
  // Exact decimals, as jsonb keeps them: 0.10000000000000000001 is the double 0.1, not the number 0.1.
  ['user_metadata.n:0.1', (u) => false && u.id === ''],
  ['user_metadata.n:{0.1 TO 0.2]', (u) => /0\.10000000000000000001/.test(u.user_metadata ?? '')],
  ['user_metadata.n:[* TO 0.1}', (u) => some(u, 'n', (v) => typeof v === 'number' && v < 0.1)],
  ['user_metadata.n:[0.1 TO 0.1]', (u) => false && u.id === ''],
  ['user_metadata.n:>=9007199254740992', (u) => /"n": (9007199254740992|9007199254740993|18446744073709551616|1e308)}/.test(u.user_metadata ?? '')],
  ['user_metadata.n:>9007199254740992', (u) => /"n": (9007199254740993|18446744073709551616|1e308)}/.test(u.user_metadata ?? '')],
  ['user_metadata.n:1.8446744073709552e19', (u) => false && u.id === ''],
  ['user_metadata.n:<1.8446744073709552e19', null],
  ['user_metadata.n:[a TO z]', null],
  ['user_metadata.n:[0 TO z]', null],
  ['user_metadata.n:*', (u) => holds(u, 'n')],
  ['_exists_:user_metadata.n', (u) => holds(u, 'n')],
  ['-_exists_:user_metadata.n', (u) => !holds(u, 'n')],
  ['user_metadata.n:5*', null],
  ['user_metadata.n.m:5', (u) => u.user_metadata === '{"n": {"m": 5}}'],
  ['user_metadata.s:""', (u) => some(u, 's', (v) => v === '')],
  ['user_metadata.s:" "', (u) => some(u, 's', (v) => v === ' ')],
  ['user_metadata.s:x', (u) => some(u, 's', (v) => v === 'x')],
  ['user_metadata.s:X*', (u) => some(u, 's', wildcard('x*'))],
  ['user_metadata.s:*', (u) => holds(u, 's')],
  ['user_metadata.s:?', (u) => some(u, 's', wildcard('?'))],
  ['user_metadata.s:\\%', (u) => some(u, 's', (v) => v === '%')],
  ['user_metadata.s:\\_', (u) => some(u, 's', (v) => v === '_')],
  ['user_metadata.s:\\\\', (u) => some(u, 's', (v) => v === '\\')],
  ['user_metadata.s:*\\\\*', (u) => some(u, 's', (v) => typeof v === 'string' && v.includes('\\'))],
  ['user_metadata.s:"e\u0301"', (u) => some(u, 's', (v) => v === 'e\u0301')],
  ['user_metadata.s:\u00e9', (u) => some(u, 's', (v) => v === '\u00e9')],
  ['user_metadata.s:ß', (u) => some(u, 's', (v) => v === 'ß')],
  ['user_metadata.s:😀', (u) => some(u, 's', (v) => v === '😀')],
  ['user_metadata.s:10', (u) => some(u, 's', (v) => v === 10)],
  ['user_metadata.s:"10"', (u) => some(u, 's', (v) => v === '10')],
  ['user_metadata.s:[1 TO 9]', null],
  ['user_metadata.s:["1" TO "9"]', (u) => some(u, 's', (v) => typeof v === 'string' && v >= '1' && v <= '9')],
  ['user_metadata.n:["5" TO "5"]', (u) => some(u, 'n', (v) => v === '5')],
  ['user_metadata.n:[5 TO "5"]', (u) => some(u, 'n', (v) => v === '5')],
  ['user_metadata.s:["" TO *]', (u) => some(u, 's', (v) => typeof v === 'string')],
  ['user_metadata.s:[2024-01-01 TO 2024-12-31]', null],
  ['user_metadata.s:null', (u) => some(u, 's', (v) => v === 'null')],
  ['user_metadata.s.t:1', (u) => u.user_metadata === '{"s": {"t": 1}}'],
  ['user_metadata.a.b:1', (u) => u.user_metadata === '{"a": {"b": 1}}' || u.user_metadata === '{"a": {"b": [1]}}'],
  ['user_metadata.a.b:"1"', (u) => u.user_metadata === '{"a": {"b": "1"}}'],
  ['user_metadata.a.b:*', (u) => /"a": \{"b"/.test(u.user_metadata ?? '')],
  ['user_metadata.tags:x', (u) => some(u, 'tags', (v) => v === 'x')],
  ['user_metadata.tags:*', (u) => holds(u, 'tags')],
  ['user_metadata.plan:pro', (u) => false && u.id === ''],
  ['user_metadata.Plan:pro', (u) => /"Plan"/.test(u.user_metadata ?? '')],
  ['user_metadata.d:[2024-01-01 TO *]', null],
  ['user_metadata.d:2024*', null],
  ['app_metadata.org.id:acme', (u) => u.app_metadata?.includes('acme') === true],
  ['app_metadata.org.size:[10 TO 20]', (u) => u.app_metadata?.includes('acme') === true],
  // arrays: any element matches, as in Elasticsearch's query_string
  ['app_metadata.roles:admin', (u) => roles(u).includes('admin')],
  ['app_metadata.roles:"admin"', (u) => roles(u).includes('admin')],
  ['app_metadata.roles:adm*', (u) => roles(u).some(wildcard('adm*'))],
  ['app_metadata.roles:a?m*', (u) => roles(u).some(wildcard('a?m*'))],
  ['app_metadata.roles:[b TO e]', (u) => roles(u).some((r) => typeof r === 'string' && r >= 'b' && r <= 'e')],
  ['app_metadata.roles:>=admin', (u) => roles(u).some((r) => typeof r === 'string' && r >= 'admin')],
  ['app_metadata.roles:*', (u) => roles(u).some((r) => r !== null)],
  ['_exists_:app_metadata.roles', (u) => roles(u).some((r) => r !== null)],
  ['-app_metadata.roles:admin', (u) => !roles(u).includes('admin')],
  ['app_metadata.roles:admin AND app_metadata.roles:dev', (u) => roles(u).includes('admin') && roles(u).includes('dev')],
  ['app_metadata.roles:(admin OR Admin)', (u) => roles(u).includes('admin') || roles(u).includes('Admin')],
  ['user_metadata.tags:X', (u) => some(u, 'tags', (v) => v === 'X')],
  ['user_metadata.tags:x*', (u) => some(u, 'tags', wildcard('x*'))],
  ['user_metadata.tags:y\\*', (u) => some(u, 'tags', (v) => v === 'y*')],
  ['user_metadata.tags:[A TO a]', (u) => some(u, 'tags', (v) => typeof v === 'string' && v >= 'A' && v <= 'a')],
  ['user_metadata.tags:{"" TO "y"}', (u) => some(u, 'tags', (v) => typeof v === 'string' && v > '' && v < 'y')],
  ['user_metadata.s:>=ß', (u) => some(u, 's', (v) => typeof v === 'string' && v >= 'ß')],
  ['user_metadata.tags:5', (u) => some(u, 'tags', (v) => v === 5)],
  ['user_metadata.tags:true', (u) => some(u, 'tags', (v) => v === true)],
  ['user_metadata.tags:z', (u) => some(u, 'tags', (v) => v === 'z')],
  ['user_metadata.tags.t:1', (u) => false && u.id === ''],
  ['-user_metadata.tags:*', (u) => !holds(u, 'tags')],
  ['user_metadata.n:{1 TO 20}', (u) => some(u, 'n', (v) => typeof v === 'number' && v > 1 && v < 20)],
  ['user_metadata.n:7', (u) => some(u, 'n', (v) => v === 7)],
  ['user_metadata.n:"7"', (u) => some(u, 'n', (v) => v === '7')],
  ['user_metadata.s:[a TO zz]', (u) => some(u, 's', (v) => typeof v === 'string' && v >= 'a' && v <= 'zz')],
  ['user_metadata.s:""', (u) => some(u, 's', (v) => v === '')],
  ['user_metadata.s.x:1', (u) => false && u.id === ''],
  // Wildcard terms of one OR on one value: matched as one list of patterns on PostgreSQL.
  ['user_metadata.s:(X* OR ?)', (u) => some(u, 's', (v) => wildcard('x*')(v) || wildcard('?')(v))],
  ['user_metadata.s:(*\\\\* OR ß* OR \\%)', (u) => some(u, 's', (v) => typeof v === 'string' && (v.includes('\\') || v.startsWith('ß') || v === '%'))],
  ['user_metadata.tags:(y\\** OR X? OR x*)', (u) => some(u, 'tags', (v) => typeof v === 'string' && (v.startsWith('y*') || wildcard('x*')(v)))],
  ['user_metadata.s:(%* OR _*)', (u) => some(u, 's', (v) => v === '%' || v === '_')],
  ['mfa_factors:(t* OR S*)', (u) => factors(u).some((v) => wildcard('t*')(v) || wildcard('s*')(v))],
  ['-user_metadata.s:(x* OR z*) AND user_metadata:*', (u) => u.user_metadata !== undefined && !some(u, 's', (v) => wildcard('x*')(v) || wildcard('z*')(v))],
  // Plain values of one OR on one JSON value: one list of typed JSON values on PostgreSQL.
  ['user_metadata.n:(5 OR "5" OR 1e2 OR true)', (u) => some(u, 'n', (v) => v === 5 || v === '5' || v === 100 || v === true)],
  ['user_metadata.tags:(x OR 5 OR null OR true)', (u) => some(u, 'tags', (v) => v === 'x' || v === 5 || v === 'null' || v === true)],
  [
    'user_metadata.s:("" OR " " OR ß OR "e\u0301" OR 😀 OR x* OR 10)',
    (u) => some(u, 's', (v) => ['', ' ', 'ß', 'e\u0301', '😀', 10].includes(v as string) || wildcard('x*')(v)),
  ],
  ['user_metadata.n.m:(5 OR 6) OR user_metadata.n:(7 OR \\-0)', (u) => u.user_metadata === '{"n": {"m": 5}}' || some(u, 'n', (v) => v === 7 || v === 0)],
  ['mfa_factors:(totp OR 3 OR "sms")', (u) => factors(u).some((v) => v === 'totp' || v === 3 || v === 'sms')],
  ['-app_metadata.roles:(admin OR dev)', (u) => !roles(u).some((v) => v === 'admin' || v === 'dev')],
  ['mfa_factors:totp', (u) => factors(u).includes('totp')],
  ['mfa_factors:"sms"', (u) => factors(u).includes('sms')],
  ['mfa_factors:t*', (u) => factors(u).some(wildcard('t*'))],
  ['mfa_factors:[5 TO 20]', (u) => factors(u).some((v) => typeof v === 'number' && v >= 5 && v <= 20)],
  ['mfa_factors:3', (u) => factors(u).includes(3)],
  ['-mfa_factors:totp', (u) => !factors(u).includes('totp')],
  ['_exists_:mfa_factors', (u) => u.mfa_factors !== undefined],
  ['_exists_:app_metadata', (u) => u.app_metadata !== undefined],
  ['_exists_:user_metadata', (u) => u.user_metadata !== undefined],
  ['user_metadata:*', (u) => u.user_metadata !== undefined],
  // timestamps
  ['last_login:2024-01-15', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 15) && ms(u.last_login) < Date.UTC(2024, 0, 16)],
  ['last_login:"2024-01-15T10:00:00Z"', (u) => AT_TEN.has(u.last_login ?? '')],
  ['last_login:"2024-01-15T12:00:00+02:00"', (u) => AT_TEN.has(u.last_login ?? '')],
  ['last_login:"2024-01-15 10:00"', (u) => AT_TEN.has(u.last_login ?? '')],
  ['last_login:"2024-01-15 12:00:00+02"', (u) => AT_TEN.has(u.last_login ?? '')],
  ['last_login:[* TO "2024-01-15t09:00-01"}', (u) => ms(u.last_login) < Date.UTC(2024, 0, 15, 10)],
  ['last_login:[2024-01-15 TO 2024-01-15]', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 15) && ms(u.last_login) < Date.UTC(2024, 0, 16)],
  ['last_login:{2024-01-14 TO 2024-01-16}', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 15) && ms(u.last_login) < Date.UTC(2024, 0, 16)],
  ['last_login:[2024-01-15 TO *]', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 15)],
  ['last_login:{2024-01-15 TO *]', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 16)],
  ['last_login:[* TO 2024-01-15}', (u) => ms(u.last_login) < Date.UTC(2024, 0, 15)],
  ['last_login:[* TO 0099-12-31]', (u) => ms(u.last_login) < Date.UTC(100, 0, 1)],
  ['last_login:[0001-01-01 TO *]', (u) => u.last_login !== undefined],
  ['last_login:[* TO 1000-01-01]', (u) => ms(u.last_login) < Date.UTC(1000, 0, 2)],
  ['last_login:[9999-12-31 TO *]', (u) => ms(u.last_login) >= Date.UTC(9999, 11, 31)],
  ['last_login:[2024-01-01 TO 9999-12-31]', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 1)],
  ['last_login:["2024-01-15T10:00:00.000123Z" TO "2024-01-15T10:00:00.000123Z"]', (u) => micros(u.last_login) === Date.UTC(2024, 0, 15, 10) * 1000 + 123],
  ['last_login:["2023-12-31T23:59:59Z" TO "2024-01-01T00:00:00Z"]', (u) => u.last_login === '2023-12-31T23:00:00-01:00'],
  ['last_login:"2024-01-15T10:00:00.000123Z"', (u) => micros(u.last_login) === Date.UTC(2024, 0, 15, 10) * 1000 + 123],
  ['last_login:"2024-01-15T10:00:00.000123+0000"', (u) => micros(u.last_login) === Date.UTC(2024, 0, 15, 10) * 1000 + 123],
  ['last_login:2024-01-14', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 14) && ms(u.last_login) < Date.UTC(2024, 0, 15)],
  ['last_login:"2024-01-14T23:30:00.5Z"', (u) => micros(u.last_login) === Date.UTC(2024, 0, 14, 23, 30) * 1000 + 500_000],
  ['last_login:[2024-01-15T00:00 TO 2024-01-15T01:00]', (u) => ms(u.last_login) >= Date.UTC(2024, 0, 15) && ms(u.last_login) <= Date.UTC(2024, 0, 15, 1)],
  ['last_login:2024-02-29', (u) => u.last_login?.startsWith('2024-02-29') === true],
  ['last_login:*', (u) => u.last_login !== undefined],
  ['-last_login:*', (u) => u.last_login === undefined],
  // boolean structure
  ['given_name:bob OR given_name:Bob AND nickname:*', null],
  ['(given_name:bob OR given_name:Bob) AND nickname:*', null],
  ['given_name:(bob OR Bob)', (u) => u.given_name === 'bob' || u.given_name === 'Bob'],
  ['given_name:(bob Bob)', (u) => false && u.id === ''],
  ['given_name:(b* -bob)', (u) => wildcard('b*')(u.given_name) && u.given_name !== 'bob'],
  ['given_name:(NOT bob)', (u) => u.given_name !== 'bob'],
  ['-given_name:bob', (u) => u.given_name !== 'bob'],
  ['!given_name:bob', (u) => u.given_name !== 'bob'],
  ['NOT NOT given_name:bob', (u) => u.given_name === 'bob'],
  ['+given_name:bob', (u) => u.given_name === 'bob'],
  ['-given_name:* AND -nickname:*', (u) => u.given_name === undefined && u.nickname === undefined],
  ['given_name:bob || given_name:Bob && -nickname:*', null],
  ['*:*', () => true],
  ['*', () => true],
  ['', () => true],
  ['NOT *', () => false],
  ['* AND -given_name:*', (u) => u.given_name === undefined],
  ['-(given_name:bob OR nickname:bob)', (u) => u.given_name !== 'bob' && u.nickname !== 'bob'],
  ['_exists_:given_name AND NOT given_name:""', (u) => u.given_name !== undefined && u.given_name !== ''],
];

/**
 * Queries refused where they are written: the message, and the 0-based offset validate turns into a
 * line and column. Values a double cannot hold are refused rather than compared as another number.
 */
const REFUSED: [string, RegExp, number][] = [
  ['logins_count:9007199254740993', /cannot be compared exactly/, 13],
  ['logins_count:9223372036854775807', /cannot be compared exactly/, 13],
  ['logins_count:{* TO -9223372036854775807]', /cannot be compared exactly/, 19],
  ['user_metadata.n:9007199254740993', /cannot be compared exactly/, 16],
  ['user_metadata.n:[9007199254740993 TO *]', /cannot be compared exactly/, 17],
  ['given_name:/ab/', /regular expressions/, 11],
  ['given_name:(a', /unclosed '\('/, 11],
  ['given_name:[a TO b', /expected '\]' or '}'/, 11],
  ['given_name:a AND', /expected a term after AND/, 13],
  ['given_name:a)', /unmatched '\)'/, 12],
  ['given_name:"abc', /unclosed quote/, 11],
  ['given_name:a\\', /backslash/, 12],
  ['given_name:[a b]', /expected 'TO'/, 14],
  ['given_name:a~2', /fuzzy/, 12],
  ['given_name:a^2', /boosts/, 12],
  ['given_name:a:b', /unexpected ':'/, 12],
  ['user_metadata.a\\ b:1', /invalid key "a b"/, 14],
  ['nope:1', /unknown field "nope"/, 0],
  ['logins_count:[a TO b]', /"a" is not a number/, 14],
  ['email_verified:TRUE', /expected true or false/, 15],
  ['given_name:(NOT)', /expected a term after NOT/, 12],
  ['last_login:[now-1d TO *]', /date math/, 12],
  ['last_login:2024-02-30', /is not a date/, 11],
  ['given_name:>', /expected a value after >/, 11],
  ['given_name:>= b', /expected a value after >=/, 11],
  ['given_name:<b*', /not a wildcard/, 12],
  ['logins_count:>a', /"a" is not a number/, 14],
  ['last_login:>now-1d', /date math/, 12],
  ['given_name:a' + ' AND given_name:a'.repeat(1000), /too many terms/, 12 + 17 * 999 + 5],
  ['('.repeat(101) + 'given_name:a' + ')'.repeat(101), /nests too deeply/, 100],
  ['NOT '.repeat(101) + 'given_name:a', /nests too deeply/, 400],
  ['given_name:(' + 'NOT ('.repeat(60) + 'a' + ')'.repeat(61), /nests too deeply/, 16 + 5 * 49],
  ['given_name:"' + 'x'.repeat(100_000) + '"', /too long/, 100_000],
];

async function ids(connection: Connection, query: string): Promise<string[]> {
  const rows = await connection.readPage({ query, after: null, limit: 10_000, fields: ['user_id'] });
  return rows.map((row) => String(row['user_id'])).sort();
}

describePostgres('one query selects the same hostile users on SQLite and PostgreSQL', () => {
  const server = usePostgresServer();
  let dir: string;
  let sqlite: Connection;
  let postgres: Connection;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-query-diff-'));
    sqlite = await sqliteConnection.open({ driver: 'sqlite', path: join(dir, 'users.db'), table: 'users' }, { baseDir: dir });
    await sqlite.columns();
    // A locale's collation (en-US: a < B < b), as most servers are set up: text compares in byte order all the same.
    const admin = await rawClient(server().url('postgres'));
    try {
      await admin.query(`CREATE DATABASE ferry_diff TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`);
    } finally {
      await admin.end();
    }
    const url = server().url('ferry_diff');
    postgres = await openPostgres({ driver: 'postgres', url, table: 'users', pool: 2 });
    await postgres.columns();
    const columns = [
      'user_id',
      'email',
      'given_name',
      'nickname',
      'email_verified',
      'logins_count',
      'last_login',
      'user_metadata',
      'app_metadata',
      'mfa_factors',
    ] as const;
    const values = (u: User): unknown[] => columns.map((c) => (c === 'user_id' ? u.id : (u as unknown as Record<string, unknown>)[c]));
    const db = new Database(join(dir, 'users.db'));
    try {
      const insert = db.prepare(`INSERT INTO users (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      db.transaction(() => {
        for (const u of USERS) insert.run(...values(u).map((v) => (typeof v === 'boolean' ? Number(v) : (v ?? null))));
      })();
    } finally {
      db.close();
    }
    const raw = await rawClient(url);
    try {
      // The same text as SQLite holds: timestamps without a zone would otherwise take the session's.
      await raw.query(`SET TIME ZONE 'UTC'`);
      const placeholders = columns.map((c, i) => `$${i + 1}${c.endsWith('metadata') || c === 'mfa_factors' ? '::jsonb' : ''}`).join(', ');
      for (const u of USERS) {
        await raw.query(
          `INSERT INTO users (${columns.join(', ')}) VALUES (${placeholders})`,
          values(u).map((v) => (typeof v === 'bigint' ? String(v) : (v ?? null))),
        );
      }
    } finally {
      await raw.end();
    }
  });
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(CASES)('%s', async (query, expected) => {
    const fromSqlite = await ids(sqlite, query);
    const fromPostgres = await ids(postgres, query);
    expect(fromPostgres, 'postgres = sqlite').toEqual(fromSqlite);
    if (expected) {
      expect(fromSqlite, 'as the query means').toEqual(
        USERS.filter(expected)
          .map((u) => u.id)
          .sort(),
      );
    }
  });

  it.each(REFUSED)('refuses %s', async (query, message, offset) => {
    for (const store of [sqlite, postgres]) {
      const read = store.readPage({ query, after: null, limit: 1, fields: ['user_id'] });
      await expect(read).rejects.toThrow(message);
      await expect(read).rejects.toMatchObject({ offset });
    }
  });

  it.each(['asc', 'desc'] as const)(
    'sorted by last_login %s, every instant is in order on both stores, whatever zone or case it was written with',
    async (order) => {
      const byId = new Map(USERS.map((u) => [u.id, u]));
      for (const [name, store] of [
        ['sqlite', sqlite],
        ['postgres', postgres],
      ] as const) {
        const instants = (await unpaged(store, '*', { by: 'last_login', order })).map((id) => byId.get(id)!.last_login);
        const missing = instants.findIndex((instant) => instant === undefined);
        expect(instants.slice(missing), `${name}: NULLs last, and only the users without one`).toEqual(
          USERS.filter((u) => u.last_login === undefined).map(() => undefined),
        );
        const sign = order === 'asc' ? 1 : -1;
        // Within a millisecond: SQLite's sort reads them to the millisecond.
        const misordered = instants.slice(1, missing).filter((instant, i) => sign * (micros(instant) - micros(instants[i])) < -1000);
        expect(misordered, name).toEqual([]);
      }
    },
  );

  const SORTS: (ReadSort | undefined)[] = [
    undefined,
    { by: 'given_name', order: 'asc' },
    { by: 'given_name', order: 'desc' },
    { by: 'nickname', order: 'asc' },
    { by: 'email', order: 'desc' },
    { by: 'email_verified', order: 'asc' },
    { by: 'logins_count', order: 'asc' },
    { by: 'logins_count', order: 'desc' },
    { by: 'last_login', order: 'asc' },
    { by: 'last_login', order: 'desc' },
    { by: 'user_metadata.n', order: 'asc' },
    { by: 'user_metadata.n', order: 'desc' },
    { by: 'user_metadata.s', order: 'asc' },
    { by: 'user_metadata.s', order: 'desc' },
    { by: 'app_metadata.org.size', order: 'asc' },
  ];
  const PAGED_QUERIES = ['*', 'given_name:*', '-user_metadata.n:5 AND -given_name:b*'];

  /** The rows of `query` in pages of `size` between planned cursors, as an export reads them. */
  async function paged(name: string, store: Connection, query: string, sort: ReadSort | undefined, size: number): Promise<string[]> {
    const plan = await store.planPages({ query, size, ...(sort ? { sort } : {}) });
    // Cursors travel through the plan as JSON.
    const starts = JSON.parse(JSON.stringify(plan.starts)) as (PageCursor | null)[];
    const last = JSON.parse(JSON.stringify(plan.last)) as PageCursor | null;
    const out: string[] = [];
    if (last === null) return out;
    for (const [i, after] of starts.entries()) {
      const until = starts[i + 1] ?? last;
      const rows = await store.readPage({ query, after, until, fields: ['user_id'], ...(sort ? { sort } : {}) });
      out.push(...rows.map((row) => String(row['user_id'])));
      // The store does not change: each page holds what was planned for it.
      expect(rows.length, `${name}: page ${i} of ${size}`).toBe(Math.min(size, plan.total - i * size));
    }
    expect(
      out.filter((id, i) => out.indexOf(id) !== i),
      `${name}: no row twice`,
    ).toEqual([]);
    expect(out.length, `${name}: the plan counts the rows it pages`).toBe(plan.total);
    return out;
  }

  async function unpaged(store: Connection, query: string, sort: ReadSort | undefined): Promise<string[]> {
    const rows = await store.readPage({ query, after: null, limit: 10_000, fields: ['user_id'], ...(sort ? { sort } : {}) });
    return rows.map((row) => String(row['user_id']));
  }

  it.each(SORTS.flatMap((sort) => PAGED_QUERIES.map((query) => [sort ? `${sort.by} ${sort.order}` : 'key', query, sort] as const)))(
    'pages of 1 to 3 read every row once: sorted by %s, %s',
    async (_name, query, sort) => {
      const sets: string[][] = [];
      for (const [name, store] of [
        ['postgres', postgres],
        ['sqlite', sqlite],
      ] as const) {
        const whole = await unpaged(store, query, sort);
        for (const size of [1, 2, 3]) expect(await paged(name, store, query, sort, size), `${name}, pages of ${size}`).toEqual(whole);
        sets.push([...whole].sort());
      }
      expect(sets[1], 'the same users on both stores').toEqual(sets[0]);
    },
  );
});
