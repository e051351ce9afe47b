/** A non-ASCII letter, mark or pictograph (or the emoji presentation selector), which a joiner may join. */
const JOINABLE = '(?![\\u0000-\\u007f])[\\p{L}\\p{M}\\p{Extended_Pictographic}\\p{Emoji_Modifier}\\ufe0f]';

/**
 * Characters a terminal (or a browser) acts on instead of showing: C0 controls (ESC starts screen
 * and title sequences, CR and LF forge lines), DEL, C1 controls (U+009B is a one-byte CSI), the
 * Unicode line and paragraph separators, and the bidi embeddings, overrides and isolates that
 * reorder what follows them ("Trojan Source"); and characters that show nothing (below).
 */
const INVISIBLE = new RegExp(
  [
    '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]',
    // Characters that show nothing, so a name holding one reads as a name without it (`unknown key
    // "\ufeffsource"` looked like a complaint about `source`): the byte order mark, the zero-width
    // space and word joiner, and the left-to-right and right-to-left marks.
    '[\\ufeff\\u200b\\u2060\\u200e\\u200f]',
    // The zero-width non-joiner and joiner change how the letters or emoji around them are drawn
    // (Persian, Indic scripts, emoji families): kept there, escaped where they join nothing visible, as
    // in `sou\u200drce` or at either end of the text.
    `(?<!${JOINABLE})[\\u200c\\u200d]`,
    `[\\u200c\\u200d](?!${JOINABLE})`,
  ].join('|'),
  'gu',
);

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from data (a source record, a reject message, an uploaded file's name) made safe to print
 * on one line: each character above written as an escape — `\n`, `\r`, `\t`, `\x1b`, `\u202e` —
 * so the reader sees it was there and the terminal does not act on it. For display only: csv and
 * json output carry the data as it is.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, (ch) => NAMED[ch] ?? escapeOf(ch.charCodeAt(0)));
}

function escapeOf(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A message for the terminal, which may quote data (a job id, a file name): its lines kept, and
 * within each line every character `visibleText` escapes (ESC, CR, bidi overrides) escaped.
 */
export function terminalLines(text: string): string {
  return text.split('\n').map(visibleText).join('\n');
}

/** `text` with every character beyond printable ASCII (but …) as \\uXXXX: two names that look the same, told apart. */
export function beyondAsciiEscaped(text: string): string {
  return text.replace(/[^\x20-\x7e…]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
