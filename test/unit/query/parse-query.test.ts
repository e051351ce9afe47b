import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/query/parse-query.js';
import { QueryError } from '../../../src/query/query-error.js';

const term = (name: string, fieldOffset: number, text: string, offset: number) => ({
  kind: 'match',
  field: { name, offset: fieldOffset },
  value: { kind: 'term', text, offset },
});

describe('parseQuery', () => {
  it('reads field:value with offsets', () => {
    expect(parseQuery('email:a@b.c')).toEqual(term('email', 0, 'a@b.c', 6));
  });

  it('ANDs terms without an operator and binds AND tighter than OR', () => {
    expect(parseQuery('a:1 b:2 OR c:3')).toEqual({
      kind: 'or',
      children: [{ kind: 'and', children: [term('a', 0, '1', 2), term('b', 4, '2', 6)] }, term('c', 11, '3', 13)],
    });
    expect(parseQuery('a:1 OR b:2 AND c:3')).toEqual({
      kind: 'or',
      children: [term('a', 0, '1', 2), { kind: 'and', children: [term('b', 7, '2', 9), term('c', 15, '3', 17)] }],
    });
  });

  it('reads NOT, !, - and + prefixes', () => {
    const negated = { kind: 'not', child: term('a', 1, '1', 3) };
    expect(parseQuery('-a:1')).toEqual(negated);
    expect(parseQuery('!a:1')).toEqual(negated);
    expect(parseQuery('+a:1')).toEqual(term('a', 1, '1', 3));
    expect(parseQuery('NOT a:1 AND b:2')).toEqual({
      kind: 'and',
      children: [{ kind: 'not', child: term('a', 4, '1', 6) }, term('b', 12, '2', 14)],
    });
    expect(parseQuery('a:1 AND NOT b:2')).toEqual({ kind: 'and', children: [term('a', 0, '1', 2), { kind: 'not', child: term('b', 12, '2', 14) }] });
  });

  it('gives the terms of a field group that field', () => {
    expect(parseQuery('a:(x OR -y)')).toEqual({
      kind: 'or',
      children: [term('a', 0, 'x', 3), { kind: 'not', child: term('a', 0, 'y', 9) }],
    });
  });

  it('reads phrases, escapes and wildcards', () => {
    expect(parseQuery('a:"x \\"y\\" *"')).toEqual({ kind: 'match', field: { name: 'a', offset: 0 }, value: { kind: 'phrase', text: 'x "y" *', offset: 2 } });
    expect(parseQuery('a:x\\:y\\ z')).toEqual(term('a', 0, 'x:y z', 2));
    expect(parseQuery('a:\\*')).toEqual(term('a', 0, '*', 2));
    expect(parseQuery('a:x*\\?y?')).toEqual({
      ...term('a', 0, 'x*?y?', 2),
      value: { kind: 'term', text: 'x*?y?', offset: 2, pattern: [{ literal: 'x' }, { wildcard: '*' }, { literal: '?y' }, { wildcard: '?' }] },
    });
  });

  it('reads ranges with open and mixed bounds', () => {
    expect(parseQuery('n:[* TO 5}')).toEqual({
      kind: 'range',
      field: { name: 'n', offset: 0 },
      offset: 2,
      end: 10,
      lower: { inclusive: true, offset: 3, end: 4 },
      upper: { value: '5', inclusive: false, offset: 8, end: 9 },
    });
    expect(parseQuery('t:{2024-01-01T10:00 TO "2024-02-01"]')).toMatchObject({
      lower: { value: '2024-01-01T10:00', inclusive: false },
      upper: { value: '2024-02-01', inclusive: true },
    });
  });

  it('reads _exists_, field:* and match-all forms', () => {
    expect(parseQuery('_exists_:user_metadata.plan')).toEqual({ kind: 'exists', field: { name: 'user_metadata.plan', offset: 9 } });
    expect(parseQuery('nickname:*')).toEqual({ kind: 'exists', field: { name: 'nickname', offset: 0 } });
    for (const all of ['', '   ', '*', '*:*']) expect(parseQuery(all)).toEqual({ kind: 'all' });
  });

  it.each([
    ['john', 0, 'a term needs a field (field:value)'],
    ['email:x john', 8, 'a term needs a field (field:value)'],
    ['"a phrase"', 0, 'a term needs a field'],
    ['email:x and nickname:y', 8, 'operators are written in capitals: AND'],
    ['email:"abc', 6, 'unclosed quote'],
    ['email:x AND', 8, 'expected a term after AND'],
    ['email:x OR OR nickname:y', 8, 'expected a term after OR'],
    ['NOT', 0, 'expected a term after NOT'],
    ['nickname:(a OR)', 12, 'expected a term after OR'],
    ['nickname:(a AND)', 12, 'expected a term after AND'],
    ['nickname:(a NOT)', 12, 'expected a term after NOT'],
    ['(email:x OR)', 9, 'expected a term after OR'],
    ['(email:x', 0, "unclosed '('"],
    ['email:x)', 7, "unmatched ')'"],
    ['()', 0, 'empty parentheses'],
    ['- email:x', 0, "'-' must be followed directly by a term"],
    ['email:[a TO b', 6, "expected ']' or '}'"],
    ['email:[a b]', 9, "expected 'TO'"],
    ['email:[a TO ]', 12, 'expected a range bound'],
    ['email:x^2', 7, 'boosts (^) are not supported'],
    ['email:x~1', 7, 'fuzzy and proximity searches (~) are not supported'],
    ['email:/x.*/', 6, 'regular expressions'],
    ['email:a:b', 7, "unexpected ':' in a value"],
    ['email:', 0, 'email: expected a value'],
    ['email:x\\', 7, 'a backslash must be followed'],
    ['_exists_:', 0, '_exists_ needs a field name'],
    ['nickname:(a OR b:c)', 16, "unexpected ':'"],
    ['*:x', 0, "a '*' field only takes '*'"],
    [']', 0, "unexpected ']'"],
  ])('rejects %j at offset %i', (query, offset, message) => {
    let error: unknown;
    try {
      parseQuery(query);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ offset });
    expect((error as QueryError).message).toContain(message);
  });
});
