import { describe, expect, it } from 'vitest';
import { mapBothPaths } from '../../helpers/mapping.js';

/*
 * jsonata's `$base64encode` and `$base64decode` treat each character as a byte, as a browser's btoa
 * and atob do; on Node they ran on Buffer, which refuses nothing: `$base64encode("😀")` wrote
 * "PQA=", and `$base64decode("YW@Jj")` "abc" (what is not base64 dropped), silently. Both now
 * refuse what a browser refuses, compiled and interpreted alike.
 */

const ctx = { id: 'j', pipeline: 'p', started_at: '2026-01-01T00:00:00.000Z' };

const bothPaths = (expr: string) => mapBothPaths(expr, ctx);

describe('base64', () => {
  it.each([
    [
      '$base64encode("smile 😀")',
      'column c: $base64encode: the string holds "😀", a character past U+00FF: it encodes each character as one byte, so only characters U+0000 to U+00FF can be encoded',
    ],
    ['$base64decode("YW@Jj")', 'column c: $base64decode: the value is not base64: "@" is not a base64 character'],
    ['$base64decode("@@@")', 'column c: $base64decode: the value is not base64: "@" is not a base64 character'],
    ['$base64decode("YWJjZ")', 'column c: $base64decode: the value is not base64: its length leaves one character over, which holds no whole byte'],
    ['$base64decode("YQ=")', 'column c: $base64decode: the value is not base64: "=" is not a base64 character'],
  ])('%s is a MAPPING_ERROR', async (expr, message) => {
    expect(await bothPaths(expr)).toEqual({ values: {}, errors: [{ code: 'MAPPING_ERROR', path: 'c', message }] });
  });

  it.each([
    ['$base64encode("héllo")', 'aOlsbG8='],
    ['$base64decode("aOlsbG8=")', 'héllo'],
    ['$base64decode("YQ")', 'a'],
    ['$base64decode("YQ==")', 'a'],
    ['$base64decode("YWJj\\nZGVm")', 'abcdef'],
    ['$base64decode("_w==")', 'ÿ'],
    ['$base64decode("")', ''],
  ])('%s is %j as before', async (expr, value) => {
    expect(await bothPaths(expr)).toEqual({ values: { c: value }, errors: [] });
  });
});
