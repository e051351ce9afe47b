/**
 * Number of Unicode code points in `s[start, end)`: UTF-16 length minus the low halves of surrogate
 * pairs. Lone surrogates count as one character each, as String.prototype[Symbol.iterator] does.
 */
export function codePointCount(s: string, start: number, end: number): number {
  let count = end - start;
  for (let i = start + 1; i < end; i++) {
    if (isLowSurrogate(s.charCodeAt(i)) && isHighSurrogate(s.charCodeAt(i - 1))) count--;
  }
  return count;
}

/** Bytes of `s` encoded as UTF-8 (a lone surrogate becomes U+FFFD, 3 bytes, as TextEncoder does). */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (isHighSurrogate(c) && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * `s.toLowerCase()`, without a copy when `s` has no capital and nothing beyond ASCII (an email as
 * most sources and mappings give it): toLowerCase made a new string every time, and an import
 * lower-cased each email three times (the mapping's `$lowercase`, the stored form, the job key).
 */
export function lowerCased(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit >= 0x80 || (unit >= 0x41 && unit <= 0x5a)) return s.toLowerCase();
  }
  return s;
}
