import { jsonata, type JsonataExpression } from './jsonata-library.js';
import { setOwnField } from '../validation/own-field.js';
import type { RejectError } from '../validation/reject.js';
import {
  DEFAULT_LIMITS,
  checkValueSize,
  columnsOverRecordLimit,
  recordTooLarge,
  guardInterpreter,
  isBudgetError,
  runBudgeted,
  yieldIfDue,
  BUDGET_CODE,
  SEQUENCE_LIMIT,
  type MappingLimits,
} from './budget.js';
import { withJobClock } from './compiler/builtins.js';
import { compileColumns, compileExpressionToFunction, isDeferral, type CompiledEnv } from './compiler/index.js';
import { OUT_OF_RANGE_CODE } from './compiler/functions-numeric.js';
import { fieldsRead, readsPath } from './fields-read.js';
import { checkedWhenPartial, frozenNow, registerGuardedFunctions } from './interpreter-functions.js';
import type { Implementation } from './compiler/borrowed.js';
import { LinearRegExp, linearRegExpWithClock } from './linear-regex.js';
import { boundMessage } from './message-bound.js';
import { seededRandom } from './seeded-random.js';
import { UNSTORABLE_CODE, checkStorable } from './storable.js';
import {
  mappedSecretValues,
  maskParseError,
  maskQuoted,
  maskSourceRecord,
  maskedValues,
  mayQuoteSecret,
  readsSecretIn,
  scrub,
  secretSources,
  secretValues,
} from './secret-sources.js';

/** What expressions see besides the record: `$job`, and a clock frozen at the job's start. */
export interface MappingContext {
  id: string;
  pipeline: string;
  started_at: string;
}

export interface MapResult {
  values: Record<string, unknown>;
  errors: RejectError[];
}

/** Maps a source record to target columns. Built once per job and process, used for every record. */
export interface RecordMapper {
  readonly columns: string[] | null;
  /** Columns run as compiled JavaScript, and those left to the interpreter (with the reason). */
  readonly plan: MappingPlan;
  map(record: Record<string, unknown>): Promise<MapResult>;
  /**
   * `map`, without a promise when none is needed (the compiled code mapped the whole record): the
   * per-record path of an import calls it. A mapper may leave it out.
   */
  mapNow?(record: Record<string, unknown>): MapResult | Promise<MapResult>;
  /**
   * Whether the mapping can read the source value at `path` (a reject path such as `meta.tw`): a
   * problem the source found in a field it never reads cannot reach what is written.
   */
  reads(path: string): boolean;
  /** The record as a reject stores it: secrets masked by name and by the column they map to. */
  maskRecord(record: unknown): unknown;
  /** A row that could not be parsed, as a reject stores it: its text withheld, and the parser's quote of it cut, when it may hold a secret. */
  maskParseError(raw: string, message: string): { record: string; message: string };
}

export interface MappingPlan {
  compiled: string[];
  interpreted: { column: string; reason: string }[];
}

type Interpreted = { column: string; expr: JsonataExpression };

/**
 * `columns` null = identity (each source field to the column of the same name). Columns the
 * compiler accepts run in one generated function that walks the record once; the rest, and any
 * column the compiled code defers for a record, run in the `jsonata` interpreter — the answer is
 * the same either way. An evaluation error is a MAPPING_ERROR reject with the column as path; an
 * undefined result leaves the column out. Every column of every record runs under `limits`
 * (budget.ts), and the mapper hands the event loop back between records of a long mapping.
 */
export function createMapper(
  columns: Record<string, string> | null,
  ctx: MappingContext,
  limits: MappingLimits = DEFAULT_LIMITS,
  paths: MappingPaths = {},
): RecordMapper {
  const sources = secretSources(columns);
  const masking = {
    maskRecord: (record: unknown) => maskSourceRecord(record, sources),
    maskParseError: (raw: string, message: string) => maskParseError(raw, message, columns),
  };
  if (!columns) {
    const identity = async (record: Record<string, unknown>): Promise<MapResult> => ({ values: { ...record }, errors: [] });
    return { columns: null, plan: { compiled: [], interpreted: [] }, map: identity, reads: () => true, ...masking };
  }
  const read = fieldsRead(Object.values(columns));
  const quotesSecrets = new Map(Object.entries(columns).map(([column, text]) => [column, mayQuoteSecret(column, text, sources)]));
  const readBy = new Map(Object.entries(columns).map(([column, text]) => [column, fieldsRead([text])]));
  const order = Object.keys(columns);
  const compiled = paths.interpretOnly ? interpretEvery(columns) : compileColumns(columns);
  const env = compiledEnv(ctx);
  const interpreters = new Map(Object.entries(columns).map(([column, text]) => [column, lazy(() => compileExpression(text, ctx, limits, `column ${column}`))]));
  const always: Interpreted[] = compiled.interpreted.map(({ column }) => ({ column, expr: interpreters.get(column)!() }));
  const bindings = { job: ctx };
  // The record the compiled function maps next, and the two thunks that run it under the budget
  // and the job's clock: made once, not per record. Compiled evaluation is synchronous, so no
  // other record's can come between setting `current` and reading it.
  let current: Record<string, unknown> = noRecord;
  const evaluateCurrent = (): ReturnType<NonNullable<typeof compiled.evaluate>> => compiled.evaluate!(current, env);
  const evaluateClocked = (): ReturnType<NonNullable<typeof compiled.evaluate>> => withJobClock(env.nowMillis, evaluateCurrent);
  const interpret = async (record: Record<string, unknown>, list: Interpreted[], out: MapResult): Promise<void> => {
    for (const { column, expr } of list) {
      try {
        const value: unknown = await expr.evaluate(record, bindings);
        checkValueSize(value, limits);
        checkStorable(value);
        if (value !== undefined) setOwnField(out.values, column, plain(value));
      } catch (err) {
        out.errors.push({ code: 'MAPPING_ERROR', message: evaluationMessage(err, column), path: column });
      }
    }
  };
  /** Masks and bounds the messages of a mapped record's errors, then hands the result over. */
  const finish = (record: Record<string, unknown>, out: MapResult): MapResult => {
    if (out.errors.length > 0) {
      // an evaluation error may quote a value (`$number(Hash)`): never a secret one, by the
      // column it maps to or by its own name (`$number(password)`, masked in the stored record);
      // and never all of a long one (cut once masked, so no secret is cut in two)
      const secrets = [...secretValues(record, sources), ...maskedValues(record)];
      for (const e of out.errors) {
        const quotes = quotesSecrets.get(e.path);
        const read = readBy.get(e.path);
        const masked =
          quotes === 'yes' || (quotes === 'if the record holds secrets' && secrets.length > 0) || (read !== undefined && readsSecretIn(record, read));
        e.message = boundMessage(scrub(masked ? maskQuoted(e.message, `column ${e.path}: `) : e.message, secrets));
      }
    }
    return out;
  };
  /** After every column has its value: the record's output limit, then a pause when one is due. */
  const limitRecord = (record: Record<string, unknown>, out: MapResult): MapResult | Promise<MapResult> => {
    for (const column of columnsOverRecordLimit(out.values, order, limits)) {
      Reflect.deleteProperty(out.values, column);
      out.errors.push({ code: 'MAPPING_ERROR', message: evaluationMessage(recordTooLarge(limits), column), path: column });
    }
    // A promise only when it pauses: an async call and an await per record to wait for nothing
    // were about a tenth of an import's allocation.
    const pause = yieldIfDue();
    return pause === 0 ? finish(record, out) : pause.then(() => finish(record, out));
  };
  /** The columns the interpreter runs (deferred by compiled code, or never compiled), in that order. */
  const interpretRest = async (record: Record<string, unknown>, out: MapResult, deferred: readonly string[]): Promise<MapResult> => {
    if (deferred.length > 0)
      await interpret(
        record,
        deferred.map((column) => ({ column, expr: interpreters.get(column)!() })),
        out,
      );
    if (always.length > 0) await interpret(record, always, out);
    return limitRecord(record, out);
  };
  /** `map`, synchronous when the compiled code maps the whole record and no pause is due. */
  const mapNow = (record: Record<string, unknown>): MapResult | Promise<MapResult> => {
    if (!compiled.evaluate) return interpretRest(record, { values: {}, errors: [] }, []);
    current = record;
    let r: ReturnType<typeof evaluateCurrent>;
    try {
      r = runBudgeted(limits, evaluateClocked);
    } finally {
      current = noRecord;
    }
    const out: MapResult = { values: r.values, errors: [] };
    for (const column in r.values) {
      if (!Object.hasOwn(r.values, column)) continue;
      try {
        checkValueSize(r.values[column], limits);
        checkStorable(r.values[column]);
      } catch (err) {
        Reflect.deleteProperty(out.values, column);
        const e = err as { message: string; code: string };
        r.errors.push({ column, message: e.message, code: e.code });
      }
    }
    for (const e of r.errors) out.errors.push({ code: 'MAPPING_ERROR', message: evaluationMessage(e, e.column), path: e.column });
    if (r.deferred.length > 0 || always.length > 0) return interpretRest(record, out, r.deferred);
    return limitRecord(record, out);
  };
  return {
    columns: Object.keys(columns),
    plan: { compiled: compiled.compiled, interpreted: compiled.interpreted },
    reads: (path) => readsPath(read, path),
    map: async (record) => mapNow(record),
    mapNow,
    ...masking,
  };
}

/**
 * `interpretOnly`: every column and rule in the JSONata interpreter, none compiled. Jobs never set
 * it; `ferry test` runs each case both ways, so a difference between the two paths is a failure.
 */
export interface MappingPaths {
  interpretOnly?: boolean;
}

function interpretEvery(columns: Record<string, string>): ReturnType<typeof compileColumns> {
  return { compiled: [], interpreted: Object.keys(columns).map((column) => ({ column, reason: 'interpretOnly' })), evaluate: null };
}

/** `validate.rules`: JSONata checks over the mapped record; anything but true rejects it as RULE. */
export function createRuleChecker(
  rules: { check: string; message: string }[],
  ctx: MappingContext,
  limits: MappingLimits = DEFAULT_LIMITS,
  paths: MappingPaths = {},
) {
  const env = compiledEnv(ctx);
  const bindings = { job: ctx };
  const compiled = rules.map((rule, index) => {
    const fn = paths.interpretOnly ? { reason: 'interpretOnly' } : compileExpressionToFunction(rule.check);
    const quotesSecrets = mayQuoteSecret(undefined, rule.check, new Set());
    return {
      ...rule,
      quotesSecrets,
      read: fieldsRead([rule.check]),
      fn: typeof fn === 'function' ? fn : undefined,
      expr: lazy(() => compileExpression(rule.check, ctx, limits, `rule ${index}`)),
    };
  });
  const evaluate = async (rule: (typeof compiled)[number], values: Record<string, unknown>): Promise<unknown> => {
    if (rule.fn) {
      try {
        const fn = rule.fn;
        return runBudgeted(limits, () => withJobClock(env.nowMillis, () => fn(values, env)));
      } catch (err) {
        if (!isDeferral(err)) throw err;
      }
    }
    return rule.expr().evaluate(values, bindings);
  };
  // No rules (the usual case): one settled promise of no errors, not an async call per record.
  if (compiled.length === 0) return (): Promise<RejectError[]> => noRuleErrors;
  return async (values: Record<string, unknown>): Promise<RejectError[]> => {
    const errors: RejectError[] = [];
    for (const rule of compiled) {
      try {
        if ((await evaluate(rule, values)) !== true) errors.push({ code: 'RULE', message: rule.message, path: '' });
      } catch (err) {
        // the error may quote a value of the record (`$number(password_hash)`): never a secret one
        const said = evaluationMessage(err);
        const secrets = mappedSecretValues(values);
        const masked =
          rule.quotesSecrets === 'yes' || (rule.quotesSecrets === 'if the record holds secrets' && secrets.length > 0) || readsSecretIn(values, rule.read);
        const message = boundMessage(scrub(masked ? maskQuoted(said) : said, secrets));
        errors.push({ code: 'RULE', message: `${rule.message} (${message})`, path: '' });
      }
    }
    return errors;
  };
}

/** Shared by every record of every job without rules: frozen, so a caller that pushed to it would fail loudly (prepareRecord copies it). */
export const noRuleErrors: Promise<RejectError[]> = Promise.resolve(Object.freeze([]) as unknown as RejectError[]);

/** What `current` holds between records: nothing of the last one. */
const noRecord: Record<string, unknown> = Object.freeze({});

/**
 * Compiles one expression with the job's frozen clock and its seeded `$random` and `$shuffle`
 * (seeded-random.ts: `key` names the column or rule), so a replayed batch maps exactly as before,
 * its regexes on the linear-time engine, and its evaluations under `limits`.
 */
export function compileExpression(text: string, ctx: MappingContext, limits: MappingLimits = DEFAULT_LIMITS, key = text): JsonataExpression {
  const expr = jsonata(text, { RegexEngine: LinearRegExp as unknown as RegExpConstructor, sequence: SEQUENCE_LIMIT });
  const millis = Date.parse(ctx.started_at);
  guardInterpreter(expr, limits, (base, clock) => {
    base.RegexEngine = linearRegExpWithClock(clock);
    // "now" for `$toMillis` with a partial picture (jsonata's evaluation time): the job's start
    base.timestamp = new Date(millis);
  });
  registerGuardedFunctions(expr);
  expr.registerFunction('now', checkedWhenPartial('now', frozenNow(ctx.started_at) as Implementation), '<s?s?:s>');
  expr.registerFunction('millis', () => millis, '<:n>');
  const seeded = seededRandom(ctx.id, key);
  expr.registerFunction('random', seeded.random, '<:n>');
  expr.registerFunction('shuffle', checkedWhenPartial('shuffle', seeded.shuffle as Implementation), '<a:a>');
  return expr;
}

function compiledEnv(ctx: MappingContext): CompiledEnv {
  return { job: ctx, nowIso: ctx.started_at, nowMillis: Date.parse(ctx.started_at) };
}

/** Builds on first use: most columns never need their interpreter once compiled. */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** JSONata marks result arrays as sequences; copy them into plain arrays before they are stored. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

function evaluationMessage(err: unknown, column?: string): string {
  const e = err as { code?: string; message?: string };
  if (isBudgetError(err) || e.code === BUDGET_CODE || e.code === UNSTORABLE_CODE || e.code === OUT_OF_RANGE_CODE)
    return `${column === undefined ? '' : `column ${column}: `}${e.message ?? ''}`;
  // jsonata's parser recurses per level: `$eval` of thousands of nested brackets overflowed the stack
  if (e.code === 'D3120' && e.message?.includes(STACK_OVERFLOW))
    return `${column === undefined ? '' : `column ${column}: `}$eval: the expression nests too deeply to parse (${STACK_OVERFLOW})`;
  if (e.code) return `JSONata ${e.code}: ${e.message ?? ''}`;
  // JavaScript's own error from inside a built-in given what its signature should have refused
  // (partial application checks arguments since partial-checked.ts): "str.replace is not a
  // function" named nothing the mapping has
  if (err instanceof TypeError)
    return `${column === undefined ? '' : `column ${column}: `}a built-in function was given a value of a type it does not take (${e.message})`;
  // a value nested thousands deep (`$string(m)` of a 100,000-level record) overflows the stack
  // walking it, compiled or interpreted: say what it means, the same both ways
  if (e.message === STACK_OVERFLOW)
    return `${column === undefined ? '' : `column ${column}: `}evaluation stopped: a value is nested too deeply to walk (${STACK_OVERFLOW})`;
  return String(e.message ?? err);
}

const STACK_OVERFLOW = 'Maximum call stack size exceeded';
