import { describe, expect, it } from 'vitest';
import { usersTableColumns } from '../../../src/connections/users-table.js';
import { jsonLowerBound } from '../../../src/mapping/json-size.js';
import { createMapper, createRuleChecker, type MappingContext, type RecordMapper } from '../../../src/mapping/mapper.js';
import { prepareRecord, type RecordStep } from '../../../src/mapping/prepare-record.js';

/**
 * The per-record step runs without promises when nothing is asynchronous (compiled columns, no
 * rules) and jsonLowerBound walks one reused stack: the answers must be those of the awaited,
 * fresh-stack versions, rules still apply, and a failure is still a rejected promise.
 */
const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const types = new Map(usersTableColumns.map((c) => [c.name, c.type]));

const step = (mapper: RecordMapper, rules: { check: string; message: string }[] = []): RecordStep => ({
  mapper,
  checkRules: createRuleChecker(rules, ctx),
  schema: 'user',
  csvIdentity: false,
  types,
  table: 'users',
});

const columns = { email: '$lowercase(Email)', name: "First & ' ' & Last", user_metadata: '{"tags": $split(Tags, ";")}' };
const record = { Email: 'A@X.io', First: 'Ada', Last: 'Lovelace', Tags: 'a;b' };

describe('prepareRecord without promises', () => {
  it('maps and checks a compiled record as the awaited mapper does', async () => {
    const mapper = createMapper(columns, ctx);
    // A pause may be due (every 20 ms the mapper hands the event loop back, as a promise): the
    // record after one is synchronous.
    let direct = prepareRecord(step(mapper), record);
    for (let tries = 0; tries < 3 && direct instanceof Promise; tries++) {
      await direct;
      direct = prepareRecord(step(mapper), record);
    }
    expect(direct).not.toBeInstanceOf(Promise);
    const viaMap = await prepareRecord(step({ ...mapper, mapNow: undefined }), record);
    expect(await direct).toEqual(viaMap);
    expect(viaMap).toEqual({ values: { email: 'a@x.io', name: 'Ada Lovelace', user_metadata: { tags: ['a', 'b'] } }, errors: [] });
  });

  it('still applies validate.rules (awaited) when the job has some', async () => {
    const result = await prepareRecord(step(createMapper(columns, ctx), [{ check: "name = 'Grace Hopper'", message: 'not Grace' }]), record);
    expect(result.errors).toEqual([{ code: 'RULE', message: 'not Grace', path: '' }]);
  });

  it('gives a mapper that throws as a rejected promise, never a throw', async () => {
    const mapper = createMapper(columns, ctx);
    const failing = {
      ...mapper,
      mapNow: () => {
        throw new Error('boom');
      },
    };
    let result: unknown;
    expect(() => (result = prepareRecord(step(failing), record))).not.toThrow();
    await expect(result).rejects.toThrow('boom');
  });
});

describe('jsonLowerBound on its reused stack', () => {
  it('counts a value the same after a walk that stopped early or grew the stack wide', () => {
    const value = { a: ['xy', { b: 'zzz' }], c: 1 };
    const expected = jsonLowerBound(value, Infinity);
    // stops past room with items left on the stack
    expect(jsonLowerBound({ big: 'x'.repeat(100), more: ['a', 'b', 'c', { d: 'e' }] }, 10)).toBeGreaterThan(10);
    expect(jsonLowerBound(value, Infinity)).toBe(expected);
    // a wide array grows the stack past what is kept
    expect(
      jsonLowerBound(
        Array.from({ length: 10_000 }, () => 'ab'),
        Infinity,
      ),
    ).toBe(1 + 10_000 + 20_000);
    expect(jsonLowerBound(value, Infinity)).toBe(expected);
    // keys a, c, b (1 each); the array (1 + its 2 items); 'xy', 'zzz'; the number 1
    expect(expected).toBe(12);
  });
});
