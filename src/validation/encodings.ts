import { utf8ByteLength } from './text.js';

/** How a hash, salt or HMAC key value is written in the record. */
export type Encoding = 'base64' | 'hex' | 'utf8';

export const encodings: ReadonlySet<Encoding> = new Set<Encoding>(['base64', 'hex', 'utf8']);

/** Hex digits in either case, whole bytes only (an odd digit count cannot be decoded without loss). */
export function isHex(s: string): boolean {
  if (s.length === 0 || s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20; // folds A-F onto a-f; digits are unchanged
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * Standard or url-safe base64 from `start` to the end of `s`, padded or not. The two alphabets may not
 * be mixed: `+` next to `_` means the value was mangled (e.g. by URL decoding), not that it is valid.
 * A length of 4n+1 data characters cannot come from any byte string.
 */
export function isBase64(s: string, start = 0): boolean {
  let end = s.length;
  while (end > start && s.charCodeAt(end - 1) === 0x3d /* = */) end--;
  const pad = s.length - end;
  const len = end - start;
  if (len === 0 || pad > 2 || len % 4 === 1) return false;
  if (pad > 0 && (len + pad) % 4 !== 0) return false;
  let standard = false;
  let urlSafe = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (isAlphanumeric(c)) continue;
    if (c === 0x2b || c === 0x2f)
      standard = true; // + /
    else if (c === 0x2d || c === 0x5f)
      urlSafe = true; // - _
    else return false;
  }
  return !(standard && urlSafe);
}

/** Why `value` cannot be decoded with `encoding`, or null when it can (utf8 always can). */
export function encodingProblem(value: string, encoding: Encoding): string | null {
  if (encoding === 'hex' && !isHex(value)) return 'is not valid hex (an even number of 0-9, a-f or A-F digits)';
  if (encoding === 'base64' && !isBase64(value)) return 'is not valid base64 (standard or url-safe alphabet, optional = padding)';
  return null;
}

/** Size in bytes of a value already known to be valid for `encoding`. */
export function decodedByteLength(value: string, encoding: Encoding): number {
  if (encoding === 'hex') return value.length / 2;
  if (encoding === 'utf8') return utf8ByteLength(value);
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x3d) end--;
  return Math.floor((end * 3) / 4);
}

function isAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
