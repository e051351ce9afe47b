/** Half a surrogate pair without its other half (the regex works on UTF-16 units: no `u` flag). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text with each lone surrogate written as its JSON escape, `\ud800`. A lone surrogate has no
 * UTF-8 form: written to a file or a terminal it would become U+FFFD, and the value a FORMAT reject
 * is about would not show what is wrong with it. A report then says it as `--json` does.
 */
export function escapeLoneSurrogates(text: string): string {
  return text.isWellFormed() ? text : text.replace(LONE_SURROGATE, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}
