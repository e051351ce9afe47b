/**
 * Characters a terminal (or a browser) acts on instead of showing: C0 controls (ESC starts screen
 * and title sequences, CR and LF forge lines), DEL, C1 controls (U+009B is a one-byte CSI), the
 * Unicode line and paragraph separators, and the bidi embeddings, overrides and isolates that
 * reorder what follows them ("Trojan Source").
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
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
