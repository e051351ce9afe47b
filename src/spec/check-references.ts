import { closestName, didYouMean } from './closest-name.js';
import { formatPath, shownName, type Diagnostic } from './diagnostics.js';
import { expressionRefs } from './expression-refs.js';
import { offsetInScalar } from './parse-pipeline.js';
import type { Pipeline } from './pipeline-schema.js';
import { offsetOf, positionOf, type YamlFile } from './yaml-document.js';
import { beyondAsciiEscaped } from './visible-text.js';

/**
 * Checks of a pipeline against what it names outside itself, given what the caller read (the
 * target table's columns, the source file's header or first records). Pure: src/project reads.
 */

/** Each mapped column must be a column of the target table; reported at its key. */
export function checkTargetColumns(
  y: YamlFile,
  columns: Pipeline['columns'],
  table: { name: string; columns: string[]; generated?: { names: readonly string[]; message: (name: string) => string } },
): Diagnostic[] {
  if (!columns || typeof columns !== 'object') return [];
  // A generated column is computed by the database: SQLite lists none, PostgreSQL lists them with the rest.
  const generated = table.generated?.names ?? [];
  const writable = table.columns.filter((name) => !generated.includes(name));
  return Object.keys(columns)
    .filter((name) => !writable.includes(name))
    .map((name) => {
      const { line, col } = positionOf(y, offsetOf(y, ['columns', name], 'key'));
      const at = { file: y.file, line, col, path: formatPath(['columns', name]) };
      if (table.generated && generated.includes(name)) return { ...at, message: table.generated.message(name) };
      const near = closestName(name, writable);
      const hint = near ? ` (did you mean ${near}?)` : `; its columns: ${writable.join(', ')}`;
      return { ...at, message: `table ${table.name} has no column "${shownName(name)}"${hint}` };
    });
}

/** What is known of the source's fields: a CSV header (certain), or the first records of a JSON file (a sample). */
export type SourceFields = { kind: 'header'; file: string; names: string[] } | { kind: 'sample'; file: string; records: Record<string, unknown>[] };

/**
 * Every field path a column's expression reads from the record must exist in the source: an error
 * against a CSV header, a warning against a JSON sample (a later record may have the field).
 */
export function checkSourceFields(y: YamlFile, columns: Pipeline['columns'], source: SourceFields): Diagnostic[] {
  if (!columns || typeof columns !== 'object') return [];
  if (source.kind === 'sample' && source.records.length === 0) return [];
  const out: Diagnostic[] = [];
  for (const [column, expr] of Object.entries(columns)) {
    if (typeof expr !== 'string') continue;
    for (const field of expressionRefs(expr).fields) {
      const problem = source.kind === 'header' ? headerProblem(field.path[0]!, source) : sampleProblem(field.path, source);
      if (!problem) continue;
      const path = ['columns', column];
      const { line, col } = positionOf(y, offsetInScalar(y, path, expr, field.offsets[problem.segment]!));
      out.push({
        file: y.file,
        line,
        col,
        path: formatPath(path),
        message: problem.message,
        ...(source.kind === 'sample' ? { severity: 'warning' as const } : {}),
      });
    }
  }
  return out;
}

/** What is wrong, and at which segment of the path. */
type Problem = { segment: number; message: string } | undefined;

function headerProblem(name: string, source: { file: string; names: string[] }): Problem {
  if (source.names.includes(name)) return undefined;
  const separator = otherDelimiterHint(source.names);
  if (separator) return { segment: 0, message: `field ${quoteField(name)} is not in the header of ${source.file}: ${separator}` };
  const composed = name.normalize('NFC');
  const form = source.names.find((column) => column.normalize('NFC') === composed);
  if (form !== undefined)
    return {
      segment: 0,
      message: `field ${quoteField(name)} is not in the header of ${source.file}, which has ${quoteField(form)}: the two look the same but write an accent differently, composed (é) or as a letter and a combining mark (e + U+0301): ${codePoints(name)} here, ${codePoints(form)} in the file. Hint: write the field as the file does`,
    };
  const near = didYouMean(name, source.names, quoteField);
  return {
    segment: 0,
    message: `field ${quoteField(name)} is not in the header of ${source.file}${near || `; its columns: ${columnList(source.names)}`}`,
  };
}

/** A name shortened, quoted, its characters beyond ASCII as \\uXXXX: two that look the same told apart. */
function codePoints(name: string): string {
  return beyondAsciiEscaped(JSON.stringify(shownName(name)));
}

/** Columns a message lists: a header of a million columns made a message of megabytes. */
const LISTED_COLUMNS = 30;

/** The header's first LISTED_COLUMNS columns, each shortened, then how many more there are. */
function columnList(names: readonly string[]): string {
  const listed = names.slice(0, LISTED_COLUMNS).map(quoteField).join(', ');
  return names.length > LISTED_COLUMNS ? `${listed} and ${names.length - LISTED_COLUMNS} more` : listed;
}

/** Separators a CSV written by a spreadsheet in many locales (`;`) or by other tools uses instead of the comma. */
const OTHER_DELIMITERS: Array<[string, string]> = [
  [';', '";"'],
  ['\t', '"\\t"'],
  ['|', '"|"'],
];

/**
 * A header read as one column that holds another separator (`email;name`): the file is separated
 * by it, and every field looked up "was not in the header" with `email;name` as the closest name.
 */
export function otherDelimiterHint(header: string[]): string | undefined {
  if (header.length !== 1) return undefined;
  const found = OTHER_DELIMITERS.find(([char]) => header[0]!.includes(char));
  if (!found) return undefined;
  // The header is one line of the file, which may be megabytes: quoteField shortens it.
  return `the header is one column, ${quoteField(header[0]!)}, holding ${found[1]}: is the file separated by it? set source.csv.delimiter: ${found[1]}`;
}

/** The first segment of `path` that no sampled record has (only below objects the sample has). */
function sampleProblem(path: string[], source: { file: string; records: Record<string, unknown>[] }): Problem {
  let level: unknown[] = source.records;
  for (let i = 0; i < path.length; i++) {
    const objects = level.flatMap(objectsIn);
    if (objects.length === 0) return undefined;
    const name = path[i]!;
    const present = objects.filter((o) => Object.hasOwn(o, name));
    if (present.length === 0) {
      const keys = new Set(objects.flatMap((o) => Object.keys(o)));
      const shown = [...path.slice(0, i), name].map(quoteField).join('.');
      return {
        segment: i,
        message: `no record among the first ${source.records.length} of ${source.file} has field ${shown}${didYouMean(name, keys, quoteField)}`,
      };
    }
    level = present.map((o) => o[name]);
  }
  return undefined;
}

function objectsIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
}

/** A field as it is written in JSONata: backquoted when it is not a plain name. */
function quoteField(name: string): string {
  // shortened: a field named in a mapping may be as long as the file lets a string be
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? shownName(name) : `\`${shownName(name)}\``;
}
