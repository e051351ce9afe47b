import { existsSync } from 'node:fs';
import { hasErrorCode, isRetryable, MISSING_TABLE } from '../connections/errors.js';
import { openConnection } from '../connections/index.js';
import { generatedColumnNames, identityColumnNames, refusedIdentityColumns } from '../connections/table-shape.js';
import { identityColumns, storeRejects } from '../connections/write-rules.js';
import type { ColumnInfo, Connection, TableUse } from '../connections/types.js';
import { usersTableColumns } from '../connections/users-table.js';
import { checkQuery } from '../query/compile-query.js';
import { checkSort } from '../query/keyset.js';
import { parseQuery } from '../query/parse-query.js';
import { QueryError } from '../query/query-error.js';
import { valueProbes, type ValueProbe } from '../query/value-probes.js';
import { openRegularFile } from '../sources/regular-file.js';
import { MAX_RECORD_BYTES } from '../sources/record-cutter.js';
import type { FileHandle } from 'node:fs/promises';
import { sampleSource, type SourceSample } from '../sources/sample.js';
import type { FileSourceOptions } from '../sources/types.js';
import { checkSourceFields, checkTargetColumns, otherDelimiterHint } from '../spec/check-references.js';
import { didYouMean } from '../spec/closest-name.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import { formatPath, shownName, sortDiagnostics } from '../spec/diagnostics.js';
import { offsetInScalar } from '../spec/parse-pipeline.js';
import { offsetOf, parseYamlFile, positionOf, type YamlFile } from '../spec/yaml-document.js';
import { displayPath, type Project } from './load-config.js';
import { loadPipeline, type LoadedPipeline, type LoadResult } from './load-pipeline.js';
import { ownField } from '../validation/own-field.js';
import { headerColumnPlace } from './header-place.js';

/** How many records of a JSON or NDJSON source `validate` reads to check the fields the columns use. */
export const FIELD_SAMPLE_RECORDS = 100;

/**
 * `loadPipeline`, then what the pipeline names checked against the real things, so that a typo is
 * reported by `ferry validate` (and before `ferry run` starts a job) at its line and column
 * instead of as thousands of rejects: an export's query and sort against the source table's
 * columns (`file:line:col source.query: unknown field "nick"; …`), the mapped columns against the
 * target table's, and the fields the columns read against the CSV header (or, as warnings, the
 * first records of a JSON file). Warnings come back with a valid pipeline.
 */
export async function loadCheckedPipeline(project: Project, cwd: string, file: string): Promise<LoadResult> {
  const result = loadPipeline(project, cwd, file);
  if (!result.ok) {
    if (result.shaped === undefined) return result;
    // The file has problems of its own; those against the store and the source are reported with them.
    const found = await checkLoaded(project, cwd, result.shaped);
    return { ok: false, file: result.file, diagnostics: sortDiagnostics([...result.diagnostics, ...found.filter((d) => d.severity !== 'warning')]) };
  }
  const found = await checkLoaded(project, cwd, result.loaded);
  if (found.some((d) => d.severity !== 'warning')) return { ok: false, file: result.loaded.file, diagnostics: sortDiagnostics(found) };
  return found.length > 0 ? { ...result, warnings: sortDiagnostics(found) } : result;
}

async function checkLoaded(project: Project, cwd: string, loaded: LoadedPipeline): Promise<Diagnostic[]> {
  const empty = await emptySource(cwd, loaded);
  if (empty) return [...(await checkSource(project, loaded)), ...(await checkTarget(project, loaded)), empty];
  return [...(await checkSource(project, loaded)), ...(await checkTarget(project, loaded)), ...(await checkFields(project, cwd, loaded))];
}

/**
 * Past this many bytes of blank lines a source is not read further to tell whether it holds only
 * them: as far as a job reads for its first record (a header of that size is one a job reads).
 */
const BLANK_CHECK_BYTES = MAX_RECORD_BYTES;
const BLANK_CHUNK_BYTES = 64 * 1024;

/**
 * A source file with nothing in it (0 bytes, or only blank lines and a byte order mark), which the
 * job refuses when it plans (a CSV has no header row, a JSON file no array): validate said ok. An
 * NDJSON file with no line is a valid file of no users, and a CSV read with `header: false` too.
 * Read until its first byte that is no blank, so a file of 100,000 line ends is told too.
 */
async function emptySource(cwd: string, loaded: LoadedPipeline): Promise<Diagnostic | undefined> {
  const { source } = loaded.pipeline;
  if (!('file' in source) || !loaded.sourcePath || !loaded.sourceFormat || loaded.sourceFormat === 'ndjson') return undefined;
  if (loaded.sourceFormat === 'csv' && source.csv?.header === false) return undefined;
  let size: number;
  try {
    // One handle, checked and read: a stat of the path, then a read of it, would hang on a path
    // swapped for a named pipe in between.
    const file = await openRegularFile(loaded.sourcePath);
    try {
      size = await blankBytes(file);
    } finally {
      await file.close();
    }
  } catch {
    return undefined; // the job's plan reports a file it cannot read, with the system's reason
  }
  if (size < 0) return undefined;
  const shown = displayPath(cwd, loaded.sourcePath);
  const what = size === 0 ? 'it is empty (0 bytes)' : 'it holds only blank lines';
  const message =
    loaded.sourceFormat === 'csv'
      ? `${shown} has no header row: ${what}. Hint: a CSV file with no users still has its header line; set csv.header: false for a file without one`
      : `${shown} holds no JSON array of users: ${what}. Hint: a file of no users is []`;
  return diagnosticAt(loaded, ['source', 'file'], message);
}

/**
 * The size of a file that holds only blank lines (spaces, tabs, line ends) after an optional UTF-8
 * byte order mark, or -1: a byte that is no blank, or more than BLANK_CHECK_BYTES of them.
 */
async function blankBytes(file: FileHandle): Promise<number> {
  const buf = Buffer.alloc(BLANK_CHUNK_BYTES);
  for (let position = 0; position <= BLANK_CHECK_BYTES;) {
    const { bytesRead } = await file.read(buf, 0, buf.length, position);
    if (bytesRead === 0) return position;
    const start = position === 0 && buf.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
    for (let i = start; i < bytesRead; i++) if (!BLANKS.has(buf[i]!)) return -1;
    position += bytesRead;
  }
  return -1;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const BLANKS = new Set([0x20, 0x09, 0x0d, 0x0a]);

/** The target store, opened; the mapped columns of an import or migration against its table's columns. */
async function checkTarget(project: Project, loaded: LoadedPipeline): Promise<Diagnostic[]> {
  const { target, columns } = loaded.pipeline;
  if (!('connection' in target)) return [];
  const table = await tableColumns(project, target.connection, target.table);
  if (!table) return [];
  // A store that cannot be opened is said with or without columns: without, validate said ok and the run failed on it.
  if ('problem' in table) return [connectionProblem(loaded, 'target', target.connection, table.problem)];
  if (!columns || typeof columns !== 'object') return [];
  // A GENERATED ALWAYS identity is refused as a generated column is, unless it is the key of an upsert.
  const key = typeof target.key === 'string' ? [target.key] : target.key;
  const identity = refusedIdentityColumns(table.identity ?? [], Object.keys(columns), { key, upsert: target.upsert });
  const computed = table.generated ?? [];
  const found = checkTargetColumns(parseYamlFile(loaded.file, loaded.text), columns, {
    name: table.name,
    columns: table.columns.map((c) => c.name),
    generated: {
      names: [...computed, ...identity.map((i) => i.name)],
      message: (name) => {
        if (computed.includes(name)) return storeRejects.computedColumn(name, table.name).message;
        const { fault, fix } = identityColumns([name], table.name, identity.find((i) => i.name === name)?.insertMode);
        return `${fault}. Hint: ${fix}`;
      },
    },
  });
  const keyWarning = notUniqueKey(loaded, table.name, table.columns);
  return keyWarning ? [...found, keyWarning] : found;
}

/**
 * A one-column key that the table does not hold unique (no primary key, no unique index on it):
 * each record whose key matches several stored users is rejected as CONFLICT ("more than one user
 * matches"), which validate did not foretell. A warning: the stored values may all differ today.
 * A key of several columns may be unique together, which the table's description does not say.
 */
function notUniqueKey(loaded: LoadedPipeline, table: string, columns: ColumnInfo[]): Diagnostic | undefined {
  const { target } = loaded.pipeline;
  if (!('key' in target)) return undefined;
  const key = typeof target.key === 'string' ? [target.key] : target.key;
  if (key.length !== 1) return undefined;
  const column = columns.find((c) => c.name === key[0]);
  if (!column || column.unique || column.primaryKey) return undefined;
  const unique = columns.filter((c) => c.unique || c.primaryKey).map((c) => c.name);
  const message =
    `key column ${column.name} is not unique in table ${table}: a record that matches more than one stored user is rejected as CONFLICT` +
    (unique.length > 0 ? ` (unique columns: ${unique.join(', ')})` : '');
  return { ...diagnosticAt(loaded, ['target', 'key'], message), severity: 'warning' };
}

/** The CSV header as the job would read it; the fields the columns read, against it (CSV) or the first records (JSON, NDJSON). */
async function checkFields(project: Project, cwd: string, loaded: LoadedPipeline): Promise<Diagnostic[]> {
  const { source, columns } = loaded.pipeline;
  const mapped = columns && typeof columns === 'object' ? columns : undefined;
  // An identity mapping reads no named field, but a file the job would refuse (a CSV header, a JSON
  // file that is no array, a UTF-16 file) is still worth saying.
  if (!('file' in source) || !loaded.sourcePath || !loaded.sourceFormat) return [];
  const csv = source.csv ?? { delimiter: ',', header: true, encoding: 'utf8' as const };
  const shown = displayPath(cwd, loaded.sourcePath);
  const sample = await sampleSource({ path: loaded.sourcePath, format: loaded.sourceFormat, csv }, FIELD_SAMPLE_RECORDS, shown);
  if (!sample) return [];
  if ('problem' in sample) return [diagnosticAt(loaded, ['source', 'file'], sample.problem)];
  if (!mapped) return sample.format === 'csv' ? [...(await checkIdentityHeader(project, loaded, shown, sample.header)), ...cautionOf(loaded, sample)] : [];
  const fields =
    sample.format === 'csv'
      ? { kind: 'header' as const, file: shown, names: sample.header }
      : { kind: 'sample' as const, file: shown, records: sample.records };
  const found = checkSourceFields(parseYamlFile(loaded.file, loaded.text), mapped, fields);
  const unnamed = sample.format === 'csv' ? await unnamedColumns(loaded, shown, { path: loaded.sourcePath, format: 'csv', csv }, sample.header) : undefined;
  return [...found, ...(unnamed ? [unnamed] : []), ...cautionOf(loaded, sample)];
}

/** What the head of the file suggests the job may refuse, as a warning (`SourceSample` caution). */
function cautionOf(loaded: LoadedPipeline, sample: SourceSample): Diagnostic[] {
  return 'caution' in sample && sample.caution !== undefined ? [{ ...diagnosticAt(loaded, ['source', 'file'], sample.caution), severity: 'warning' }] : [];
}

/**
 * A CSV column with an empty name (`email,,name`): no entry of `columns:` can read it, so the values
 * under it are dropped without a word. There is at most one (a second is a duplicate name, which
 * the header refuses). A warning, not an error: a column left empty drops nothing.
 */
async function unnamedColumns(loaded: LoadedPipeline, shown: string, options: FileSourceOptions, header: readonly string[]): Promise<Diagnostic | undefined> {
  const index = header.indexOf('');
  if (index === -1) return undefined;
  // At the column's place in the file, as the header's other warnings are (`users.csv:1:7 (byte 6)`).
  const place = (await headerColumnPlace(options, shown, index)) ?? shown;
  const message = `column ${index + 1} of the header of ${place} has no name: no entry of columns: can read it, so any value in it is dropped. Hint: name it in the header line (or remove a doubled delimiter)`;
  return { ...diagnosticAt(loaded, ['source', 'file'], message), severity: 'warning' };
}

/**
 * Without `columns`, each CSV column goes to the table column of its exact name, and a row with a
 * value in a column the table lacks is rejected (UNKNOWN_FIELD): a header of `Email` or `email `
 * would reject every row while validate said ok. A warning, not an error: a column whose cells are
 * all empty rejects nothing.
 */
async function checkIdentityHeader(project: Project, loaded: LoadedPipeline, shown: string, header: string[]): Promise<Diagnostic[]> {
  const { target } = loaded.pipeline;
  if (!('connection' in target)) return [];
  const table = await tableColumns(project, target.connection, target.table);
  if (!table || 'problem' in table) return [];
  const known = table.columns.map((c) => c.name);
  const unknown = header.filter((name) => !known.includes(name));
  if (unknown.length === 0) return [];
  // Names clipped, as every header warning shows them: one name of 10 MB was printed whole. A
  // header split by another separator has it among the first characters of its one name.
  const separator = otherDelimiterHint(header.map((name) => shownName(name)));
  if (separator) {
    const message = `${shown}: ${separator} (as it is, every row with a value is rejected: UNKNOWN_FIELD)`;
    return [{ ...diagnosticAt(loaded, ['source', 'file'], message), severity: 'warning' }];
  }
  const listed = unknown.slice(0, MAX_LISTED).map((name) => `${JSON.stringify(shownName(name))}${didYouMean(name, known)}`);
  const more = unknown.length > MAX_LISTED ? ` and ${unknown.length - MAX_LISTED} more` : '';
  const message =
    `${unknown.length} column(s) of the header of ${shown} match no column of table ${table.name}: ${listed.join(', ')}${more}. ` +
    'Without columns:, a CSV column goes to the table column of the same name, so every row with a value in these is rejected (UNKNOWN_FIELD). ' +
    'Hint: rename them in the header, or map the ones you want under columns:';
  return [{ ...diagnosticAt(loaded, ['source', 'file'], message), severity: 'warning' }];
}

/** The header names a message lists; a file of 3,000 extra columns is counted, not listed. */
const MAX_LISTED = 10;

async function checkSource(project: Project, loaded: LoadedPipeline): Promise<Diagnostic[]> {
  const { source } = loaded.pipeline;
  if (!('connection' in source)) return [];
  const table = await tableColumns(project, source.connection, source.table, source.query, 'read');
  if (table && 'problem' in table) return [connectionProblem(loaded, 'source', source.connection, table.problem)];
  const columns = table?.columns;
  const out: Diagnostic[] = [];
  const queryError = columns ? checkQuery(source.query, columns) : syntaxError(source.query);
  if (queryError) out.push(at(loaded, ['source', 'query'], source.query, queryError));
  for (const { probe, message } of table?.refused ?? [])
    out.push(at(loaded, ['source', 'query'], source.query, new QueryError(`${probe.field}: the store refuses this value: ${message}`, probe.offset)));
  const sortError = columns && source.sort ? checkSort(source.sort.by, columns) : undefined;
  if (sortError && source.sort) out.push(at(loaded, ['source', 'sort', 'by'], source.sort.by, sortError));
  return out;
}

/**
 * A table's columns, read inside a preview (rolled back) so that validating creates nothing: a
 * missing table would be created as the built-in users table, and that is what comes back. A
 * SQLite file that does not exist yet is not created either: it will get the built-in table.
 * Undefined when the store cannot be reached (a server may be down while pipelines are checked:
 * the run reports it when it plans); a SQLite file that cannot be opened is a `problem`.
 */
async function tableColumns(
  project: Project,
  name: string,
  table: string | undefined,
  query?: string,
  use: TableUse = 'write',
): Promise<{ name: string; columns: ColumnInfo[]; generated?: string[]; identity?: string[]; refused?: RefusedValue[] } | { problem: string } | undefined> {
  const options = ownField(project.config.connections, name);
  if (!options) return undefined;
  // A store not made yet (a fresh clone, before its first import) will hold the built-in table; a
  // source reading it then finds its table or fails the run, so there is nothing to tell yet.
  if (options.driver === 'sqlite' && options.path !== ':memory:' && !existsSync(options.path))
    return { name: table ?? options.table, columns: builtInColumns() };
  try {
    const connection = await openConnection(table ? { ...options, table } : options, { baseDir: project.rootDir });
    try {
      const { columns, generated, identity } = await connection.preview(async () => ({
        columns: await connection.columns(use),
        generated: await generatedColumnNames(connection),
        identity: await identityColumnNames(connection),
      }));
      // SQLite parses no value of its own: only a server's types (uuid, enum, inet…) refuse one.
      if (query === undefined || options.driver === 'sqlite' || checkQuery(query, columns)) return { name: connection.table, columns, generated, identity };
      const refused = await refusedValues(connection, valueProbes(query, columns));
      return { name: connection.table, columns, refused: refused.map((r) => ({ ...r, message: project.masker.mask(r.message) })) };
    } finally {
      await connection.close();
    }
  } catch (err) {
    // A server may be down while the pipeline is checked; a SQLite file that cannot be opened, or a
    // source's table that is not there (any store), is a mistake in the project.
    if ((options.driver === 'sqlite' && !isRetryable(err)) || hasErrorCode(err, MISSING_TABLE))
      return { problem: project.masker.mask(err instanceof Error ? err.message : String(err)) };
    return undefined;
  }
}

interface RefusedValue {
  probe: ValueProbe;
  message: string;
}

/** At most this many values refused are reported: the first ones say what is wrong. */
const MAX_REFUSED = 10;

/**
 * The query's values the store refuses for their column's type, each tried in a query of no rows
 * (LIMIT 0: the server parses the values and reads nothing). All values at once first, in one
 * round trip; only when that fails, halves of them, down to the values at fault. A failure that
 * is not about a value (a lost connection, no permission) ends the check without a word: the run
 * reports it when it plans.
 */
async function refusedValues(connection: Connection, probes: ValueProbe[]): Promise<RefusedValue[]> {
  const found: RefusedValue[] = [];
  const check = async (group: ValueProbe[]): Promise<void> => {
    if (group.length === 0 || found.length >= MAX_REFUSED) return;
    try {
      await connection.readPage({ query: group.map((p) => p.query).join(' OR '), after: null, limit: 0, fields: [] });
      return;
    } catch (err) {
      const refused = dataError(err);
      // One value alone that is no query Ferry can run (never expected: the probe parsed) is no finding.
      if (group.length === 1 && refused) found.push({ probe: group[0]!, message: refused });
      if (group.length === 1 || (!refused && !(err instanceof QueryError))) return;
    }
    const half = Math.ceil(group.length / 2);
    await check(group.slice(0, half));
    await check(group.slice(half));
  };
  try {
    await check(probes);
  } catch {
    return found;
  }
  return found;
}

/** The message of a data exception (SQLSTATE class 22: a value its type refuses), here or in an error it wraps. */
function dataError(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 8) return undefined;
  const { code, message, cause } = err as { code?: unknown; message?: unknown; cause?: unknown };
  // The server's own words, not a wrapper's ("[connection:postgres] reading a page of table …: ").
  const inner = dataError(cause, depth + 1);
  if (inner !== undefined || typeof code !== 'string' || !/^22[0-9A-Z]{3}$/.test(code)) return inner;
  return typeof message === 'string' ? message : code;
}

/** A connection the pipeline names that cannot be opened, at the pipeline's `connection:` key. */
function connectionProblem(loaded: LoadedPipeline, end: 'source' | 'target', name: string, problem: string): Diagnostic {
  return diagnosticAt(loaded, [end, 'connection'], `connection ${name}: ${problem}`);
}

function builtInColumns(): ColumnInfo[] {
  return usersTableColumns.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: !c.primaryKey,
    primaryKey: c.primaryKey === true,
    unique: c.primaryKey === true || c.unique === true,
  }));
}

function syntaxError(query: string): QueryError | undefined {
  try {
    parseQuery(query);
    return undefined;
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
}

/** The diagnostic at the offending character: the scalar's position plus the error's offset in it. */
function at(loaded: LoadedPipeline, path: string[], value: string, error: QueryError): Diagnostic {
  return diagnosticAt(loaded, path, error.message, (y) => offsetInScalar(y, path, value, error.offset));
}

/** A diagnostic at the node of `path` in the pipeline file (or at the offset `where` finds in it). */
function diagnosticAt(loaded: LoadedPipeline, path: string[], message: string, where = (y: YamlFile) => offsetOf(y, path)): Diagnostic {
  const y = parseYamlFile(loaded.file, loaded.text);
  return { file: loaded.file, ...positionOf(y, where(y)), path: formatPath(path), message };
}
