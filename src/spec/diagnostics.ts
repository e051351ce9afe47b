import { clip } from '../validation/clip.js';
import { visibleText } from './visible-text.js';

/** One problem found in a config or pipeline file, with the position of the offending node. */
export interface Diagnostic {
  file: string;
  /** 1-based line; 0 when the problem has no position (e.g. an unreadable file). */
  line: number;
  /** 1-based column. */
  col: number;
  /** Dotted path of the offending value (`target.upsert`, `columns.email`); empty for the whole file. */
  path: string;
  message: string;
  /** A warning (a guess from a sample of the data) does not make the file invalid. Absent: an error. */
  severity?: 'warning';
}

/**
 * `file:line:col path: message`, the shape editors and CI logs link to. One line, shown as written:
 * a key or value quoted from the file may hold an ESC (a terminal sequence that recolours or
 * erases what `validate` printed), a line end that forges another diagnostic, or a bidi override
 * that shows `given_name` for another name; each is written as an escape (`\x1b`, `\u202e`).
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const message = d.severity === 'warning' ? `warning: ${d.message}` : d.message;
  return visibleText(d.path ? `${where} ${d.path}: ${message}` : `${where} ${message}`);
}

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

/** Dotted path from a zod/YAML path: `columns.email`, `notify[0].webhook`; each key shortened by `shownName`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${shownName(String(part))}` : shownName(String(part));
  }
  return out;
}

/** Characters of a key or name from a file that a diagnostic shows. */
const SHOWN_NAME = 80;

/**
 * A key, column or connection name written in a file, as a diagnostic shows it: its first
 * SHOWN_NAME characters and "…". A key may be a megabyte long (YAML's `? key` form has no limit),
 * and was printed whole, twice (in the path and in the message).
 */
export function shownName(name: string): string {
  return clip(name, SHOWN_NAME);
}
