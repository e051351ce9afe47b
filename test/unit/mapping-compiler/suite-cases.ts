import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CompiledEnv, DEFER_CODE, compileExpressionToFunction } from '../../../src/mapping/compiler/index.js';
import { compileExpression } from '../../../src/mapping/mapper.js';
import { sameUnordered, sameValue, show } from './equality.js';

/**
 * The official JSONata test suite (case files with expr, data/dataset, bindings, expectation):
 * $FERRY_JSONATA_SUITE, or `../shared/jsonata-test-suite` next to the repository. It is not part
 * of the repository, so a clone without it skips the suite (see `suiteAvailability`).
 */
export const SUITE_DIR = process.env['FERRY_JSONATA_SUITE']
  ? resolve(process.env['FERRY_JSONATA_SUITE'])
  : fileURLToPath(new URL('../../../../shared/jsonata-test-suite', import.meta.url));

/** Whether the suite is there; the reason names where it was looked for and how to point at it. */
export function suiteAvailability(dir = SUITE_DIR): { ok: true } | { ok: false; reason: string } {
  if (existsSync(join(dir, 'groups'))) return { ok: true };
  return { ok: false, reason: `the JSONata test suite is not at ${dir} (set FERRY_JSONATA_SUITE to a checkout of jsonata-js/jsonata's test/test-suite)` };
}

export interface SuiteCase {
  id: string;
  expr: string;
  data: unknown;
  bindings: Record<string, unknown>;
  expect: { result: unknown } | { undefinedResult: true } | { code: string };
  unordered: boolean;
  limited: boolean;
}

interface RawCase {
  expr?: string;
  'expr-file'?: string;
  data?: unknown;
  dataset?: string | null;
  bindings?: Record<string, unknown>;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  error?: { code?: string };
  unordered?: boolean;
  timelimit?: number;
  depth?: number;
}

/**
 * Cases whose answer Ferry changes on purpose, by id, with Ferry's error code or value and why: the one
 * expectation replaced, every other case of the suite still holds both paths to jsonata's answer.
 */
const DELIBERATE: Record<string, ({ code: string } | { result: unknown }) & { why: string }> = {
  'function-tomillis/parseDateTime.json#1': { code: 'FERRY_OUT_OF_RANGE', why: 'a timestamp its picture reads no date from is an error, not no value' },
  'function-tomillis/parseDateTime.json#34': {
    code: 'FERRY_OUT_OF_RANGE',
    why: 'a timestamp its picture does not match is an error, not no value (a column silently left out)',
  },
  'function-formatInteger/formatInteger.json#24': {
    result: '0',
    why: 'roman numerals have no zero: XPath F&O formats it with the picture 1, where jsonata wrote an empty string',
  },
};

export function loadSuite(dir = SUITE_DIR): SuiteCase[] {
  const datasets = new Map<string, unknown>();
  const dataset = (name: string) => {
    if (!datasets.has(name)) datasets.set(name, JSON.parse(readFileSync(join(dir, 'datasets', `${name}.json`), 'utf8')));
    return datasets.get(name);
  };
  const cases: SuiteCase[] = [];
  for (const group of readdirSync(join(dir, 'groups')).sort()) {
    for (const file of readdirSync(join(dir, 'groups', group))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const parsed = JSON.parse(readFileSync(join(dir, 'groups', group, file), 'utf8')) as RawCase | RawCase[];
      (Array.isArray(parsed) ? parsed : [parsed]).forEach((raw, index) => {
        const expr = raw.expr ?? readFileSync(join(dir, 'groups', group, raw['expr-file'] ?? ''), 'utf8');
        const data = raw.data !== undefined ? raw.data : typeof raw.dataset === 'string' ? dataset(raw.dataset) : undefined;
        const id = `${group}/${file}${Array.isArray(parsed) ? `#${index}` : ''}`;
        const deliberate = DELIBERATE[id];
        cases.push({
          id,
          expr,
          data,
          bindings: raw.bindings ?? {},
          expect: deliberate ? ('code' in deliberate ? { code: deliberate.code } : { result: deliberate.result }) : expectation(raw),
          unordered: raw.unordered === true,
          limited: raw.timelimit !== undefined || raw.depth !== undefined,
        });
      });
    }
  }
  return cases;
}

function expectation(raw: RawCase): SuiteCase['expect'] {
  if (raw.code !== undefined) return { code: raw.code };
  if (raw.error?.code !== undefined) return { code: raw.error.code };
  if (raw.undefinedResult) return { undefinedResult: true };
  return { result: raw.result };
}

export type Outcome = { status: 'not-compiled'; reason: string } | { status: 'deferred' } | { status: 'pass' } | { status: 'fail'; detail: string };

/** A case's environment and a fresh copy of its input (evaluation may mutate it, as jsonata's does). */
export function caseEnv(c: SuiteCase): { env: CompiledEnv; input: unknown } {
  // the suite expects jsonata's own $now(): the time of evaluation
  const now = new Date();
  const env: CompiledEnv = {
    job: { id: 'job', pipeline: 'suite', started_at: now.toISOString() },
    nowIso: now.toISOString(),
    nowMillis: now.getTime(),
    bindings: c.bindings,
  };
  return { env, input: c.data === undefined ? undefined : JSON.parse(JSON.stringify(c.data)) };
}

/** Compiles and runs one case. Data is re-parsed per case: evaluation may mutate it, as jsonata's does. */
export function runCase(c: SuiteCase): Outcome {
  const fn = compileExpressionToFunction(c.expr);
  if ('reason' in fn) return { status: 'not-compiled', reason: fn.reason };
  const { env, input } = caseEnv(c);
  let value: unknown;
  try {
    value = fn(input, env);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === DEFER_CODE) return { status: 'deferred' };
    if ('code' in c.expect && c.expect.code === code) return { status: 'pass' };
    return { status: 'fail', detail: `threw ${code ?? String(err)}: ${(err as { message?: string }).message ?? ''}` };
  }
  if ('code' in c.expect) return { status: 'fail', detail: `expected error ${c.expect.code}, got ${show(value)}` };
  if ('undefinedResult' in c.expect) return value === undefined ? { status: 'pass' } : { status: 'fail', detail: `expected undefined, got ${show(value)}` };
  const ok = c.unordered ? sameUnordered(value, c.expect.result) : sameValue(value, c.expect.result);
  return ok ? { status: 'pass' } : { status: 'fail', detail: `expected ${show(c.expect.result)}, got ${show(value)}` };
}

/** Runs one case on the interpreter as a job builds it (mapper.ts `compileExpression`): 'pass', 'over steps' or what went wrong. */
export async function runInterpreted(c: SuiteCase): Promise<string> {
  // the suite expects jsonata's own $now(): the time of evaluation
  const input: unknown = c.data === undefined ? undefined : JSON.parse(JSON.stringify(c.data));
  let value: unknown;
  try {
    const expr = compileExpression(c.expr, { id: 'job', pipeline: 'suite', started_at: new Date().toISOString() });
    value = await expr.evaluate(input, c.bindings);
  } catch (err) {
    const e = err as { code?: string; message?: string; limit?: string };
    if ('code' in c.expect && c.expect.code === e.code) return 'pass';
    if (e.limit === 'steps') return 'over steps';
    return `threw ${e.code ?? String(err)}: ${e.message ?? ''}`;
  }
  if ('code' in c.expect) return `expected error ${c.expect.code}, got ${show(value)}`;
  if ('undefinedResult' in c.expect) return value === undefined ? 'pass' : `expected undefined, got ${show(value)}`;
  const ok = c.unordered ? sameUnordered(value, c.expect.result) : sameValue(value, c.expect.result);
  return ok ? 'pass' : `expected ${show(c.expect.result)}, got ${show(value)}`;
}
