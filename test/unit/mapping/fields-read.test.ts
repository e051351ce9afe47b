import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { fieldsRead, readsPath } from '../../../src/mapping/fields-read.js';
import { createMapper } from '../../../src/mapping/mapper.js';
import { MASK } from '../../../src/validation/mask.js';

const read = (...expressions: string[]): string[] | 'all' => {
  const fields = fieldsRead(expressions);
  return fields === 'all' ? 'all' : [...fields].sort();
};

/** The record with only `fields` kept, as a page read with ReadPageInput.fields returns it. */
const only = (record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => fields.includes(k)));

describe('readsPath', () => {
  it('a path is read when a field read is one of its prefixes (a path cannot tell a key a.b from b under a)', () => {
    const fields = fieldsRead(['meta.plan', '$lookup(x, "a.b")']);
    for (const path of ['meta', 'meta.tw', 'meta.list[3].n', 'plan', 'x[0]', 'a.b', 'a.b.c', '']) expect(readsPath(fields, path), path).toBe(true);
    for (const path of ['metadata', 'legacy.id', 'ids[0]', 'a', 'a.c', 'xx']) expect(readsPath(fields, path), path).toBe(false);
    expect(readsPath('all', 'anything.at[1]')).toBe(true);
  });
});

describe('fieldsRead', () => {
  it('lists the fields paths, calls, conditions and constructors read', () => {
    expect(read('email', 'user_metadata.plan')).toEqual(['email', 'plan', 'user_metadata']);
    expect(read('$uppercase(given_name) & " " & family_name')).toEqual([' ', 'family_name', 'given_name']);
    expect(read('$exists(a) ? b : c', '{"k": d}')).toEqual(['a', 'b', 'c', 'd', 'k']);
    expect(read('a.b[c = 1].d', 'function($v){ $v.q }(z)')).toEqual(['a', 'b', 'c', 'd', 'q', 'z']);
    expect(read('$job.id & $now()', '42')).toEqual(['id']);
    expect(read('a ~> $lowercase', 'b ~> $lowercase()', '$string(c)', '$substring(d, 1, 2)')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers all when an expression can read the whole record', () => {
    for (const whole of ['$', '$$.a', '*.a', '**.a', 'a.%.b', '$lookup($, "x")', '$keys()', '$string()', '$eval("a")', '$sift(function($v){ $v })']) {
      expect(read('email', whole), whole).toBe('all');
    }
  });

  it('answers all when a built-in may take the record for a missing first argument, or travels as a value', () => {
    // `$substring(2)`: 2 cannot be the string, so jsonata passes the context (the record) first.
    for (const whole of [
      '$substring(2)',
      '$substring(a, 1)',
      'a ~> $substring(1)',
      '$lookup("k")',
      '$map(xs, $string)',
      '($f := $trim; $f())',
      '($f := function($x)<x-:s>{ $string($x) }; $f())',
    ]) {
      expect(read(whole), whole).toBe('all');
    }
  });

  it('looks inside the filters and groupings jsonata hangs on a variable or a call', () => {
    for (const whole of [
      '($tiers := [{"min": 0, "name": "bronze"}, {"min": 3, "name": "gold"}]; $tiers[min <= $$.n][-1].name)',
      '$lowercase(email)[$$.flag]',
      '$substring(name, 0, 3)[$$.flag]',
      'obj.$string(k)[$$.flag]',
      '$map(tags, function($t){ $t[$$.flag] })',
      '$job[$$.flag].id',
      '$string(n){"k": $$.secret}',
      '$job{"k": $keys($$)}',
      'name ~> $string[$$.flag]',
      '$string[$$.flag](n)',
    ]) {
      expect(read(whole), whole).toBe('all');
    }
    expect(read('not valid (')).toBe('all');
    expect(read('$job[a = 1].id', '$string(n)[b]', 'x ~> $uppercase')).toEqual(['a', 'b', 'id', 'n', 'x']);
  });

  it('is never short of what jsonata reads: each expression gives the same value over the record cut to its fields', async () => {
    const record = { a: 'x', b: 'abcdef', n: 3, meta: { plan: 'pro', tags: ['p', 'q'] }, other: 'o', flag: true };
    const expressions = [
      'a & b',
      '$substring(b, 1, n)',
      'meta.plan = "pro" ? $uppercase(a) : other',
      'meta.tags[0]',
      '$count(meta.tags)',
      '{"p": meta.plan, "b": flag}',
      '$string(flag)',
      '$lookup(meta, "plan")',
      '$join([a, other], "-")',
      '$replace(b, "c", "C", 1)',
      'b ~> $contains("cd")',
    ];
    for (const text of expressions) {
      const fields = fieldsRead([text]);
      if (fields === 'all') throw new Error(`${text}: expected a field list`);
      const expr = jsonata(text);
      expect(await expr.evaluate(only(record, [...fields])), text).toEqual(await expr.evaluate(record));
    }
  });

  it('masks every field of a reject once a secret column can read the whole record', () => {
    const record = { email: 'a@b.c', note: 'hello' };
    const wholeRecord = createMapper({ password_hash: '$string()' }, { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' });
    expect(wholeRecord.maskRecord(record)).toEqual({ email: MASK, note: MASK });
    const filtered = createMapper({ mfa_secret: '$string(email)[$$.note]' }, { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' });
    expect(filtered.maskRecord(record)).toEqual({ email: MASK, note: MASK });
    const oneField = createMapper({ password_hash: 'note' }, { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' });
    expect(oneField.maskRecord(record)).toEqual({ email: 'a@b.c', note: MASK });
  });
});
