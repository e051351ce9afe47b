import { OUT_OF_RANGE_CODE } from './functions-numeric.js';
import { standIn } from './stand-in.js';

type Impl = (this: unknown, ...args: never[]) => unknown;

/**
 * jsonata's `$base64encode` and `$base64decode` treat each character as one byte, as a browser's
 * btoa and atob do, but on Node they ran on Buffer, which refuses nothing: `$base64encode("😀")`
 * wrote "PQA=" (the low byte of each UTF-16 unit), and `$base64decode` dropped what is not base64
 * ("@@@" became "", "YW@Jj" "abc"), each written as the column's value without a word. Now each
 * refuses what a browser's refuses, with a MAPPING_ERROR; base64url's - and _ are still read.
 */
export function checkedBase64<F extends Impl>(name: 'base64encode' | 'base64decode', impl: F): F {
  const wrapped = function (this: unknown, str: unknown): unknown {
    if (typeof str === 'string') (name === 'base64encode' ? checkBytes : checkBase64)(str);
    return (impl as unknown as (this: unknown, ...a: unknown[]) => unknown).call(this, str);
  };
  return standIn(wrapped as unknown as F, impl);
}

function checkBytes(str: string): void {
  const wide = /[^\x00-\xff]/u.exec(str);
  if (wide === null) return;
  throw {
    code: OUT_OF_RANGE_CODE,
    // no code point shown: unquoted, it would not be masked with the value when the string is a secret
    message: `$base64encode: the string holds ${JSON.stringify(wide[0])}, a character past U+00FF: it encodes each character as one byte, so only characters U+0000 to U+00FF can be encoded`,
  };
}

function checkBase64(str: string): void {
  const text = str.replace(/[\t\n\f\r ]/g, '');
  const body = text.length % 4 === 0 ? text.replace(/={1,2}$/, '') : text;
  const bad = /[^A-Za-z0-9+/\-_]/.exec(body);
  if (bad === null && body.length % 4 !== 1) return;
  const why = bad === null ? 'its length leaves one character over, which holds no whole byte' : `${JSON.stringify(bad[0])} is not a base64 character`;
  throw { code: OUT_OF_RANGE_CODE, message: `$base64decode: the value is not base64: ${why}` };
}
