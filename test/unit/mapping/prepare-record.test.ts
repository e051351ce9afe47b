import { describe, expect, it } from 'vitest';
import { usersTableColumns } from '../../../src/connections/users-table.js';
import { createMapper, type MappingContext } from '../../../src/mapping/mapper.js';
import { prepareRecord, type RecordStep } from '../../../src/mapping/prepare-record.js';
import { CsvRecordBuilder } from '../../../src/sources/csv-fields.js';
import { jsonRecord } from '../../../src/sources/records.js';
import { inexactNumberMessage } from '../../../src/validation/inexact-numbers.js';

/**
 * The per-record step loses nothing silently: a `__proto__` field or column stays a field (and is
 * rejected like any unknown one), and values a store cannot keep as they are (a lone surrogate,
 * a number beyond a double) are rejects at their path, whichever source or mapping made them.
 */
const ctx: MappingContext = { id: 'job-1', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };
const types = new Map(usersTableColumns.map((c) => [c.name, c.type]));
const noRules = (): Promise<never[]> => Promise.resolve([]);

const step = (columns: Record<string, string> | null, options: { csv?: boolean; interpretOnly?: boolean } = {}): RecordStep => ({
  mapper: createMapper(columns, ctx, undefined, options.interpretOnly ? { interpretOnly: true } : {}),
  checkRules: noRules,
  schema: 'user',
  csvIdentity: columns === null && options.csv === true,
  types,
  table: 'users',
});

const csvRecord = (header: string, line: string): Record<string, unknown> => {
  const item = new CsvRecordBuilder(header.split(','), ',').build(line, 1);
  if (!('record' in item)) throw new Error(item.error);
  return item.record;
};

const surrogate = 'contains a lone surrogate (U+D800), which is not valid Unicode';
const tooBig = 'number out of range (above 1.7976931348623157e+308, beyond what a double can hold)';

describe('prepareRecord: __proto__ is a field like any other', () => {
  it('a CSV column named __proto__ (identity mapping, cells coerced) is an UNKNOWN_FIELD reject, not dropped', async () => {
    const record = csvRecord('email,__proto__,name,logins_count', 'a@x.io,X,A,3');
    const { values, errors } = await prepareRecord(step(null, { csv: true }), record);
    expect(Object.entries(values)).toEqual([
      ['email', 'a@x.io'],
      ['__proto__', 'X'],
      ['name', 'A'],
      ['logins_count', 3],
    ]);
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(errors).toEqual([{ code: 'UNKNOWN_FIELD', path: '__proto__', message: 'unknown field "__proto__" (not a user profile field)' }]);
  });

  it.each([
    ['compiled', false],
    ['interpreted', true],
  ])('a column named __proto__ (%s) is an own field of the mapped values', async (_, interpretOnly) => {
    // parsed, as the plan is: a `__proto__:` in an object literal would set its prototype instead
    const columns = JSON.parse('{"email": "email", "__proto__": "name", "user_metadata": "{\\"plan\\": name}"}') as Record<string, string>;
    const { values } = await prepareRecord(step(columns, { interpretOnly }), { email: 'a@x.io', name: 'A' });
    expect(Object.entries(values)).toEqual([
      ['email', 'a@x.io'],
      ['__proto__', 'A'],
      ['user_metadata', { plan: 'A' }],
    ]);
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  });
});

describe('prepareRecord: values a store cannot keep', () => {
  it('a lone surrogate from a JSON escape is a FORMAT reject at its path, in values and nested keys', async () => {
    const record = JSON.parse('{"email":"b@x.io","name":"B\\ud800","user_metadata":{"a":["\\ud800"],"k\\ud800":1}}') as Record<string, unknown>;
    const { errors } = await prepareRecord(step(null), record);
    expect(errors).toEqual([
      { code: 'FORMAT', path: 'name', message: surrogate },
      { code: 'FORMAT', path: 'user_metadata.a[0]', message: surrogate },
      { code: 'FORMAT', path: 'user_metadata.k\\ud800', message: `field name ${surrogate}` },
    ]);
  });

  it.each([
    ['compiled', false],
    ['interpreted', true],
  ])('a lone surrogate or an Infinity made by a mapping (%s) is rejected at the column', async (_, interpretOnly) => {
    const columns = { email: 'email', name: 'name & "\\ud800"', logins_count: '1e300 * 1e300', user_metadata: '{"big": 1e300 * 1e300}' };
    const { errors } = await prepareRecord(step(columns, { interpretOnly }), { email: 'b@x.io', name: 'B' });
    // an Infinity is rejected by the mapping itself, at its column, as on exports (storable.ts)
    const notFinite =
      'column %s: the value is or holds a number that is not finite (0/0, a division by zero, or past ±1.8e308), which no column can store (JSON would write null)';
    expect(errors).toEqual([
      { code: 'MAPPING_ERROR', path: 'logins_count', message: notFinite.replace('%s', 'logins_count') },
      { code: 'MAPPING_ERROR', path: 'user_metadata', message: notFinite.replace('%s', 'user_metadata') },
      { code: 'FORMAT', path: 'name', message: surrogate },
    ]);
  });

  it('1e400 in JSON is one clear reject per value, not null and not "expected integer, got number"', async () => {
    const record = JSON.parse('{"email":"h@x.io","logins_count":1e400,"user_metadata":{"big":1e400,"neg":-1e400}}') as Record<string, unknown>;
    const { errors } = await prepareRecord(step(null), record);
    expect(errors).toEqual([
      { code: 'FORMAT', path: 'logins_count', message: tooBig },
      { code: 'FORMAT', path: 'user_metadata.big', message: tooBig },
      { code: 'FORMAT', path: 'user_metadata.neg', message: 'number out of range (below -1.7976931348623157e+308, beyond what a double can hold)' },
    ]);
  });

  it('a CSV cell that coerces to Infinity is rejected too, and other problems of the record are still reported', async () => {
    const record = csvRecord('email,logins_count,user_metadata', 'not-an-email,1e400,"{""a"":-1e999}"');
    const { errors } = await prepareRecord(step(null, { csv: true }), record);
    expect(errors.map((e) => [e.code, e.path])).toEqual([
      ['FORMAT', 'logins_count'],
      ['FORMAT', 'user_metadata.a'],
      ['FORMAT', 'email'],
    ]);
  });
});

describe('prepareRecord: what JSON.parse would change silently', () => {
  const rounded = (path: string, inJson = true) => ({ code: 'FORMAT', path, message: inexactNumberMessage(inJson) });

  it('a key repeated in a CSV cell of JSON is a PARSE_ERROR naming it, at the column, not a silent last-wins', async () => {
    const record = csvRecord('email,user_metadata,app_metadata', 'a@x.io,"{""plan"":""free"",""plan"":""pro""}","{""a"":{""b"":1,""b"":2}}"');
    const { errors } = await prepareRecord(step(null, { csv: true }), record);
    // and no "expected object, got string" about the cell left as text
    expect(errors).toEqual([
      { code: 'PARSE_ERROR', path: 'user_metadata', message: 'duplicate field "plan" in one JSON object; JSON keeps only the last value' },
      { code: 'PARSE_ERROR', path: 'app_metadata', message: 'duplicate field "b" in one JSON object (at a); JSON keeps only the last value' },
    ]);
  });

  it('a number a double would round, in a CSV cell of JSON or of a number, is a FORMAT reject at its path', async () => {
    const record = csvRecord('email,user_metadata,logins_count', 'a@x.io,"{""tw"":1234567890123456789,""ok"":1e20}",12345678901234567891');
    const { errors } = await prepareRecord(step(null, { csv: true }), record);
    expect(errors).toEqual([rounded('user_metadata.tw'), rounded('logins_count', false)]);
    const fine = csvRecord('email,user_metadata,logins_count', 'a@x.io,"{""tw"":""1234567890123456789"",""ok"":1e20}",9007199254740991');
    expect((await prepareRecord(step(null, { csv: true }), fine)).errors).toEqual([]);
  });

  it.each([
    ['compiled', false],
    ['interpreted', true],
  ])('a rounded source number is rejected at its source path, though the mapping made a string of it (%s)', async (_, interpretOnly) => {
    const item = jsonRecord('{"email":"a@x.com","id":12345678901234567891,"meta":{"tw":1234567890123456789}}', 1);
    if (!('record' in item)) throw new Error(item.error);
    const columns = { email: 'email', user_id: '$string(id)', user_metadata: 'meta' };
    const { values, errors } = await prepareRecord(step(columns, { interpretOnly }), item.record, item.errors);
    expect(values['user_id']).toBe('12345678901234567000');
    expect(errors).toEqual([rounded('id'), rounded('meta.tw')]);
  });

  it.each([
    ['compiled', false],
    ['interpreted', true],
  ])('a rounded number in a field the mapping never reads is no reject: nothing of it is written (%s)', async (_, interpretOnly) => {
    const item = jsonRecord('{"email":"a@x.com","legacy":{"id":12345678901234567891},"ids":[12345678901234567892],"meta":{"tw":1}}', 1);
    if (!('record' in item)) throw new Error(item.error);
    expect(item.errors?.map((e) => e.path)).toEqual(['legacy.id', 'ids[0]']);
    const columns = { email: 'email', user_metadata: 'meta' };
    const { values, errors } = await prepareRecord(step(columns, { interpretOnly }), item.record, item.errors);
    expect(errors).toEqual([]);
    expect(values).toEqual({ email: 'a@x.com', user_metadata: { tw: 1 } });
    // Read the field, or the record as a whole, and it is a reject again.
    const reads = async (mapping: Record<string, string>): Promise<unknown> =>
      (await prepareRecord(step(mapping, { interpretOnly }), item.record, item.errors)).errors.map((e) => e.path);
    expect(await reads({ ...columns, app_metadata: 'legacy' })).toEqual(['legacy.id']);
    expect(await reads({ ...columns, app_metadata: '{"first": ids[0]}' })).toEqual(['ids[0]']);
    expect(await reads({ ...columns, app_metadata: '{"ids": $lookup($, "ids")}' })).toEqual(['legacy.id', 'ids[0]']);
  });

  it('says it once: no user rule repeats it about the same value', async () => {
    const item = jsonRecord('{"email":"a@x.com","logins_count":12345678901234567891}', 1);
    if (!('record' in item)) throw new Error(item.error);
    expect((await prepareRecord(step(null), item.record, item.errors)).errors).toEqual([rounded('logins_count')]);
  });
});

describe('prepareRecord: a reject stays small whatever the record', () => {
  it('a record of 200,000 unknown columns is one reject (not a stack overflow that fails the job)', async () => {
    const header = ['email', ...Array.from({ length: 200_000 }, (_, i) => `c${i}`)];
    const record = csvRecord(header.join(','), ['a@x.io', ...Array<string>(200_000).fill('v')].join(','));
    const { errors } = await prepareRecord(step(null, { csv: true }), record);
    expect(errors).toHaveLength(21);
    expect(errors.at(-1)).toEqual({ code: 'UNKNOWN_FIELD', path: '', message: 'and 199980 more error(s) not listed: 199980 UNKNOWN_FIELD' });
  });

  // Each unknown field was compared with each rounded number: 4·10^10 steps, past the test's timeout.
  it('200,000 rounded numbers in 200,000 unknown fields are one reject, found in linear time', async () => {
    const fields = Array.from({ length: 200_000 }, (_, i) => `"n${i}":12345678901234567891`);
    const item = jsonRecord(`{"email":"a@x.io",${fields.join(',')}}`, 1);
    if (!('record' in item)) throw new Error(item.error);
    const { errors } = await prepareRecord(step(null), item.record, item.errors);
    expect(errors).toHaveLength(21);
    const message = inexactNumberMessage(true);
    expect(errors.slice(0, 2)).toEqual([
      { code: 'FORMAT', path: 'n0', message },
      { code: 'FORMAT', path: 'n1', message },
    ]);
    expect(errors.at(-1)?.message).toBe('and 399980 more error(s) not listed: 200000 UNKNOWN_FIELD, 199980 FORMAT');
  });

  it('lists the first 20 errors and counts the rest, by code, in one more', async () => {
    const header = ['email', ...Array.from({ length: 3000 }, (_, i) => `c${i}`)];
    const record = csvRecord(header.join(','), ['not-an-email', ...Array<string>(3000).fill('v')].join(','));
    const { errors } = await prepareRecord(step(null, { csv: true }), record);
    expect(errors).toHaveLength(21);
    expect(errors.slice(0, 2).map((e) => [e.code, e.path])).toEqual([
      ['FORMAT', 'email'],
      ['UNKNOWN_FIELD', 'c0'],
    ]);
    expect(errors[20]).toEqual({ code: 'UNKNOWN_FIELD', path: '', message: 'and 2981 more error(s) not listed: 2981 UNKNOWN_FIELD' });
  });

  it('names every code among the rest, commonest first', async () => {
    const record = { email: 'bad', ...Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 1])), name: 'a\u0001', nickname: '' };
    const { errors } = await prepareRecord(step(null), record);
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({ code: 'UNKNOWN_FIELD', path: '', message: 'and 13 more error(s) not listed: 11 UNKNOWN_FIELD, 1 FORMAT, 1 MIN_LENGTH' });
  });
});
