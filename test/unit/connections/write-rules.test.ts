import { describe, expect, it } from 'vitest';
import { columnTypeOf } from '../../../src/connections/sqlite/schema.js';
import { generateUserId, sqliteUsersTableDdl } from '../../../src/connections/users-table.js';
import { jsonEqual } from '../../../src/plan/json-values.js';
import { sqliteDialect } from '../../../src/query/sqlite-dialect.js';
import { computedColumns, identityColumns, keyPart, mergeJson, sentence, storeRejects } from '../../../src/connections/write-rules.js';

describe('mergeJson', () => {
  it('merges objects recursively; arrays, scalars and null replace', () => {
    const stored = { a: 1, nested: { x: 1, y: { z: 1 } }, list: [1, 2], gone: 'here' };
    const incoming = { nested: { y: { w: 2 } }, list: [3], gone: null, added: [] };
    expect(mergeJson(stored, incoming)).toEqual({ a: 1, nested: { x: 1, y: { z: 1, w: 2 } }, list: [3], gone: null, added: [] });
    expect(stored).toEqual({ a: 1, nested: { x: 1, y: { z: 1 } }, list: [1, 2], gone: 'here' });
  });

  it('lets a non-object on either side win as the new value', () => {
    expect(mergeJson(null, { a: 1 })).toEqual({ a: 1 });
    expect(mergeJson([1], { a: 1 })).toEqual({ a: 1 });
    expect(mergeJson({ a: 1 }, [1])).toEqual([1]);
    expect(mergeJson({ a: 1 }, null)).toBeNull();
  });

  it('keeps a "__proto__" key as data', () => {
    const merged = mergeJson({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('sentence', () => {
  it('joins a fault and its fix as two sentences, or the fix after a lead', () => {
    expect(sentence('x is wrong', 'leave it out')).toBe('x is wrong. Leave it out');
    expect(sentence('x is wrong', 'leave it out', 'Hint: ')).toBe('x is wrong. Hint: leave it out');
  });

  it("is the wording of a row's reject of a computed or identity column", () => {
    const computed = computedColumns(['full'], 't');
    expect(storeRejects.computedColumn('full', 't').message).toBe(`${computed.fault}. L${computed.fix.slice(1)}`);
    const identity = identityColumns(['id'], 't');
    expect(storeRejects.identityColumn('id', 't').message).toBe(`${identity.fault}. L${identity.fix.slice(1)}`);
  });
});

describe('jsonEqual', () => {
  it('compares structurally, ignoring key order and undefined-valued keys', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, u: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: null }, {})).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
  });
});

describe('keyPart', () => {
  it('lower-cases email only, and treats absent, null and empty as missing', () => {
    expect(keyPart('email', 'ÉLODIE@X.io')).toBe('élodie@x.io');
    expect(keyPart('username', 'Ann')).toBe('Ann');
    expect(keyPart('id', 42)).toBe('42');
    expect([undefined, null, ''].map((v) => keyPart('email', v))).toEqual([undefined, undefined, undefined]);
  });
});

describe('generateUserId', () => {
  const now = '2026-11-21T10:15:00.000Z';
  it('is the same for the same job and row, so a replayed batch writes the same ids', () => {
    expect(generateUserId('import-a', now, 7)).toBe(generateUserId('import-a', now, 7));
    expect(generateUserId('import-a', now, 7)).not.toBe(generateUserId('import-b', now, 7));
    // Pinned: the job's start in hex ms, 6 hex of sha256("import-a"), the row in hex.
    expect(generateUserId('import-a', now, 255)).toBe(
      `ferry|${Date.parse(now).toString(16).padStart(12, '0')}${'%s'}00000000ff`.replace('%s', generateUserId('import-a', now, 0).slice(18, 24)),
    );
  });
  it('ascends with the row within a job and with the start across jobs (index-friendly), and says nothing about the user', () => {
    const ids = [1, 2, 10, 16, 1000, 65536].map((row) => generateUserId('import-a', now, row));
    expect([...ids].sort()).toEqual(ids);
    expect(generateUserId('import-b', '2026-11-22T00:00:00.000Z', 1) > generateUserId('import-a', now, 999_999)).toBe(true);
    expect(generateUserId('import-a', now, 1)).toMatch(/^ferry\|[0-9a-f]{28}$/);
  });
});

describe('SQLite types', () => {
  it.each([
    ['INTEGER', 'integer'],
    ['BIGINT', 'integer'],
    ['int', 'integer'],
    ['REAL', 'real'],
    ['DOUBLE PRECISION', 'real'],
    ['FLOAT', 'real'],
    ['NUMERIC(10,2)', 'real'],
    ['DECIMAL', 'real'],
    ['BOOLEAN', 'boolean'],
    ['bool', 'boolean'],
    ['JSON', 'json'],
    ['JSONB', 'json'],
    ['TIMESTAMP', 'timestamp'],
    ['DATETIME', 'timestamp'],
    ['DATE', 'timestamp'],
    ['TEXT', 'text'],
    ['VARCHAR(20)', 'text'],
    ['', 'text'],
    ['BLOB', 'text'],
  ])('maps %s to %s', (declared, type) => {
    expect(columnTypeOf(declared)).toBe(type);
  });

  it('declares the built-in table with types that map back, and idempotent statements', () => {
    const ddl = sqliteUsersTableDdl('users');
    expect(ddl).toHaveLength(5);
    expect(ddl.every((sql) => sql.includes('IF NOT EXISTS'))).toBe(true);
    expect(ddl[0]).toContain('"email" TEXT COLLATE NOCASE');
    // Export order indexes hold the very expression the SQLite sort compares.
    // A new name for the expression that also reads `+0200`, `t` and `z`: IF NOT EXISTS would keep an older index on the former one.
    expect(ddl[3]).toMatch(
      /^CREATE INDEX IF NOT EXISTS "users_created_at_order2" ON "users" \(\(CASE WHEN "created_at" GLOB .* THEN coalesce\(strftime\('%Y-%m-%dT%H:%M:%fZ', "created_at"\), /,
    );
    expect(ddl[3]).toBe(
      `CREATE INDEX IF NOT EXISTS "users_created_at_order2" ON "users" (${sqliteDialect.columnOperand('"created_at"', 'timestamp')}, "user_id")`,
    );
  });
});
