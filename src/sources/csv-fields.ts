import { clip } from '../validation/clip.js';
import { isSecretName } from '../validation/mask.js';
import { beyondAsciiEscaped } from '../spec/visible-text.js';
import { csvMasker } from './mask-raw.js';
import type { RecordPlace } from './lines.js';
import { malformed } from './records.js';
import { setOwnField } from '../validation/own-field.js';
import type { SourceRecord } from './types.js';

/**
 * Splits one record's text (already cut by CsvSplitter, line end removed) into fields, with the
 * same rules: a quote opens a quoted field only at a field's start, `""` inside is a quote, and a
 * closing quote must be followed by the delimiter or the end of the record. Returns the fields, or
 * a string saying what is wrong.
 */
export function parseCsvFields(text: string, delimiter: string): string[] | string {
  const fields = splitCsvFields(text, delimiter);
  return Array.isArray(fields) ? fields : fields.error;
}

/**
 * parseCsvFields, with where in `text` (UTF-16 units) a problem is: a quote never closed, or what
 * follows a closing quote. `starts`, when given, gets where each field starts in `text`.
 */
export function splitCsvFields(text: string, delimiter: string, starts?: number[]): string[] | { error: string; index: number } {
  // Most records have no quote at all: the native split is many times faster than a char loop.
  if (text.indexOf('"') === -1) {
    const fields = text.split(delimiter);
    if (starts) for (let i = 0, at = 0; i < fields.length; at += fields[i]!.length + delimiter.length, i++) starts.push(at);
    return fields;
  }
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    starts?.push(i);
    if (text.charCodeAt(i) === QUOTE) {
      const field = quotedField(text, i + 1);
      if (typeof field === 'string') return { error: `${field} (column ${fields.length + 1})`, index: i };
      fields.push(field.value);
      i = field.next;
      if (i === text.length) return fields;
      if (text[i] !== delimiter) return { error: `unexpected ${JSON.stringify(text[i])} after a closing quote (column ${fields.length})`, index: i };
    } else {
      const next = text.indexOf(delimiter, i);
      fields.push(text.slice(i, next === -1 ? text.length : next));
      if (next === -1) return fields;
      i = next;
    }
    i += 1;
  }
}

/**
 * Builds records for one header: values are strings and an empty cell is left out, so "absent"
 * reaches mapping and validation the same way from CSV as from JSON.
 */
export class CsvRecordBuilder {
  /** The column named `__proto__`, or -1: plain assignment would set the record's prototype instead of a field. */
  private readonly protoColumn: number;
  /** Why rows may not match the header's width, said with every such row; '' for a header with no empty name. */
  private readonly widthHint: string;

  /** A header with a secret column: an error quotes no character of a cell, which may be one of a secret's. */
  private readonly quotesNoCell: boolean;
  /** The raw text of a row that did not parse, its secret columns' cells masked (mask-raw.ts). */
  readonly maskRaw: (raw: string) => string;

  /** `singleByte`: the file is read one byte a character (latin1), not UTF-8, for where in the file a problem is. */
  constructor(
    private readonly header: readonly string[],
    private readonly delimiter: string,
    private readonly singleByte = false,
  ) {
    this.protoColumn = header.indexOf('__proto__');
    this.widthHint = emptyNameHint(header);
    this.maskRaw = csvMasker(header, delimiter);
    this.quotesNoCell = header.some((name) => isSecretName(name));
  }

  /**
   * `place`: where the row is in the file, for where a problem is (`users.csv:4:9 (byte 40)`), as
   * JSON's errors say it: a row's number counts records, not lines, since a quoted field may hold
   * line breaks.
   */
  build(text: string, row: number, place?: RecordPlace): SourceRecord {
    // Only the file's first byte order mark is its marker (record-cutter.ts); one starting a row is
    // a file joined with its own, and would go unseen into the row's first value.
    if (text.startsWith(BOM))
      return malformed(
        row,
        text,
        `it starts with a byte order mark (U+FEFF; only the one at the start of the file is dropped: files joined with theirs?)${this.where(text, 0, place)}`,
        this.maskRaw,
      );
    const fields = splitCsvFields(text, this.delimiter);
    if (!Array.isArray(fields)) {
      const error = this.quotesNoCell ? fields.error.replace(/^unexpected "(?:[^"\\]|\\.)*"/, 'unexpected character') : fields.error;
      return malformed(row, text, `${error}${this.where(text, fields.index, place)}`, this.maskRaw);
    }
    const header = this.header;
    if (fields.length !== header.length) {
      return malformed(row, text, `expected ${header.length} columns, got ${fields.length}${this.where(text, 0, place)}${this.widthHint}`, this.maskRaw);
    }
    const record: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) {
      const value = fields[i];
      if (!value) continue;
      if (i === this.protoColumn) setOwnField(record, '__proto__', value);
      else record[header[i]!] = value;
    }
    return { row, record };
  }

  /** ` at users.csv:4:9 (byte N)` for `text[index]` (` at byte N of the file` when the lines are not known), or '' without the row's place. */
  private where(text: string, index: number, place: RecordPlace | undefined): string {
    if (place === undefined) return '';
    return ` at ${place.of(this.singleByte ? index : Buffer.byteLength(text.slice(0, index)))}`;
  }
}

/** What is wrong with a header row, and where in its text (UTF-16 units): the file's place is said from it. */
export interface HeaderProblem {
  error: string;
  index: number;
}

/**
 * Parses a header row: the same rules as data, plus names must be unique (a duplicate would make
 * one column silently overwrite another) and not all blank: a file of spaces (a failed upstream
 * export) would otherwise be a header naming a column "   " and 0 users, a job that succeeds,
 * where an empty file fails. Returns the names or what is wrong, and where. `starts`, when given,
 * gets where each name starts in `text`.
 */
export function parseCsvHeader(text: string, delimiter: string, starts: number[] = []): string[] | HeaderProblem {
  const names = splitCsvFields(text, delimiter, starts);
  if (!Array.isArray(names)) return names;
  if (names.every((name) => BLANK.test(name))) {
    return {
      error:
        'every column name is blank (spaces or tabs only). Hint: a CSV file with no users still has its header line; set csv.header: false for a file without one',
      index: 0,
    };
  }
  const marked = names.findIndex((name) => name.includes(BOM));
  if (marked !== -1) return { error: bomInName(names[marked]!, marked), index: text.indexOf(BOM, starts[marked]) };
  // A file of zero bytes (space kept for a write that never came, a disk full) has no line end: its
  // one "name" of NULs read as a header of 0 users, a job that succeeded on nothing.
  const nul = names.findIndex((name) => name.includes('\u0000'));
  if (nul !== -1)
    return {
      error: `column ${nul + 1}'s name holds a NUL byte (0x00), which no text has: the file is binary, or zeros from a write that never finished. Hint: check the file, or export it again`,
      index: text.indexOf('\u0000', starts[nul]),
    };
  const seen = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    const earlier = seen.get(name);
    if (earlier !== undefined) return { error: `column name ${shown(name)} appears twice (columns ${earlier + 1} and ${i + 1})`, index: starts[i]! };
    seen.set(name, i);
  }
  return names;
}

/**
 * What a header the job takes may still do that its author did not mean, for `validate` to warn
 * of, each at the first name it is about (its index in `names`): names of blanks only, which no
 * mapping means to read (an empty name is told of where the mapping is known); names that differ
 * only by case or blanks around them (`email`, `Email `), of which a mapping reads the one it
 * names exactly and the other's values go nowhere; and a first line that looks like data, a file
 * without a header row read as if it had one (its first user taken for names). One message a
 * kind, its first few columns listed and names clipped: a header of thousands of them is one line.
 */
export function headerCautions(names: readonly string[]): { column: number; message: string }[] {
  const out: { column: number; message: string }[] = [];
  const blanks: number[] = [];
  const twins: [number, number][] = [];
  const forms: [number, number][] = [];
  const folded = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (BLANK.test(name)) {
      if (name !== '') blanks.push(i);
      continue;
    }
    // NFC too: `namé` written with é and with e + U+0301 look the same, and are two columns.
    const key = name.trim().normalize('NFC').toLowerCase();
    const earlier = folded.get(key);
    if (earlier === undefined) folded.set(key, i);
    else if (names[earlier]!.trim().toLowerCase() === name.trim().toLowerCase()) twins.push([earlier, i]);
    else forms.push([earlier, i]);
  }
  if (blanks.length > 0) {
    const which = blanks.length === 1 ? `column ${blanks[0]! + 1}'s name is` : `${blanks.length} column names are`;
    out.push({
      column: blanks[0]!,
      message: `${which} blanks only (${listed(blanks.map((i) => `column ${i + 1}: ${shown(names[i]!)}`))}): with columns:, their values are dropped unless an entry names them so; without, a row with a value in one is rejected (UNKNOWN_FIELD). Hint: name them in the header line`,
    });
  }
  if (twins.length > 0) {
    const pairs = twins.map(([a, b]) => `columns ${a + 1} and ${b + 1}, ${shown(names[a]!)} and ${shown(names[b]!)}`);
    out.push({
      column: twins[0]![1],
      message: `column names differ only by case or blanks around them (${listed(pairs)}): they are distinct columns, a field reads the one it names exactly, and the other's values go nowhere unless mapped too. Hint: rename or remove one in the header line`,
    });
  }
  if (forms.length > 0) {
    const pairs = forms.map(([a, b]) => `columns ${a + 1} and ${b + 1}, ${escaped(names[a]!)} and ${escaped(names[b]!)}`);
    out.push({
      column: forms[0]![1],
      message: `column names differ only in how their accents are written, composed (é) or as a letter and a combining mark (e + U+0301), so they look the same (${listed(pairs)}): they are distinct columns, a field reads the one written as it is, and the other's values go nowhere unless mapped too. Hint: save the file with composed characters (NFC), or rename one in the header line`,
    });
  }
  const data = names.findIndex((name) => EMAIL_LIKE.test(name));
  if (data !== -1)
    out.push({
      column: data,
      message: `column ${data + 1}'s name ${shown(names[data]!)} looks like an email address: is this line a user, in a file without a header row? It is read as the header, and that user is not imported. Hint: set csv.header: false for a file without one`,
    });
  return out;
}

/** A name as a message shows it: quoted, clipped. */
const shown = (name: string): string => JSON.stringify(clip(name, 40));

/** A name as a message shows it when only its code points tell it from another: quoted, clipped, beyond ASCII as \\uXXXX. */
const escaped = (name: string): string => beyondAsciiEscaped(JSON.stringify(clip(name, 40)));

/** The first few of `items`, and how many more. */
function listed(items: string[]): string {
  return items.length > 5 ? `${items.slice(0, 5).join('; ')}; and ${items.length - 5} more` : items.join('; ');
}

/** A name that is an email address: a user's row read as the header. */
const EMAIL_LIKE = /^[^\s@",]+@[^\s@",]+\.[^\s@",]+$/;

/**
 * A column name holding U+FEFF (a byte order mark) is refused: it looks like `Email` wherever it
 * is shown, but a mapping of `Email` finds nothing in it. Exactly one BOM, at the start of the
 * file, is the file's marker and is dropped (record-cutter.ts); a second one right after it (a
 * file re-saved or concatenated with its marker), or one after blank lines, is data, and lands in
 * the first name.
 */
function bomInName(name: string, index: number): string {
  // Only the text of the header line is known here: a BOM at its start follows either the file's
  // marker (two at the start of the file) or blank lines, so the message says what both share.
  const where =
    name.startsWith(BOM) && index === 0
      ? "the header line starts with a byte order mark that is not the file's marker (only one, as the very first character of the file, is dropped), so "
      : '';
  const shown = JSON.stringify(name).replaceAll(BOM, '\\uFEFF');
  return `${where}column ${index + 1}'s name holds an invisible U+FEFF (byte order mark): ${shown}, which a mapping of ${JSON.stringify(name.replaceAll(BOM, ''))} would not find. Hint: remove it from the header line`;
}

/**
 * A header line ending with the delimiter (`email,name,`) names one more column than its rows
 * have, an empty one; without this, every row's "expected 3 columns, got 2" hides the cause.
 * No quotes in it: a parse error's quoted text is masked when the row may hold a secret.
 */
function emptyNameHint(header: readonly string[]): string {
  // A name of spaces is as empty to the eye: `email,name, ` ends with the delimiter and a space.
  const empty = header.flatMap((name, i) => (BLANK.test(name) ? [i + 1] : []));
  if (empty.length === 0) return '';
  if (empty.length === 1 && empty[0] === header.length)
    return `: the header's last column (column ${header.length}) has an empty name, so the header line ends with the delimiter${header.at(-1) === '' ? '' : ' and blanks'}. Hint: remove the delimiter at the end of the header line`;
  const listed = empty.length > 5 ? `${empty.slice(0, 5).join(', ')}, …` : empty.join(', ');
  return `: the header has ${empty.length === 1 ? 'an empty column name at column' : `${empty.length} empty column names, at columns`} ${listed}. Hint: check the header line for a doubled or trailing delimiter`;
}

/** col1…colN for a file without a header row. */
export function numberedColumns(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `col${i + 1}`);
}

const QUOTE = 0x22;
const BOM = '\uFEFF';
/** Empty, or nothing but spaces and tabs. */
const BLANK = /^[ \t]*$/;

/** Content of a quoted field starting after its opening quote, and the index after its closing quote. */
function quotedField(text: string, from: number): { value: string; next: number } | string {
  let value = '';
  let i = from;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) return 'unbalanced quote: a quoted field is not closed';
    value += text.slice(i, q);
    if (text.charCodeAt(q + 1) !== QUOTE) return { value, next: q + 1 };
    value += '"';
    i = q + 2;
  }
}
