import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../src/query/parse-query.js';
import { QueryError } from '../../../src/query/query-error.js';
import { MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, MAX_QUERY_TERMS } from '../../../src/query/query-limits.js';

/** The QueryError parsing `query` throws (failing the test when it throws anything else). */
function parseError(query: string): QueryError {
  try {
    parseQuery(query);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryError);
    return err as QueryError;
  }
  throw new Error('the query parsed');
}

const terms = (count: number, term = (i: number) => `a:${i}`): string => Array.from({ length: count }, (_, i) => term(i)).join(' OR ');

describe('the length limit', () => {
  it('takes a query of the longest length', () => {
    expect(() => parseQuery(`a:${'x'.repeat(MAX_QUERY_LENGTH - 2)}`)).not.toThrow();
  });

  it('refuses a longer one at the first character beyond the limit, before reading it', () => {
    const error = parseError(`a:${'x'.repeat(MAX_QUERY_LENGTH - 1)}`);
    expect(error.message).toBe(`the query is too long: ${MAX_QUERY_LENGTH + 1} characters, at most ${MAX_QUERY_LENGTH} (split it over several pipelines)`);
    expect(error.offset).toBe(MAX_QUERY_LENGTH);
    // Even a query that would not parse: the length is the first thing checked.
    expect(parseError('('.repeat(MAX_QUERY_LENGTH * 20)).message).toContain('too long');
  });
});

describe('the depth limit', () => {
  const tooDeep = `the query nests too deeply: at most ${MAX_QUERY_DEPTH} levels of parentheses and NOT, ! or -`;

  it('takes NOTs, negations and parentheses nested to the limit', () => {
    expect(() => parseQuery(`${'NOT '.repeat(MAX_QUERY_DEPTH)}a:1`)).not.toThrow();
    expect(() => parseQuery(`${'!'.repeat(MAX_QUERY_DEPTH)}a:1`)).not.toThrow();
    expect(() => parseQuery(`${'('.repeat(MAX_QUERY_DEPTH)}a:1${')'.repeat(MAX_QUERY_DEPTH)}`)).not.toThrow();
    expect(() => parseQuery(`${'-('.repeat(MAX_QUERY_DEPTH / 2)}a:1${')'.repeat(MAX_QUERY_DEPTH / 2)}`)).not.toThrow();
  });

  it.each([
    ['NOT', `${'NOT '.repeat(MAX_QUERY_DEPTH + 1)}a:1`, MAX_QUERY_DEPTH * 4],
    ['!', `${'!'.repeat(MAX_QUERY_DEPTH + 1)}a:1`, MAX_QUERY_DEPTH],
    ['(', `${'('.repeat(MAX_QUERY_DEPTH + 1)}a:1${')'.repeat(MAX_QUERY_DEPTH + 1)}`, MAX_QUERY_DEPTH],
    ['-(', `b:2 AND ${'-('.repeat(MAX_QUERY_DEPTH / 2)}-a:1${')'.repeat(MAX_QUERY_DEPTH / 2)}`, 8 + MAX_QUERY_DEPTH],
    ['a field group', `a:${'('.repeat(MAX_QUERY_DEPTH + 1)}1${')'.repeat(MAX_QUERY_DEPTH + 1)}`, 2 + MAX_QUERY_DEPTH],
  ])('refuses one level more of %s, at the level beyond the limit', (_, query, offset) => {
    const error = parseError(query);
    expect(error.message).toBe(tooDeep);
    expect(error.offset).toBe(offset);
  });

  it('fails with the limit, not a stack overflow, however deep the query within the length limit', () => {
    expect(parseError('('.repeat(MAX_QUERY_LENGTH)).message).toBe(tooDeep);
    expect(parseError(`${'NOT '.repeat(MAX_QUERY_LENGTH / 4 - 1)}a:`).message).toBe(tooDeep);
    expect(parseError(`${'a:1 OR ('.repeat(MAX_QUERY_LENGTH / 8)}`).message).toBe(tooDeep);
  });
});

describe('the term limit', () => {
  const tooMany = `the query has too many terms: at most ${MAX_QUERY_TERMS} (split it over several pipelines)`;

  it('takes the most terms', () => {
    expect(() => parseQuery(terms(MAX_QUERY_TERMS))).not.toThrow();
  });

  it.each([
    ['field:value', terms(MAX_QUERY_TERMS + 1)],
    ['a field group', `a:(${terms(MAX_QUERY_TERMS + 1, String)})`],
    ['*', terms(MAX_QUERY_TERMS + 1, () => '*')],
    ['ranges and _exists_', terms(MAX_QUERY_TERMS + 1, (i) => (i % 2 ? `a:[${i} TO *]` : '_exists_:a'))],
  ])('refuses one more term (%s) at that term', (_, query) => {
    const error = parseError(query);
    expect(error.message).toBe(tooMany);
    const last = query.lastIndexOf(' OR ') + ' OR '.length;
    expect(error.offset).toBe(last);
  });
});
