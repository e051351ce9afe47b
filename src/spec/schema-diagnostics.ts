import type { z } from 'zod';
import { didYouMean } from './closest-name.js';
import { formatPath, shownName, type Diagnostic } from './diagnostics.js';
import { offsetOf, positionOf, type YamlFile } from './yaml-document.js';

type Issue = z.core.$ZodIssue;

/**
 * Runs a zod schema over a YAML file's value and turns every issue into a positioned diagnostic.
 * Union failures are narrowed to the branch that fits best, so `source: { file: x, formt: csv }` says
 * "unknown key formt" rather than "invalid input".
 */
export function checkSchema<S extends z.ZodType>(y: YamlFile, schema: S, value: unknown): { value?: z.output<S>; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { value: result.data, diagnostics: [] };
  const all = result.error.issues.flatMap((issue) => toDiagnostics(y, issue, []));
  const seen = new Set<string>();
  const diagnostics = all.filter((d) => {
    const key = `${d.line}:${d.col}:${d.path}:${d.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return { diagnostics };
}

function toDiagnostics(y: YamlFile, issue: Issue, prefix: readonly PropertyKey[]): Diagnostic[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch = bestBranch(issue.errors);
    if (branch) return branch.flatMap((inner) => toDiagnostics(y, inner, path));
    // No branch stands out when the key that tells them apart is the one mistyped
    // (`source: { conection: users }`): a key no branch knows is then the mistake to name.
    const unknown = unknownToEveryBranch(issue.errors);
    if (unknown.length > 0) return unknown.map((key) => at(y, [...path, key], 'key', `unknown key "${shownName(key)}"${suggest(key)}`));
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => at(y, [...path, key], 'key', `unknown key "${shownName(key)}"${suggest(key)}`));
  }
  // A record's key (a connection's name) failed its own check: that check's message, at the key, not "Invalid key in record".
  if (issue.code === 'invalid_key' && issue.issues[0]) {
    return [at(y, path, 'key', `invalid name "${shownName(String(path[path.length - 1]))}": ${issue.issues[0].message}`)];
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined) {
    const missing = path[path.length - 1];
    return [at(y, path.slice(0, -1), 'value', `missing required key "${shownName(String(missing))}"`, path)];
  }
  return [at(y, path, 'value', describe(issue))];
}

/**
 * The union branch to report: the one with the fewest issues, ignoring branches that fail only
 * because their own distinguishing key is missing. Undefined when no branch stands out.
 */
function bestBranch(branches: Issue[][]): Issue[] | undefined {
  const scored = branches.map((issues) => ({ issues, score: issues.length + 10 * issues.filter(isMissingKey).length + 5 * issues.filter(isOtherKind).length }));
  scored.sort((a, b) => a.score - b.score);
  const [first, second] = scored;
  if (!first) return undefined;
  if (second && second.score === first.score) return undefined;
  return first.issues;
}

/**
 * The value is not of the branch's kind at all (`defaults` for a map of columns): a branch of the
 * value's own kind that fails inside (an empty column name) says more.
 */
function isOtherKind(issue: Issue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
}

/** The keys of the union's map that every branch reports as unknown. */
function unknownToEveryBranch(branches: Issue[][]): string[] {
  const unknownTo = branches.map((issues) => new Set(issues.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : []))));
  const [first, ...rest] = unknownTo;
  return [...(first ?? [])].filter((key) => rest.every((keys) => keys.has(key)));
}

function isMissingKey(issue: Issue): boolean {
  return issue.code === 'invalid_type' && issue.input === undefined;
}

function at(y: YamlFile, path: readonly PropertyKey[], role: 'key' | 'value', message: string, reportPath = path): Diagnostic {
  const { line, col } = positionOf(y, offsetOf(y, path, role));
  return { file: y.file, line, col, path: formatPath(reportPath), message };
}

/**
 * YAML 1.1 read yes/no/on/off as booleans and 1_000, 0x1F, 1:20 as numbers; YAML 1.2, which Ferry
 * reads, takes them as text. A file written for a 1.1 tool is told what to write instead.
 */
function yaml11Hint(expected: string, input: unknown): string {
  if (typeof input !== 'string') return '';
  if (expected === 'boolean' && /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(input))
    return ' (YAML 1.2 reads yes/no/on/off as text: write true or false)';
  if (expected === 'number' && /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|0b[01_]+|\d+(?::[0-5]?\d)+)$/.test(input) && /[_:b]/.test(input))
    return ' (YAML 1.2 reads 1_000, 0b101 and 1:20 as text: write the plain number, e.g. 1000)';
  return '';
}

function describe(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, got ${show(issue.input)}${yaml11Hint(issue.expected, issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(issue.input)}`;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least ' + String(issue.minimum) + ' item(s)' : issue.origin === 'string' ? 'at least ' + String(issue.minimum) + ' character(s)' : 'a value >= ' + String(issue.minimum)}, got ${show(issue.input)}`;
    case 'too_big':
      return `expected ${issue.origin === 'array' ? 'at most ' + String(issue.maximum) + ' item(s)' : issue.origin === 'string' ? 'at most ' + String(issue.maximum) + ' character(s)' : 'a value <= ' + String(issue.maximum)}, got ${show(issue.input)}`;
    case 'invalid_union':
      return issue.message === 'Invalid input' ? `does not match any allowed form, got ${show(issue.input)}` : issue.message;
    default:
      return issue.message;
  }
}

function show(value: unknown): string {
  if (value === null) return 'null';
  // JSON has no infinity: `.inf`, `.nan` or `1e400` showed as "got null".
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan (not a number)' : `${value < 0 ? '-' : ''}.inf (infinity)`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return JSON.stringify(value);
}

const knownWords = [
  'name',
  'description',
  'source',
  'target',
  'columns',
  'validate',
  'batch',
  'retry',
  'notify',
  'schedule',
  'timezone',
  'file',
  'format',
  'csv',
  'connection',
  'table',
  'query',
  'sort',
  'key',
  'upsert',
  'metadata',
  'schema',
  'rules',
  'max_rejects',
  'size',
  'parallelism',
  'exclusive',
  'delimiter',
  'header',
  'encoding',
  'check',
  'message',
  'email',
  'webhook',
  'on',
  'secret_env',
  'timeout',
  'by',
  'order',
  'escape_formulas',
  'engine',
  'temporal',
  'state_dir',
  'connections',
  'driver',
  'path',
  'url',
  'smtp',
  'from',
  'address',
  'namespace',
  'task_queue',
  'pool',
  'max_attempts',
  'initial_interval',
  'max_interval',
  'catch_up',
];

/** " (did you mean "upsert"?)" for a near miss of a known key. */
function suggest(key: string): string {
  return didYouMean(key, knownWords);
}
