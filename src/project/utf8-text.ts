import type { Diagnostic } from '../spec/diagnostics.js';

/**
 * Where a file stops being UTF-8: read as UTF-8, each such byte became U+FFFD, so a Latin-1
 * `Müller` in a query or a mapped constant silently held another text. A file with NULs is left
 * to the YAML reader, which tells a UTF-16 file (yaml-document.ts).
 */
export function notUtf8(bytes: Buffer): { notUtf8: Omit<Diagnostic, 'file' | 'path'> } | undefined {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    if (bytes.includes(0)) return undefined;
  }
  const at = firstBadByte(bytes);
  const before = bytes
    .subarray(0, at)
    .toString('utf8')
    .split(/\r\n|\r|\n/);
  const byte = bytes[at] ?? 0;
  const hint = byte >= 0x80 ? ' (a Latin-1 or Windows-1252 file?)' : '';
  return {
    notUtf8: {
      line: before.length,
      col: before[before.length - 1]!.length + 1,
      message: `byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} here is not UTF-8${hint}: Ferry reads YAML as UTF-8, save the file as UTF-8`,
    },
  };
}

/** The offset of the first byte that starts no well-formed UTF-8 character (RFC 3629: no overlong form, surrogate or code point past U+10FFFF). */
function firstBadByte(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const more = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (more === 0) return i;
    // The second byte's range where the lead byte narrows it; 0x80-0xBF otherwise.
    const [low, high] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    const second = b[i + 1];
    if (second === undefined || second < low || second > high) return i;
    for (let k = 2; k <= more; k++) if (b[i + k] === undefined || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += more + 1;
  }
  return b.length;
}
