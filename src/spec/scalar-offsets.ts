import type { Scalar } from 'yaml';

/**
 * Where each character of a scalar's value sits in the file. A query or expression error has an
 * offset in the value; the file holds it written with escapes (`\"`, `\u0041`, `''`), folded over
 * lines (plain and quoted scalars, `>`), or indented (`|`), so the value offset plus the scalar's
 * start pointed columns away from the character, or at another line.
 *
 * The folding and escape rules are YAML 1.2's as the `yaml` parser applies them (its
 * resolve-flow-scalar and resolve-block-scalar), each output character paired with the offset of
 * the source it came from; a line fold's space or newline sits at the line break it replaces.
 * The result is checked against the parser's own value: on any difference (a case these rules do
 * not cover) the caller gets undefined, and falls back to the scalar's start rather than a wrong place.
 */
export function scalarOffsets(text: string, node: Scalar): number[] | undefined {
  const range = node.range;
  const value = typeof node.source === 'string' ? node.source : undefined;
  if (!range || value === undefined) return undefined;
  const [start, end] = range;
  let out: Out | undefined;
  switch (node.type) {
    case 'PLAIN':
      out = unfold(text, start, end);
      break;
    case 'QUOTE_SINGLE':
      out = singleQuoted(text, start, end);
      break;
    case 'QUOTE_DOUBLE':
      out = doubleQuoted(text, start, end);
      break;
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      out = blockCandidates(text, start, end, node.type === 'BLOCK_FOLDED', value);
      break;
    default:
      return undefined;
  }
  if (!out || out.chars.join('') !== value) return undefined;
  return [...out.at, out.end];
}

/** Output characters (UTF-16 units) and the file offset each came from; `end` stands for the value's end. */
interface Out {
  chars: string[];
  at: number[];
  end: number;
}

function emit(out: Out, s: string, offset: number): void {
  for (let i = 0; i < s.length; i++) {
    out.chars.push(s[i]!);
    out.at.push(offset);
  }
}

/** Source characters from `from` to `to`, each at its own offset. */
function copy(out: Out, text: string, from: number, to: number): void {
  for (let i = from; i < to; i++) emit(out, text[i]!, i);
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/** Plain and single-quoted folding: a line break is a space, n blank lines are n newlines; lines lose their edge blanks. */
function unfold(text: string, from: number, to: number, out: Out = { chars: [], at: [], end: to }): Out {
  const lines: { start: number; end: number; brk: number }[] = [];
  let s = from;
  for (let i = from; i < to; i++) {
    if (text[i] !== '\n') continue;
    lines.push({ start: s, end: i > s && text[i - 1] === '\r' ? i - 1 : i, brk: i });
    s = i + 1;
  }
  const last = { start: s, end: to, brk: to };
  if (lines.length === 0) {
    copy(out, text, from, to);
    return out;
  }
  const trimEnd = (a: number, b: number): number => {
    while (b > a && isBlank(text[b - 1])) b--;
    return b;
  };
  const first = lines[0]!;
  copy(out, text, first.start, trimEnd(first.start, first.end));
  let sep = ' ';
  let sepAt = first.brk;
  for (const line of lines.slice(1)) {
    let a = line.start;
    while (a < line.end && isBlank(text[a])) a++;
    const b = trimEnd(a, line.end);
    if (a === b) {
      if (sep === '\n') emit(out, '\n', line.brk);
      else sep = '\n';
    } else {
      emit(out, sep, sepAt);
      copy(out, text, a, b);
      sep = ' ';
    }
    sepAt = line.brk;
  }
  let a = last.start;
  while (a < last.end && isBlank(text[a])) a++;
  emit(out, sep, sepAt);
  copy(out, text, a, last.end);
  return out;
}

function singleQuoted(text: string, start: number, end: number): Out | undefined {
  if (text[start] !== "'" || text[end - 1] !== "'" || end - start < 2) return undefined;
  const folded = unfold(text, start + 1, end - 1, { chars: [], at: [], end: end - 1 });
  const out: Out = { chars: [], at: [], end: folded.end };
  for (let i = 0; i < folded.chars.length; i++) {
    out.chars.push(folded.chars[i]!);
    out.at.push(folded.at[i]!);
    if (folded.chars[i] === "'" && folded.chars[i + 1] === "'") i++;
  }
  return out;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};

/** Double quotes: escapes (each output character at its backslash), escaped line breaks, folding. */
function doubleQuoted(text: string, start: number, end: number): Out | undefined {
  if (text[start] !== '"' || text[end - 1] !== '"' || end - start < 2) return undefined;
  const out: Out = { chars: [], at: [], end: end - 1 };
  for (let i = start + 1; i < end - 1; i++) {
    const ch = text[i]!;
    if (ch === '\r' && text[i + 1] === '\n') continue;
    if (ch === '\n') {
      const brk = i;
      let fold = '';
      while (isBlank(text[i + 1]) || text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n')) {
        if (text[i + 1] === '\n') fold += '\n';
        i++;
      }
      emit(out, fold || ' ', brk);
    } else if (ch === '\\') {
      const at = i;
      const next = text[++i];
      if (next === undefined) return undefined;
      if (ESCAPES[next] !== undefined) emit(out, ESCAPES[next], at);
      else if (next === '\n' || (next === '\r' && text[i + 1] === '\n')) {
        if (next === '\r') i++;
        while (isBlank(text[i + 1])) i++;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const code = text.slice(i + 1, i + 1 + length);
        if (!/^[0-9a-fA-F]+$/.test(code) || code.length !== length) return undefined;
        const point = parseInt(code, 16);
        if (point > 0x10ffff) return undefined;
        emit(out, String.fromCodePoint(point), at);
        i += length;
      } else return undefined; // an invalid escape is a syntax error: no value to place
    } else if (isBlank(ch)) {
      // Blanks before a line break are dropped; others kept.
      const from = i;
      while (isBlank(text[i + 1])) i++;
      const next = text[i + 1];
      if (next !== '\n' && !(next === '\r' && text[i + 2] === '\n')) copy(out, text, from, i + 1);
    } else emit(out, ch, i);
  }
  return out;
}

/**
 * Block scalars. The indentation the lines lose is found as the parser finds it (the first
 * non-empty line's), except after an explicit indentation indicator (`|2`), which counts from the
 * parent's indentation this node does not record: each possible one is tried, and the one that
 * gives the parser's value is taken.
 */
function blockCandidates(text: string, start: number, end: number, folded: boolean, value: string): Out | undefined {
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd === -1 || headerEnd >= end) return undefined;
  const header = /^[|>]([-+]?)([1-9]?)([-+]?)/.exec(text.slice(start, headerEnd));
  if (!header) return undefined;
  const chomp = header[1] || header[3] || '';
  const explicit = Number(header[2] || 0);
  const block: Block = { text, from: headerEnd + 1, to: end, folded, chomp };
  if (explicit === 0) return blockScalar(block, undefined);
  for (let parent = 0; parent <= 200; parent++) {
    const out = blockScalar(block, parent + explicit);
    if (out && out.chars.join('') === value) return out;
  }
  return undefined;
}

interface Block {
  text: string;
  from: number;
  to: number;
  folded: boolean;
  chomp: string;
}

function blockScalar({ text, from, to, folded, chomp }: Block, fixedIndent: number | undefined): Out | undefined {
  // Lines as the parser splits them: [start, indent length, content start, content end (no \r), break offset].
  const lines: { start: number; indent: number; content: number; end: number; brk: number }[] = [];
  let s = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text[i] !== '\n') continue;
    let c = s;
    while (c < i && text[c] === ' ') c++;
    lines.push({ start: s, indent: c - s, content: c, end: i > c && text[i - 1] === '\r' ? i - 1 : i, brk: i });
    s = i + 1;
  }
  const empty = (l: (typeof lines)[number]): boolean => l.content === l.end;
  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0 && empty(lines[i]!); i--) chompStart = i;
  const out: Out = { chars: [], at: [], end: to };
  if (chompStart === 0) {
    // No content: `|+` keeps the lines as newlines (at least one), the other chompings nothing.
    if (chomp === '+' && lines.length > 0) for (let i = 0; i < Math.max(1, lines.length - 1); i++) emit(out, '\n', lines[i]!.brk);
    return out;
  }
  let trim = fixedIndent ?? 0;
  let contentStart = 0;
  for (let i = 0; i < chompStart; i++) {
    const l = lines[i]!;
    if (empty(l)) {
      if (fixedIndent === undefined && l.indent > trim) trim = l.indent;
    } else {
      if (fixedIndent === undefined) trim = l.indent;
      contentStart = i;
      break;
    }
  }
  for (let i = lines.length - 1; i >= chompStart; i--) if (lines[i]!.indent > trim) chompStart = i + 1;
  for (let i = 0; i < contentStart; i++) {
    const l = lines[i]!;
    copy(out, text, l.start + Math.min(trim, l.indent), l.start + l.indent);
    emit(out, '\n', l.brk);
  }
  let sep = '';
  let sepAt = from;
  let prevMore = false;
  for (let i = contentStart; i < chompStart; i++) {
    const l = lines[i]!;
    if (l.content < l.end && l.indent < trim) return undefined; // the parser's own BAD_INDENT error
    const kept = (): void => copy(out, text, l.start + Math.min(trim, l.indent), l.end);
    if (!folded) {
      emit(out, sep, sepAt);
      kept();
      sep = '\n';
    } else if (l.indent > trim || text[l.content] === '\t') {
      if (sep === ' ') sep = '\n';
      else if (!prevMore && sep === '\n') sep = '\n\n';
      emit(out, sep, sepAt);
      kept();
      sep = '\n';
      prevMore = true;
    } else if (empty(l)) {
      if (sep === '\n') emit(out, '\n', l.brk);
      else sep = '\n';
    } else {
      emit(out, sep, sepAt);
      copy(out, text, l.content, l.end);
      sep = ' ';
      prevMore = false;
    }
    sepAt = l.brk;
  }
  const lastBreak = lines[chompStart - 1]!.brk;
  out.end = lastBreak;
  if (chomp === '+') {
    for (let i = chompStart; i < lines.length; i++) {
      const l = lines[i]!;
      emit(out, '\n', lines[i - 1]!.brk);
      copy(out, text, l.start + Math.min(trim, l.indent), l.start + l.indent);
    }
    if (out.chars[out.chars.length - 1] !== '\n') emit(out, '\n', lastBreak);
  } else if (chomp === '') emit(out, '\n', lastBreak);
  return out;
}
