import { Cron } from 'croner';
import { isScalar } from 'yaml';
import { checkExpression } from '../mapping/expression.js';
import { formatPath, shownName, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { expressionRefs } from './expression-refs.js';
import { pipelineSchema, type Pipeline } from './pipeline-schema.js';
import { checkSchema } from './schema-diagnostics.js';
import { webhookUrlProblem } from './webhook-url.js';
import { scalarOffsets } from './scalar-offsets.js';
import { quoteHint } from './yaml-hints.js';
import { nodeAt, offsetOf, parseYamlFile, plainValue, positionOf, type YamlFile } from './yaml-document.js';
import { envReferences, notReadInPipeline } from './env-references.js';

export interface ParsedPipeline {
  /** Present only when the file has no diagnostics. */
  pipeline?: Pipeline;
  /**
   * The pipeline as the schema read it, when only later rules failed (an expression, coherence):
   * enough for the checks against the store and the source, so one run reports every problem.
   */
  shaped?: Pipeline;
  diagnostics: Diagnostic[];
  /** The document as plain data, for checks that must run even when the schema fails (references). */
  raw: unknown;
  /** Builds a diagnostic at the node of a path, for checks made later (references, table columns). */
  diagnose: (path: PropertyKey[], message: string, role?: 'key' | 'value') => Diagnostic;
}

/**
 * More columns than a table can have are no mapping but data: checked one by one (expressions
 * parsed, each named in a diagnostic), 80,000 of them held `ferry validate` for a minute.
 */
export const MAX_COLUMNS = 2000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Pipeline text → validated pipeline, or every problem in the file at once: YAML syntax, schema
 * (unknown keys, types, missing keys), JSONata syntax (positioned inside the expression), and the
 * rules that tie fields together. Pure: the caller reads the file and checks references.
 */
export function parsePipeline(file: string, text: string): ParsedPipeline {
  const y = parseYamlFile(file, text);
  const diagnose = (path: PropertyKey[], message: string, role: 'key' | 'value' = 'value'): Diagnostic => {
    const { line, col } = positionOf(y, offsetOf(y, path, role));
    return { file, line, col, path: formatPath(path), message };
  };
  if (y.syntaxErrors.length > 0) return { diagnostics: y.syntaxErrors, diagnose, raw: undefined };
  const plain = plainValue(y);
  if ('diagnostics' in plain) return { diagnostics: plain.diagnostics, diagnose, raw: undefined };
  const raw = plain.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { diagnostics: [{ file, line: 1, col: 1, path: '', message: 'a pipeline file must be a YAML map with source and target' }], diagnose, raw };
  }
  const record = raw as Record<string, unknown>;
  const columnCount = isPlainObject(record['columns']) ? Object.keys(record['columns']).length : 0;
  if (columnCount > MAX_COLUMNS) {
    const message = `${columnCount} columns: a pipeline maps at most ${MAX_COLUMNS} (SQLite's most columns in a table; PostgreSQL's is 1,600)`;
    return { diagnostics: [diagnose(['columns'], message, 'key')], diagnose, raw };
  }
  const schema = withEveryColumn(checkSchema(y, pipelineSchema, raw), record['columns']);
  const columnTypes = checkColumnTypes(y, record, diagnose);
  // a wrong column value is reported at the value, not as the union's "expected one of defaults" at the map
  const schemaDiagnostics =
    columnTypes.length > 0 ? schema.diagnostics.filter((d) => d.path !== 'columns' && !d.path.startsWith('columns.')) : schema.diagnostics;
  const diagnostics = [
    ...schemaDiagnostics,
    ...columnTypes,
    ...checkExpressions(y, record),
    ...checkSchedule(record, diagnose),
    ...checkWebhooks(record, diagnose),
    ...checkTargetPath(y, record),
    ...checkEnvInNames(y, record),
  ];
  if (schema.value) diagnostics.push(...checkCoherence(schema.value, diagnose));
  if (diagnostics.length > 0) {
    const shaped = schemaDiagnostics.length === 0 && columnTypes.length === 0 ? schema.value : undefined;
    return { diagnostics: sortDiagnostics(dedupe(diagnostics)), diagnose, raw, ...(shaped ? { shaped } : {}) };
  }
  return { pipeline: schema.value, diagnostics: [], diagnose, raw };
}

/** Every JSONata expression in the raw document (columns values, rule checks). */
function checkExpressions(y: YamlFile, raw: Record<string, unknown>): Diagnostic[] {
  const found: Diagnostic[] = [];
  const columns = raw['columns'];
  if (columns && typeof columns === 'object' && !Array.isArray(columns)) {
    for (const [name, expr] of Object.entries(columns)) {
      if (typeof expr === 'string') found.push(...checkExpressionAt(y, ['columns', name], expr));
    }
  }
  const rules = (raw['validate'] as { rules?: unknown } | undefined)?.rules;
  if (Array.isArray(rules)) {
    rules.forEach((rule: unknown, i) => {
      const check = (rule as { check?: unknown } | null)?.check;
      if (typeof check === 'string') found.push(...checkExpressionAt(y, ['validate', 'rules', i, 'check'], check));
    });
  }
  return found;
}

function checkExpressionAt(y: YamlFile, path: PropertyKey[], expr: string): Diagnostic[] {
  const at = (offset: number, message: string): Diagnostic => ({
    file: y.file,
    ...positionOf(y, offsetInScalar(y, path, expr, offset)),
    path: formatPath(path),
    message,
  });
  const error = checkExpression(expr);
  if (error) return [at(error.offset, error.message)];
  // jsonata only finds out at evaluation (T1006, on every record) that a name is not a function
  return expressionRefs(expr).unknownFunctions.map((f) =>
    at(f.offset, `unknown function $${f.name}${f.suggestion ? ` (did you mean $${f.suggestion}?)` : ''}`),
  );
}

/**
 * File offset of a character inside a scalar's value, escapes, quotes, folds and block
 * indentation counted (scalar-offsets.ts); the scalar's start when the value is not the node's.
 */
export function offsetInScalar(y: YamlFile, path: PropertyKey[], value: string, index: number): number {
  const node = nodeAt(y, path);
  const start = offsetOf(y, path);
  if (!node || !isScalar(node) || node.source !== value) return start;
  const offsets = scalarOffsets(y.text, node);
  return offsets?.[Math.max(0, Math.min(index, offsets.length - 1))] ?? start;
}

/**
 * The schema library leaves a `__proto__` key out of a record (its guard against prototype
 * pollution), so `columns: { __proto__: name }` would vanish without a word: put back every column
 * of the file, in its order and as own fields, for the checks against the table to report. The
 * values are the file's own; checkColumnTypes and checkExpressions check them from the raw document.
 */
function withEveryColumn<T extends { value?: Pipeline }>(schema: T, raw: unknown): T {
  const columns = schema.value?.columns;
  if (!columns || typeof columns !== 'object' || !raw || typeof raw !== 'object') return schema;
  if (Object.keys(raw).length === Object.keys(columns).length) return schema;
  return { ...schema, value: { ...schema.value, columns: Object.fromEntries(Object.entries(raw)) as typeof columns } };
}

/** Rules that span fields: what kind of pipeline this is, keys in the mapping, cron, time zone. */
function checkCoherence(p: Pipeline, diagnose: ParsedPipeline['diagnose']): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: PropertyKey[], message: string): void => {
    out.push(diagnose(path, message));
  };
  const fromFile = 'file' in p.source;
  const toFile = 'file' in p.target;
  if (fromFile && toFile) at(['target'], 'a pipeline reads from or writes to a connection; file to file is not supported');
  if (p.columns === 'defaults' && !toFile) at(['columns'], '`defaults` is for exports (a file target); imports map columns or omit `columns`');
  if (p.columns && typeof p.columns === 'object') {
    for (const [name, expr] of Object.entries(p.columns)) {
      if (expr === true && (name !== 'defaults' || !toFile))
        at(['columns', name], 'only `defaults: true` in an export may be a boolean; write expressions as strings');
    }
  }
  if (!toFile && 'key' in p.target && p.columns && typeof p.columns === 'object') {
    const keys = Array.isArray(p.target.key) ? p.target.key : [p.target.key];
    for (const key of keys) if (!Object.hasOwn(p.columns, key)) at(['target', 'key'], `key column "${shownName(String(key))}" is not mapped in columns`);
  }
  if (toFile && p.validate?.rules.length) at(['validate'], 'validation applies to imports; an export reads records that are already stored');
  return out;
}

/**
 * `columns.email: 5`: each value must be an expression string (or `defaults: true` in an export).
 * A map, list or nothing is usually an expression YAML read first (`{"plan": Plan}`, `&x`): quoting fixes it.
 */
function checkColumnTypes(y: YamlFile, raw: Record<string, unknown>, diagnose: ParsedPipeline['diagnose']): Diagnostic[] {
  const columns = raw['columns'];
  if (!columns || typeof columns !== 'object' || Array.isArray(columns)) return [];
  return Object.entries(columns).flatMap(([name, value]) => {
    if (typeof value === 'string' || value === true) return [];
    const expected = `expected a JSONata expression string, got ${describeValue(value)}`;
    if (typeof value === 'number' || typeof value === 'boolean')
      return [diagnose(['columns', name], `${expected} (quote it to map a constant: '${String(value)}')`)];
    const keyAt = offsetOf(y, ['columns', name], 'key');
    const hint = quoteHint(y.text, lineStartOf(y, keyAt), keyAt);
    if (!hint) return [diagnose(['columns', name], expected)];
    return [
      {
        file: y.file,
        ...positionOf(y, hint.offset),
        path: formatPath(['columns', name]),
        message: `${expected}: ${hint.message.slice(hint.message.indexOf('quote this value'))}`,
      },
    ];
  });
}

function lineStartOf(y: YamlFile, offset: number): number {
  return y.lineCounter.lineStarts[positionOf(y, offset).line - 1] ?? 0;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${String(value)}`;
}

/** The placeholders an output path may hold (job-plan.ts replaces them). */
const PATH_PLACEHOLDERS = new Set(['date', 'job']);

/**
 * `file: out/{dat}.csv`: an unknown placeholder would end up in the file name. A NUL (`"\0"`) no
 * file system takes: the job read every record and then failed to open the file.
 */
function checkTargetPath(y: YamlFile, raw: Record<string, unknown>): Diagnostic[] {
  const file = (raw['target'] as { file?: unknown } | null | undefined)?.file;
  if (typeof file !== 'string') return [];
  const out: Diagnostic[] = [];
  if (file.includes('\0')) {
    out.push({
      file: y.file,
      ...positionOf(y, offsetOf(y, ['target', 'file'])),
      path: 'target.file',
      message: 'an output path cannot hold a NUL character (\\0)',
    });
  }
  for (const m of file.matchAll(/\{([^{}]*)\}/g)) {
    if (PATH_PLACEHOLDERS.has(m[1]!)) continue;
    const env = file[m.index - 1] === '$';
    const { line, col } = positionOf(y, offsetInScalar(y, ['target', 'file'], file, env ? m.index - 1 : m.index));
    const message = env
      ? notReadInPipeline(`\${${m[1]}}`, 'an output path may use {date} and {job}')
      : `unknown placeholder {${m[1]}}: an output path may use {date} and {job}`;
    out.push({ file: y.file, line, col, path: 'target.file', message });
  }
  return out;
}

/** The names a pipeline gives a store: its connection, table, key and sort columns. */
const NAMES: readonly (readonly PropertyKey[])[] = [
  ['source', 'connection'],
  ['source', 'table'],
  ['source', 'sort', 'by'],
  ['target', 'connection'],
  ['target', 'table'],
];

/**
 * `table: ${TBL}`: a pipeline reads no environment variable (only ferry.yaml does), so an import
 * created a table literally named `${TBL}`, and wrote the users there.
 */
function checkEnvInNames(y: YamlFile, raw: Record<string, unknown>): Diagnostic[] {
  const key = (raw['target'] as { key?: unknown } | null | undefined)?.key;
  const keyPaths = Array.isArray(key) ? key.map((_, i) => ['target', 'key', i]) : [];
  return [...NAMES, ...keyPaths].flatMap((path) => {
    const value = valueAt(raw, path);
    const reference = typeof value === 'string' ? envReferences(value)[0] : undefined;
    if (value === undefined || reference === undefined) return [];
    const { line, col } = positionOf(y, offsetInScalar(y, [...path], value as string, reference.index));
    const message = notReadInPipeline(reference.written, 'write the name itself');
    return [{ file: y.file, line, col, path: formatPath(path), message }];
  });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const step of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[step] : undefined;
  return value;
}

/** Webhook URLs: valid, and no credentials written in them (the plan stores them; see webhook-url.ts). */
function checkWebhooks(raw: Record<string, unknown>, diagnose: ParsedPipeline['diagnose']): Diagnostic[] {
  const notify = raw['notify'];
  if (!Array.isArray(notify)) return [];
  return notify.flatMap((entry: unknown, i) => {
    const url = (entry as { webhook?: unknown } | null)?.webhook;
    const problem = typeof url === 'string' ? webhookUrlProblem(url) : null;
    return problem ? [diagnose(['notify', i, 'webhook'], problem)] : [];
  });
}

const SCHEDULE_PROBE_START = new Date(Date.UTC(2001, 0, 1));

/** Cron and time zone, checked on the raw document so they are reported alongside schema errors. */
function checkSchedule(raw: Record<string, unknown>, diagnose: ParsedPipeline['diagnose']): Diagnostic[] {
  const out: Diagnostic[] = [];
  const { schedule, timezone } = raw;
  const zone = typeof timezone === 'string' ? timezone : undefined;
  if (zone && !isTimeZone(zone)) out.push(diagnose(['timezone'], `unknown time zone "${zone}"`));
  // An empty zone read as "the server's" without a word. (A zone left after its schedule is taken
  // out is no mistake: commenting out the schedule pauses it.)
  if (zone === '') out.push(diagnose(['timezone'], "timezone is empty: name an IANA time zone (e.g. Europe/Paris), or leave the key out for the server's"));
  if (raw['catch_up'] !== undefined && typeof schedule !== 'string')
    out.push(diagnose(['catch_up'], 'catch_up applies to scheduled pipelines; set schedule too', 'key'));
  // Quartz's "no specific value"; croner reads it as the field's value at the time it parses the
  // cron, so `0 0 2 ? * *` (daily at 02:00) would run monthly on the day serve started, and a
  // minute of `?` would move with every run.
  if (typeof schedule === 'string' && schedule.includes('?'))
    out.push(diagnose(['schedule'], '"?" in a cron expression would stand for the time ferry serve starts (croner), not for any value: write * instead'));
  else if (typeof schedule === 'string' && lastWeekdayWithoutHash(schedule))
    out.push(
      diagnose(
        ['schedule'],
        `"${lastWeekdayWithoutHash(schedule)}" in the day-of-week field would run on every such weekday (croner reads it without the L), not on the month's last: write ${lastWeekdayWithoutHash(schedule)!.replace(/L$/i, '#L')} for the last one`,
      ),
    );
  else if (typeof schedule === 'string') {
    try {
      const cron = new Cron(schedule, { paused: true, timezone: zone && isTimeZone(zone) ? zone : undefined });
      // Cron has no year: a day that exists fires within a leap cycle of any start, so from a fixed
      // one (no clock read here) no run means never (30 February, 31 April).
      if (cronNeverRuns(cron)) out.push(diagnose(['schedule'], `cron expression "${schedule}" never runs: no date matches it`));
    } catch (err) {
      out.push(diagnose(['schedule'], `invalid cron expression: ${(err as Error).message}`));
    }
  }
  return out;
}

/**
 * Quartz's "last Friday" (5L, FRIL) in the day-of-week field, which croner takes as "every Friday"
 * without a word: a monthly export would run weekly. croner's own form is 5#L.
 */
function lastWeekdayWithoutHash(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length < 5) return undefined;
  return fields[fields.length - 1]!.split(',').find((part) => !part.includes('#') && /[0-9a-z]L$/i.test(part));
}

/**
 * croner searches a cron no date matches up to the year 3000, one call deeper a month: with several
 * months listed (31 February, April, June) the stack runs out first, and validate said "invalid
 * cron expression: Maximum call stack size exceeded". A date that exists matches within a few
 * years, far from that depth: running out of stack there means no date matches.
 */
function cronNeverRuns(cron: Cron): boolean {
  try {
    return cron.nextRun(SCHEDULE_PROBE_START) === null;
  } catch (err) {
    if (err instanceof RangeError && /call stack/i.test(err.message)) return true;
    throw err;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = `${d.line}:${d.col}:${d.path}:${d.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
