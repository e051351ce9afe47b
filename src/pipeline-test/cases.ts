import { isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { Diagnostic } from '../spec/diagnostics.js';
import { offsetOf, parseYamlFile, plainValue, positionOf, type YamlFile } from '../spec/yaml-document.js';

/** What a case expects: the row as it would be written, or the record rejected with these errors. */
export type Expectation = { row: Record<string, unknown> } | { rejects: ExpectedReject[] };

export interface ExpectedReject {
  code: string;
  path: string;
  /** When given, the message must contain it. */
  message?: string;
}

/** One test case of a `<pipeline>.test.yaml`: a source record in, an expectation out. */
export interface TestCase {
  name: string;
  /** 1-based line and column of the case in its file. */
  line: number;
  col: number;
  input: Record<string, unknown>;
  /**
   * The input's unquoted numbers and booleans as written (`zip: 01234` → `01234`, where YAML reads
   * the number 1234): what a CSV file holding the same text gives as the cell.
   */
  written: ReadonlyMap<string, string>;
  expect: Expectation;
}

const CASE_KEYS = ['name', 'input', 'expect'];

/**
 * Parses a test file: `tests:` holding cases `{ name, input, expect: { row } | { rejects } }`.
 * Every problem comes back at once, each at its file:line:col, like `ferry validate`.
 */
export function parseTestFile(file: string, text: string): { cases: TestCase[]; diagnostics: Diagnostic[] } {
  const y = parseYamlFile(file, text);
  if (y.syntaxErrors.length > 0) return { cases: [], diagnostics: y.syntaxErrors };
  const at = (path: (string | number)[], message: string, role: 'key' | 'value' = 'value'): Diagnostic => ({
    file,
    ...positionOf(y, offsetOf(y, path, role)),
    path: dotted(path),
    message,
  });
  // Aliases the document cannot expand (unset, or an alias bomb) are diagnostics at their place, not a crash.
  const plain = plainValue(y);
  if ('diagnostics' in plain) return { cases: [], diagnostics: plain.diagnostics };
  const root: unknown = plain.value;
  const tests = isObject(root) ? root['tests'] : undefined;
  if (!isObject(root) || !Array.isArray(tests) || !isSeq(nodeOf(y, ['tests'])))
    return { cases: [], diagnostics: [at([], 'expected `tests:` with a list of cases ({ name, input, expect })')] };
  // An empty list would pass while testing nothing.
  if (tests.length === 0) return { cases: [], diagnostics: [at(['tests'], 'no cases: `tests:` needs at least one { name, input, expect }')] };
  const diagnostics: Diagnostic[] = [];
  for (const odd of notJson(root, [])) {
    const tag = (y.doc.getIn(odd, true) as { tag?: string } | undefined)?.tag?.replace(/^tag:yaml\.org,2002:/, '!!');
    const made = `${tag ? `${tag} made ` : ''}a value no source record holds (${kindOf(getIn(root, odd))})`;
    diagnostics.push(at(odd, `${made}: a case holds text, numbers, true/false, null, lists and maps. Hint: quote the value`));
  }
  for (const key of Object.keys(root)) if (key !== 'tests') diagnostics.push(at([key], `unknown key "${key}" (a test file holds \`tests:\` only)`, 'key'));
  const cases: TestCase[] = [];
  tests.forEach((raw: unknown, i) => {
    const path = ['tests', i];
    if (!isObject(raw)) return diagnostics.push(at(path, 'a case is a map: { name, input, expect }'));
    for (const key of Object.keys(raw))
      if (!CASE_KEYS.includes(key)) diagnostics.push(at([...path, key], `unknown key "${key}" (a case has name, input, expect)`, 'key'));
    const { name, input, expect } = raw;
    if (typeof name !== 'string' || !name) diagnostics.push(at([...path, 'name'], 'name: a string that says what the case shows'));
    if (!isObject(input)) diagnostics.push(at([...path, 'input'], 'input: the source record, a map of field → value'));
    const expectation = parseExpectation(expect, [...path, 'expect'], at, diagnostics);
    if (typeof name === 'string' && isObject(input) && expectation)
      cases.push({ name, ...positionOf(y, offsetOf(y, path)), input, written: writtenScalars(y.doc.getIn([...path, 'input'], true)), expect: expectation });
  });
  return { cases: diagnostics.length > 0 ? [] : cases, diagnostics };
}

function parseExpectation(
  raw: unknown,
  path: (string | number)[],
  at: (p: (string | number)[], m: string, r?: 'key' | 'value') => Diagnostic,
  out: Diagnostic[],
): Expectation | undefined {
  const usage = 'expect: { row: { column: value, … } } or { rejects: [{ code, path }] }';
  if (!isObject(raw) || Object.keys(raw).length !== 1) return void out.push(at(path, usage));
  if (isObject(raw['row'])) return { row: raw['row'] };
  const rejects = raw['rejects'];
  if (!Array.isArray(rejects) || rejects.length === 0) return void out.push(at(path, usage));
  const list: ExpectedReject[] = [];
  rejects.forEach((r: unknown, i) => {
    const ok =
      isObject(r) &&
      typeof r['code'] === 'string' &&
      (r['path'] === undefined || typeof r['path'] === 'string') &&
      (r['message'] === undefined || typeof r['message'] === 'string');
    if (!ok) return out.push(at([...path, 'rejects', i], 'a reject is { code, path } (path "" or absent for the whole record; message: text it contains)'));
    list.push({
      code: r['code'] as string,
      path: (r['path'] as string | undefined) ?? '',
      ...(typeof r['message'] === 'string' ? { message: r['message'] } : {}),
    });
  });
  return { rejects: list };
}

/** Each field of an input map whose value is an unquoted number or boolean, and its text as written. */
function writtenScalars(input: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!isMap(input)) return out;
  for (const { key, value } of input.items) {
    if (!isScalar(key) || !isScalar(value) || value.type !== Scalar.PLAIN || typeof value.source !== 'string') continue;
    if (typeof value.value === 'number' || typeof value.value === 'boolean' || typeof value.value === 'bigint') out.set(String(key.value), value.source);
  }
  return out;
}

/**
 * The path of the first value that is no JSON value: a YAML tag (`!!binary`, `!!set`,
 * `!!timestamp`) makes a Buffer, a Set or a Date, which no CSV or JSON record holds, so a case
 * tested what no job ever sees (a Set mapped to `{}`).
 */
function notJson(value: unknown, path: (string | number)[], found: (string | number)[][] = []): (string | number)[][] {
  if (found.length >= MAX_NOT_JSON || value === null || ['string', 'number', 'boolean'].includes(typeof value)) return found;
  if (Array.isArray(value)) value.forEach((item: unknown, i) => notJson(item, [...path, i], found));
  else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    for (const [key, item] of Object.entries(value)) notJson(item, [...path, key], found);
  else found.push(path);
  return found;
}

/** The values notJson names at most: each is the same mistake. */
const MAX_NOT_JSON = 10;

function getIn(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown>)[key], value);
}

function kindOf(value: unknown): string {
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Date) return 'a date object';
  if (value instanceof Set) return 'a set';
  if (value instanceof Map) return 'an ordered map';
  return typeof value;
}

function nodeOf(y: YamlFile, path: string[]): unknown {
  const root = y.doc.contents;
  return isMap(root) ? root.get(path[0], true) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dotted(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
