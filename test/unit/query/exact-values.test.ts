import { describe, expect, it } from 'vitest';
import { checkQuery, compileQuery, QueryError } from '../../../src/query/compile-query.js';
import type { ColumnInfo, ColumnType } from '../../../src/connections/types.js';

/*
 * A query value that cannot be compared as written is an error at its offset, never a silent
 * match of other rows: a number its double reads back as another (9007199254740993 as …992,
 * 1e-400 as 0), and a lone surrogate (PostgreSQL receives it as U+FFFD).
 */

const column = (name: string, type: ColumnType): ColumnInfo => ({ name, type, nullable: true, primaryKey: false, unique: false });
const COLUMNS = [column('nickname', 'text'), column('logins_count', 'integer'), column('user_metadata', 'json')];

describe('query values compared exactly', () => {
  it.each([
    ['logins_count:9007199254740993', 13, 'logins_count holds numbers: 9007199254740993 cannot be compared exactly: as a number it reads as 9007199254740992'],
    ['logins_count:[1 TO 18446744073709551617]', 19, 'it reads as 18446744073709552000'],
    ['logins_count:9007199254740993.0', 13, 'cannot be compared exactly'],
    ['logins_count:9.007199254740993e15', 13, 'cannot be compared exactly'],
    ['user_metadata.id:12345678901234567891', 17, 'user_metadata.id holds numbers: 12345678901234567891 cannot be compared exactly'],
    ['user_metadata.score:1e-400', 20, 'user_metadata.score holds numbers: 1e-400 cannot be compared exactly: as a number it reads as 0'],
    ['logins_count:[0.0000e0 TO 5e-999]', 26, 'reads as 0'],
    ['user_metadata.score:1.00000000000000000001', 20, 'reads as 1'],
    ['nickname:"a\ud800b"', 11, 'half a surrogate pair (U+D800)'],
    ['nickname:x OR nickname:\udc00', 23, 'half a surrogate pair (U+DC00)'],
    ['nickname:"a\u0000b"', 11, 'a NUL character (U+0000)'],
  ])('refuses %j at offset %i', (query, offset, message) => {
    for (const dialect of ['sqlite', 'postgres'] as const) expect(() => compileQuery(query, COLUMNS, dialect)).toThrow(QueryError);
    const error = checkQuery(query, COLUMNS);
    expect(error?.offset).toBe(offset);
    expect(error?.message).toContain(message);
  });

  it.each([
    ['logins_count:9007199254740991', 9007199254740991],
    ['logins_count:-9007199254740992', -9007199254740992],
    ['logins_count:1e20', 1e20],
    ['logins_count:1e308', 1e308],
    ['logins_count:0.000', 0],
    ['logins_count:-0e10', -0],
    ['logins_count:0.1', 0.1],
    ['logins_count:+00.50e1', 5],
    ['logins_count:0.30000000000000004', 0.30000000000000004],
    ['user_metadata.score:12.5', 12.5],
  ])('takes %j', (query, value) => {
    const { params } = compileQuery(query, COLUMNS, 'postgres');
    expect(params.at(-1)).toBe(value);
  });

  it('takes a whole astral character', () => {
    expect(compileQuery('nickname:"a\ud83d\ude00b"', COLUMNS, 'sqlite').params).toEqual(['a😀b']);
  });
});
