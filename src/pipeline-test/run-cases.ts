import type { ColumnType } from '../connections/types.js';
import { createMapper, createRuleChecker, type MappingContext } from '../mapping/mapper.js';
import { prepareRecord, type RecordStep } from '../mapping/prepare-record.js';
import type { RejectError } from '../validation/reject.js';
import type { Expectation, TestCase } from './cases.js';

/** What a pipeline does to one record, as the cases need it (from its plan). */
export interface TestSubject {
  kind: 'import' | 'export' | 'migrate' | 'rollback';
  columns: Record<string, string> | null;
  rules: { check: string; message: string }[];
  schema: 'user' | 'none';
  /** A CSV source: its cells are text, so the case's scalar values are read as text too. */
  csvSource: boolean;
  /** The target table's columns (the built-in users table when there is no store to ask). */
  types: ReadonlyMap<string, ColumnType>;
  table: string | undefined;
  mapping: MappingContext;
}

export type MappingPath = 'compiled' | 'interpreted';
export const MAPPING_PATHS: readonly MappingPath[] = ['compiled', 'interpreted'];

export interface Outcome {
  values: Record<string, unknown>;
  errors: RejectError[];
}

export interface CaseResult {
  case: TestCase;
  /** Per mapping path: what the record became, and the differences from the expectation (none: passed). */
  paths: Record<MappingPath, { outcome: Outcome; diff: string[] }>;
}

/**
 * Runs every case through the record step of a job (prepare-record.ts) twice: with the compiled
 * mapping (as jobs run it) and with every column and rule in the JSONata interpreter. No store,
 * no file: a pure function of the pipeline and the cases.
 */
export async function runCases(subject: TestSubject, cases: readonly TestCase[]): Promise<CaseResult[]> {
  const steps = Object.fromEntries(MAPPING_PATHS.map((path) => [path, stepFor(subject, path === 'interpreted')])) as Record<MappingPath, RecordStep>;
  const results: CaseResult[] = [];
  for (const c of cases) {
    const input = subject.csvSource ? asCells(c.input, c.written) : c.input;
    const paths = {} as CaseResult['paths'];
    for (const path of MAPPING_PATHS) {
      const outcome = await recordOutcome(subject, steps[path], input);
      paths[path] = { outcome, diff: differences(c.expect, outcome) };
    }
    results.push({ case: c, paths });
  }
  return results;
}

export const passed = (r: CaseResult): boolean => MAPPING_PATHS.every((p) => r.paths[p].diff.length === 0);

function stepFor(subject: TestSubject, interpretOnly: boolean): RecordStep {
  const paths = { interpretOnly };
  return {
    mapper: createMapper(subject.columns, subject.mapping, undefined, paths),
    checkRules: createRuleChecker(subject.rules, subject.mapping, undefined, paths),
    schema: subject.schema,
    csvIdentity: subject.csvSource && subject.columns === null,
    types: subject.types,
    table: subject.table,
  };
}

/** An export only maps its rows (run-export-batch.ts); imports and migrations run the whole step. */
async function recordOutcome(subject: TestSubject, step: RecordStep, input: Record<string, unknown>): Promise<Outcome> {
  if (subject.kind === 'export') return step.mapper.map(input);
  return prepareRecord(step, input);
}

/**
 * A CSV cell is text: 42 and true written unquoted in YAML are "42" and "true" in the file, as
 * written (`01234`, `0x10`, `1.50`, `True`, a number of 30 digits; YAML reads 1234, 16, 1.5, true, 1.2e+29).
 */
function asCells(input: Record<string, unknown>, written: ReadonlyMap<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, written.get(k) ?? (v === null ? '' : typeof v === 'object' ? v : String(v))]));
}

/** The expectation against the outcome, one readable line per difference. */
export function differences(expect: Expectation, outcome: Outcome): string[] {
  // In one order whatever order the mapping path found them in: the compiled and the interpreted
  // mapping report one record's errors in different orders, and a failure was printed twice.
  const errors = [...outcome.errors].sort((a, b) => compare(a.path, b.path) || compare(a.code, b.code) || compare(a.message, b.message));
  const got = errors.map((e) => `${e.code} ${e.path || '(record)'}`);
  if ('row' in expect) {
    if (errors.length > 0) return [`expected the row, got a reject: ${errors.map((e) => `${e.code} ${e.path || '(record)'}: ${e.message}`).join('; ')}`];
    const out: string[] = [];
    for (const field of new Set([...Object.keys(expect.row), ...Object.keys(outcome.values)])) {
      // Own keys only: `in` finds `constructor` or `__proto__` on every object, so an expected
      // `__proto__: {}` would match Object.prototype and pass without the column being written.
      const want = ownValue(expect.row, field);
      const have = ownValue(outcome.values, field);
      if (!Object.hasOwn(outcome.values, field)) out.push(`${field}: expected ${show(want)}, got nothing (the column is not written)`);
      else if (!Object.hasOwn(expect.row, field)) out.push(`${field}: not expected, got ${show(have)}`);
      else if (!sameValue(want, have)) out.push(`${field}: expected ${show(want)}, got ${show(have)}`);
    }
    return out;
  }
  if (errors.length === 0)
    return [`expected a reject (${expect.rejects.map((r) => `${r.code} ${r.path || '(record)'}`).join(', ')}), got the row ${show(outcome.values)}`];
  const out: string[] = [];
  const unmatched = [...errors];
  for (const want of expect.rejects) {
    const i = unmatched.findIndex((e) => e.code === want.code && e.path === want.path && (want.message === undefined || e.message.includes(want.message)));
    if (i >= 0) unmatched.splice(i, 1);
    else out.push(`reject ${want.code} ${want.path || '(record)'}${want.message ? ` ("${want.message}")` : ''}: expected, not among ${got.join(', ')}`);
  }
  for (const e of unmatched) out.push(`reject ${e.code} ${e.path || '(record)'}: not expected (${e.message})`);
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ownValue(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON has no NaN or infinity: an expected `.nan` or `.inf` was shown as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

/** Deep equality of JSON values (object keys in any order). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && sameValue(ownValue(a as Record<string, unknown>, k), ownValue(b as Record<string, unknown>, k)))
  );
}
