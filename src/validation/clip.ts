/**
 * `text` as it is when it has at most `max` UTF-16 units, else its first `max` and "…" — one fewer
 * rather than half of a surrogate pair: a cut emoji would leave a lone surrogate, which reports
 * write as `\ud83d` (or U+FFFD) where the value had a whole character.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, wholeEnd(text, max))}…`;
}

/** `end`, or `end - 1` when the unit before it starts a surrogate pair that `end` would split. */
function wholeEnd(text: string, end: number): number {
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}
