import { describe, expect, it } from 'vitest';
import { checkQuery, compileQuery, QueryError } from '../../../src/query/compile-query.js';
import type { ColumnInfo, ColumnType } from '../../../src/connections/types.js';

/*
 * A query value that cannot be compared as written is an error at its offset, never a silent
 * match of other rows: integers beyond ±2^53 (a double reads 9007199254740993 as …992), non-zero
 * numbers that read as 0, and a lone surrogate (PostgreSQL receives it as U+FFFD).
 */

const column = (name: string, type: ColumnType): ColumnInfo => ({ name, type, nullable: true, primaryKey: false, unique: false });
const COLUMNS = [column('nickname', 'text'), column('logins_count', 'integer'), column('user_metadata', 'json')];

describe('query values compared exactly', () => {
  it.each([
    [
      'logins_count:9007199254740993',
      13,
      'logins_count holds numbers: 9007199254740993 is beyond the integers a query compares exactly (±9007199254740991): it reads as 9007199254740992',
    ],
    ['logins_count:[1 TO 18446744073709551617]', 19, 'it reads as 18446744073709552000'],
    ['logins_count:9007199254740993.0', 13, 'beyond the integers'],
    ['logins_count:9.007199254740993e15', 13, 'beyond the integers'],
    ['user_metadata.id:12345678901234567891', 17, 'user_metadata.id holds numbers: 12345678901234567891 is beyond'],
    ['user_metadata.score:1e-400', 20, 'user_metadata.score holds numbers: 1e-400 is too small to compare: it reads as 0'],
    ['logins_count:[0.0000e0 TO 5e-999]', 26, 'too small'],
    ['nickname:"a\ud800b"', 11, 'half a surrogate pair (U+D800)'],
    ['nickname:x OR nickname:\udc00', 23, 'half a surrogate pair (U+DC00)'],
  ])('refuses %j at offset %i', (query, offset, message) => {
    for (const dialect of ['sqlite', 'postgres'] as const) expect(() => compileQuery(query, COLUMNS, dialect)).toThrow(QueryError);
    const error = checkQuery(query, COLUMNS);
    expect(error?.offset).toBe(offset);
    expect(error?.message).toContain(message);
  });

  it.each([
    ['logins_count:9007199254740991', 9007199254740991],
    ['logins_count:-9007199254740992', -9007199254740992],
    ['logins_count:18446744073709551616', 18446744073709551616],
    ['logins_count:1e20', 1e20],
    ['logins_count:0.000', 0],
    ['logins_count:-0e10', -0],
    ['logins_count:0.1', 0.1],
    ['user_metadata.score:12.5', 12.5],
  ])('takes %j', (query, value) => {
    const { params } = compileQuery(query, COLUMNS, 'postgres');
    expect(params.at(-1)).toBe(value);
  });

  it('takes a whole astral character', () => {
    expect(compileQuery('nickname:"a\ud83d\ude00b"', COLUMNS, 'sqlite').params).toEqual(['a😀b']);
  });
});
