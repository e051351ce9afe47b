import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { shownName, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { quoteHint } from './yaml-hints.js';

/** A parsed YAML file that can answer "where is the node at this path?". */
export interface YamlFile {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Parse errors (syntax), already as diagnostics; when non-empty the value is not trustworthy. */
  syntaxErrors: Diagnostic[];
}

export function parseYamlFile(file: string, raw: string): YamlFile {
  // YAML 1.2 reads a lone CR (classic Mac line endings) as a line break; the parser does not, and
  // took a file whose first line is a comment for one comment: an empty ferry.yaml, so the default
  // connections silently replaced the configured ones. Same length: every offset stays true.
  const text = raw.replace(/\r(?!\n)/g, '\n');
  const lineCounter = new LineCounter();
  // Repeated keys are found here (duplicateKeys), not by the parser: its check compares each key with
  // every one before it, and a 1 MB file of 80,000 columns held `ferry validate` for many minutes.
  // resolveKnownTags: false: the parser otherwise turns YAML 1.1's !!binary, !!set, !!timestamp,
  // !!omap and !!pairs into a Buffer, Set, Date or Map even in YAML 1.2, which the schema then
  // described as "got a map", or listed a Buffer's hundred methods as unknown keys. Unresolved,
  // each is an unknown tag said at the tag.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, resolveKnownTags: false });
  const notText = notUtf8Text(file, text, lineCounter);
  const syntaxErrors = notText
    ? [notText]
    : sortDiagnostics(
        withoutEchoes([
          ...syntaxDiagnostics(file, text, doc, lineCounter),
          ...duplicateKeys(file, text, doc, lineCounter),
          ...olderYaml(file, text, doc, lineCounter),
        ]),
      );
  return { file, text, doc, lineCounter, syntaxErrors: syntaxErrors.length > 0 ? syntaxErrors : keyProblems(file, doc, lineCounter) };
}

/**
 * Keys that are not text. `<<: *base`: YAML 1.2 (which Ferry reads) has no merge key, so `<<` was
 * an unknown key and its map "did not match any allowed form". A list or map as a key (`? [a, b]`)
 * became the text "[ a, b ]", with a warning of the parser's own on stderr; an empty one (`~:`,
 * `null:`) "did not match any allowed form". Said at each, with the fix.
 */
function keyProblems(file: string, doc: Document.Parsed, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (node: unknown, message: string): void => void out.push({ file, ...lineCounter.linePos(rangeStart(node) ?? 0), path: '', message });
  visit(doc, {
    Pair(_key, pair) {
      if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key))
        at(pair.key, 'a key here is a list or a map: a key is a name (quote it if it is meant as text)');
      else if (isScalar(pair.key) && pair.key.value === null)
        at(pair.key, 'this key is empty (YAML reads ~, null or nothing as no key): write a name, quoted if it is "null"');
      else if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.type === 'PLAIN')
        at(pair.key, 'YAML merge keys (<<) are not supported (Ferry reads YAML 1.2, which has none): write the keys out in this map');
    },
  });
  return out;
}

/** On a line indented with a tab, the parser's misreading makes other errors too (a "duplicate key" of the line's own key): the tab is the one to say. */
function withoutEchoes(found: Diagnostic[]): Diagnostic[] {
  const tabbed = new Set(found.filter((d) => d.message === TAB_INDENT).map((d) => d.line));
  return tabbed.size === 0 ? found : found.filter((d) => d.message === TAB_INDENT || !tabbed.has(d.line));
}

/**
 * A `%YAML 1.1` directive makes the parser read the file as YAML 1.1: `yes`, `on` and a key `y:`
 * become booleans, `010` is 8, `1:20` is 80, a date is a timestamp and `<<` merges maps, all
 * silently, where the rest of Ferry (its messages, docs and `<<` check) is YAML 1.2's. Refused at
 * the directive. (A version the parser does not know, `%YAML 1.3`, is its own warning.)
 */
function olderYaml(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter): Diagnostic[] {
  const { version, explicit } = doc.directives?.yaml ?? { version: '1.2', explicit: false };
  if (!explicit || version === '1.2') return [];
  const at = /^%YAML\b/m.exec(text)?.index ?? 0;
  const message = `%YAML ${version}: Ferry reads YAML 1.2 only (in ${version}, yes/no/on/off, 010, 1:20, dates and << mean other things): remove this line`;
  return [{ file, ...lineCounter.linePos(at), path: '', message }];
}

/** A key repeated in its map (the later would replace the first), at the repeat: one lookup per key. */
function duplicateKeys(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (!seen.has(pair.key.value)) seen.add(pair.key.value);
        else {
          const at = pair.key.range?.[0] ?? 0;
          out.push({ file, ...lineCounter.linePos(at), path: '', message: ownMessage(text, { code: 'DUPLICATE_KEY', message: '', pos: [at, at + 1] })! });
        }
      }
    },
  });
  return out;
}

/**
 * A file that is not UTF-8 text: a UTF-16 one (Windows editors' "Unicode") read as UTF-8 holds a
 * NUL between every ASCII letter, which the parser takes as text (`expected object, got "��e\u0000n…"`).
 * YAML allows no NUL anywhere, so the first one is the place to say what the file is.
 */
function notUtf8Text(file: string, text: string, lineCounter: LineCounter): Diagnostic | undefined {
  const nul = text.indexOf('\u0000');
  if (nul === -1) return undefined;
  const utf16 = text.startsWith('\uFFFD\uFFFD') || /^(?:[^\u0000]\u0000){2}|^(?:\u0000[^\u0000]){2}/.test(text);
  const why = utf16 ? 'the file is UTF-16 text' : 'the file holds a NUL character: it is not YAML text';
  return { file, ...lineCounter.linePos(utf16 ? 0 : nul), path: '', message: `${why}; Ferry reads YAML as UTF-8: save it as UTF-8` };
}

/** The parser's errors, each line's replaced by one "quote this value" hint where quoting is the fix (yaml-hints.ts). */
function syntaxDiagnostics(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const hinted = new Set<number>();
  for (const err of [...doc.errors, ...doc.warnings]) {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    if (hinted.has(line)) continue;
    const lineStart = lineCounter.lineStarts[line - 1] ?? 0;
    const tab = /^ *\t/.exec(text.slice(lineStart, lineStart + 200));
    if (tab) {
      // Each parser error of the line said something else ("must use an explicit indentation indicator", "Implicit map keys…").
      hinted.add(line);
      out.push({ file, ...lineCounter.linePos(lineStart + tab[0].length - 1), path: '', message: TAB_INDENT });
      continue;
    }
    // Not a value YAML misread: "quote this value" was advice on the line's first { … } instead.
    const hint = quoteHint(text, lineCounter.lineStarts[line - 1] ?? 0, err.pos[0]);
    // A tag that is the value of a block entry (`email: !Email`) is JSONata quoting fixes; other tags and duplicate keys are not.
    const own = err.code === 'TAG_RESOLVE_FAILED' && hint?.offset === err.pos[0] ? undefined : ownMessage(text, err);
    if (own) {
      out.push({ file, line, col, path: '', message: own });
      continue;
    }
    if (hint) hinted.add(line);
    out.push(hint ? { file, ...lineCounter.linePos(hint.offset), path: '', message: hint.message } : { file, line, col, path: '', message: messageOf(err) });
  }
  return out.filter((d) => d.message !== '' && !(hinted.has(d.line) && !isHint(d)));
}

const TAB_INDENT = 'this line is indented with a tab: YAML indents with spaces only';

/** The parser's message, in Ferry's words where the parser's own name its API (`parseAllDocuments`). */
function messageOf(err: { code: string; message: string }): string {
  if (err.code === 'MULTIPLE_DOCS') return 'a second YAML document starts here: a Ferry file holds one (put each pipeline in a file of its own)';
  return firstLine(err.message);
}

/** Ferry's words for the errors quoting does not fix: a key written twice, a tag Ferry does not know. */
function ownMessage(text: string, err: { code: string; message: string; pos: [number, number] }): string | undefined {
  const source = text.slice(err.pos[0], err.pos[1]);
  if (err.code === 'DUPLICATE_KEY') {
    // The parser's range is the key's first character: the key runs to its `:` (or its closing quote).
    const key = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:,{}[\]\n]*[^\s:,{}[\]])/.exec(text.slice(err.pos[0]))?.[0] ?? source;
    return `duplicate key ${shownName(key)}: a key appears once in a map (the later one would replace the first)`;
  }
  // The parser's own message, not a hint to quote the value: on `name: { … }` that hint took the
  // intended map for the mistake, and showed the whole line.
  if (err.code === 'KEY_OVER_1024_CHARS')
    return 'this key is over 1024 characters long, more than YAML allows a key written without "? " (a line break or a closing quote may be missing before it)';
  // The parser recurses per level: thousands of nested maps or lists ran it out of stack ("Maximum call stack size exceeded").
  if (err.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(err.message))
    return 'the YAML nests too deeply here for the parser to read (hundreds of levels of maps or lists): a Ferry file needs a few';
  if (err.code === 'TAG_RESOLVE_FAILED') {
    const tag = /^!\S*/.exec(source)?.[0] ?? source;
    return `unknown YAML tag ${tag}: Ferry files hold plain values (quote the value when the ! is part of the text)`;
  }
  return undefined;
}

function isHint(d: Diagnostic): boolean {
  return d.message.includes('quote this value') || d.message === TAB_INDENT;
}

/**
 * The document as plain data, or why it cannot be: an alias (`*name`) whose anchor is not set,
 * which is what a JSONata expression starting with `*` becomes.
 */
export function plainValue(y: YamlFile): { value: unknown } | { diagnostics: Diagnostic[] } {
  try {
    return { value: y.doc.toJS() };
  } catch (err) {
    let offset = 0;
    visit(y.doc, { Alias: (_key, node) => (isAlias(node) && node.range ? ((offset = node.range[0]), visit.BREAK) : undefined) });
    const { line, col } = y.lineCounter.linePos(offset);
    // An alias bomb (aliases of aliases) is refused as such: quoting is no advice for it.
    const bomb = /excessive alias count/i.test((err as Error).message);
    const hint = bomb ? undefined : quoteHint(y.text, y.lineCounter.lineStarts[line - 1] ?? 0, offset);
    const message = bomb ? ALIAS_BOMB : (hint?.message ?? firstLine((err as Error).message));
    return { diagnostics: [{ file: y.file, ...(hint ? y.lineCounter.linePos(hint.offset) : { line, col }), path: '', message }] };
  }
}

/** The parser's "Excessive alias count indicates a resource exhaustion attack", in Ferry's words, with the fix. */
const ALIAS_BOMB =
  'these aliases (*name) expand to more values than the parser allows: aliases of lists of aliases grow the file exponentially (an alias bomb); a Ferry file needs none, write the values out';

export type NodeRole = 'key' | 'value';

/**
 * Offset of the node at `path`: the value node, or for `role: 'key'` the key of the last segment.
 * Walks up to the nearest existing ancestor when the path does not exist (a missing key is reported
 * at the map that lacks it).
 */
export function offsetOf(y: YamlFile, path: readonly PropertyKey[], role: NodeRole = 'value'): number {
  let node: unknown = y.doc.contents;
  let best = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const isLast = i === path.length - 1;
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair) return best;
      if (isLast && role === 'key') return rangeStart(pair.key) ?? best;
      node = pair.value;
      best = rangeStart(node) ?? rangeStart(pair.key) ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      best = rangeStart(node) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

/**
 * A map's pairs by key text (the first of a repeated key), built once per map: a lookup per
 * diagnostic that walked the map's items made 80,000 columns' diagnostics take minutes.
 */
function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = PAIRS.get(map);
  if (index === undefined) {
    index = new Map();
    for (const pair of map.items) if (isScalar(pair.key) && !index.has(String(pair.key.value))) index.set(String(pair.key.value), pair);
    PAIRS.set(map, index);
  }
  return index;
}

const PAIRS = new WeakMap<YAMLMap, Map<string, Pair>>();

/** The pair of `key` in `map`; walked when the index misses or is stale (ferry.yaml's keys are rewritten by interpolation). */
function pairOf(map: YAMLMap, key: string): Pair | undefined {
  const hit = pairsByKey(map).get(key);
  if (hit && isScalar(hit.key) && String(hit.key.value) === key) return hit;
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
}

export function nodeAt(y: YamlFile, path: readonly PropertyKey[]): Node | undefined {
  let node: unknown = y.doc.contents;
  for (const seg of path) {
    if (isMap(node)) node = pairOf(node, String(seg))?.value;
    else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
    else return undefined;
  }
  return node && typeof node === 'object' ? (node as Node) : undefined;
}

export function positionOf(y: YamlFile, offset: number): { line: number; col: number } {
  return y.lineCounter.linePos(offset);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
