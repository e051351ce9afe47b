/*
 * `csv.encoding: latin1` reads Windows-1252, as the WHATWG Encoding Standard does for the latin1
 * label: files called Latin-1 are nearly always Windows-1252, whose bytes 0x80–0x9F are
 * punctuation (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ) where ISO-8859-1, and Node's
 * 'latin1' decoder, have C1 control characters that no one meant. Node's TextDecoder does not
 * help: built without full ICU it reads windows-1252 as ISO-8859-1 too. The encoding is one byte
 * per character, so a record cut anywhere between bytes decodes on its own.
 */

/**
 * U+0080–U+009F by byte 0x80–0x9F. The five bytes Windows-1252 leaves undefined (0x81, 0x8D,
 * 0x8F, 0x90, 0x9D) stay C1 controls, as in the WHATWG table; a name holding one is a reject.
 */
const HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

const C1 = /[\u0080-\u009f]/;
const C1_ALL = /[\u0080-\u009f]/g;

/** The text of bytes [start, end) read as Windows-1252. */
export function decodeWindows1252(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('latin1', start, end);
  // Most records hold no byte in 0x80–0x9F: one test, and the copy only for those that do.
  return C1.test(text) ? text.replace(C1_ALL, (c) => HIGH[c.charCodeAt(0) - 0x80]!) : text;
}

/** The one byte that is `char` in Windows-1252, or undefined when it has none (a delimiter must be one byte). */
export function windows1252Byte(char: string): number | undefined {
  if (char.length !== 1) return undefined;
  const code = char.charCodeAt(0);
  if (code < 0x80 || (code >= 0xa0 && code <= 0xff)) return code;
  const high = HIGH.indexOf(char);
  return high === -1 ? undefined : 0x80 + high;
}
