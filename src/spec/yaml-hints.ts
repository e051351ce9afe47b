/**
 * Hints for the YAML mistakes JSONata and file templates invite: a value starting with a character
 * YAML reserves (`` ` ``, `@`, `%`, `*`, `&`, `!`, `|`, `>`, `{`, `[`), `{job}` inside a `{ … }` map,
 * `: ` or ` #` inside a plain value, a quoted string followed by more (`'Mr ' & name`). In each case quoting is the fix, so the hint says "quote this
 * value" with the corrected line. Pure: works on the file's text.
 */

import { clip } from '../validation/clip.js';
import { shownName } from './diagnostics.js';

export interface QuoteHint {
  /** Offset of the value to quote. */
  offset: number;
  message: string;
}

const RESERVED = '`@%*&!|>{[';
/** `key: value` on one line of a block map (or a list item's first key). */
const BLOCK_ENTRY = /^(\s*(?:-\s+)?)([^\s#'"{[][^:#]*?):[ \t]+(\S.*?)\s*$/;

/** The hint for a problem reported at `offset`, when quoting the value on that line fixes it. */
export function quoteHint(text: string, lineStart: number, offset: number): QuoteHint | undefined {
  const lineEnd = text.indexOf('\n', lineStart);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd).replace(/\r$/, '');
  return flowMapHint(line, lineStart, offset - lineStart) ?? blockHint(line, lineStart);
}

function blockHint(line: string, lineStart: number): QuoteHint | undefined {
  const m = BLOCK_ENTRY.exec(line);
  if (!m) return undefined;
  const [, indent, key, value] = m as unknown as [string, string, string, string];
  const offset = lineStart + line.indexOf(value, indent.length + key.length + 1);
  const first = value[0]!;
  let why: string | undefined;
  if (RESERVED.includes(first)) why = `YAML reads a value starting with ${first} as ${meaning(first)}, not as text`;
  else if (value.includes(': ')) why = 'YAML reads ": " inside a plain value as a new key';
  else why = quotedStartHint(value);
  if (!why) return undefined;
  return { offset, message: `${why}: quote this value, e.g.  ${example(key.trim(), quoted(value))}` };
}

/**
 * `name: 'Mr ' & last_name`, JSONata's concatenation: YAML reads the quoted 'Mr ' as the whole
 * value, and the parser said "Unexpected anchor at node end" of the `&` after it.
 */
function quotedStartHint(value: string): string | undefined {
  const string = (value[0] === "'" ? /^'(?:[^']|'')*'/ : value[0] === '"' ? /^"(?:[^"\\]|\\.)*"/ : undefined)?.exec(value)?.[0];
  if (string === undefined) return undefined;
  const rest = value.slice(string.length).trim();
  if (rest === '' || rest.startsWith('#')) return undefined;
  return `YAML reads the quoted ${string} as the whole value, and cannot read the ${JSON.stringify(rest.slice(0, 20))} after it`;
}

/**
 * `key: 'value'`, each part shortened: the line may be a megabyte long (an expression of a
 * generated file), and the example was printed whole. The start shows which value is meant.
 */
function example(key: string, value: string): string {
  return `${shownName(key)}: ${clip(value, EXAMPLE_VALUE)}`;
}

/** Characters of the quoted value an example shows. */
const EXAMPLE_VALUE = 200;

/** The whole value quoted so that it stays as written: single quotes, or double ones around an expression holding single quotes. */
function quoted(value: string): string {
  return value.includes("'") && !/["\\]/.test(value) ? `"${value}"` : singleQuoted(value);
}

/** `{ file: out/users-{job}.csv }`: the `{` of `{job}` opens a map inside the flow map. */
function flowMapHint(line: string, lineStart: number, col: number): QuoteHint | undefined {
  if (!/^\s*(?:-\s+)?[^#{]*:\s*\{/.test(line)) return undefined;
  const before = line.slice(0, Math.max(0, col));
  const entry = /[{,]\s*([\w-]+):\s*(\S*)$/.exec(before);
  if (!entry) return undefined;
  const start = before.length - entry[2]!.length;
  const value = flowValue(line.slice(start));
  if (!value || !/[{}]/.test(value)) return undefined;
  return {
    offset: lineStart + start,
    message: `inside a { … } map, { and } are YAML's own: quote this value, e.g.  ${example(entry[1]!, singleQuoted(value))}`,
  };
}

/**
 * The value a flow map entry was meant to hold: up to a comma, a blank or the map's own `}`, each
 * only outside the value's braces. Cutting at the first `}` made `path: ${DBPATH} }` an example of
 * `'${DBPATH'`, and `${DB PATH}` one of `'${DB'`. Braces left open to the end of the line: to the
 * first comma or blank, as written.
 */
function flowValue(rest: string): string {
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '{') depth++;
    else if (c === '}' && depth === 0) return rest.slice(0, i);
    else if (c === '}') depth--;
    else if (depth === 0 && (c === ',' || /\s/.test(c))) return rest.slice(0, i);
  }
  return depth === 0 ? rest : (/^[^\s,]+/.exec(rest)?.[0] ?? '');
}

function meaning(c: string): string {
  switch (c) {
    case '*':
      return 'an alias (*name)';
    case '&':
      return 'an anchor (&name)';
    case '!':
      return 'a tag (!name)';
    case '|':
    case '>':
      return 'the start of a block of text';
    case '{':
      return 'a map';
    case '[':
      return 'a list';
    case '%':
      return 'a directive';
    default:
      return 'a reserved character';
  }
}

/** A YAML single-quoted scalar: no escapes but '' for a quote, so a JSONata expression stays as written. */
export function singleQuoted(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
