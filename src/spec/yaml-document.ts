import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

/** A parsed YAML file that can answer "where is the node at this path?". */
export interface YamlFile {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Parse errors (syntax), already as diagnostics; when non-empty the value is not trustworthy. */
  syntaxErrors: Diagnostic[];
}

export function parseYamlFile(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxErrors = [...doc.errors, ...doc.warnings].map((err) => {
    const offset = err.pos[0];
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, path: '', message: firstLine(err.message) };
  });
  return { file, text, doc, lineCounter, syntaxErrors };
}

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
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
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

export function nodeAt(y: YamlFile, path: readonly PropertyKey[]): Node | undefined {
  const found = y.doc.getIn(path as unknown[], true);
  return found && typeof found === 'object' ? (found as Node) : undefined;
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
