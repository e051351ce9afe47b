import { afterAll, describe, expect, it } from 'vitest';
import { type CompiledColumns, type CompiledEnv, compileColumns, compileExpressionToFunction, DEFER_CODE } from '../../../src/mapping/compiler/index.js';
import { compileExpression, type MappingContext } from '../../../src/mapping/mapper.js';
import { exampleExpressions, typicalExpressions } from './corpus.js';
import { sameValue, show } from './equality.js';
import { prng, record } from './records.js';

/**
 * Compiled == interpreter: for every expression of the corpus and thousands of random records,
 * the compiled column gives the interpreter's value (after the mapper's array copy), or the same
 * error code and message — or defers to the interpreter, which must stay rare.
 */

const RECORDS = 2000;
const ctx: MappingContext = { id: 'job-7', pipeline: 'differential', started_at: '2024-05-01T12:00:00.000Z' };
const env: CompiledEnv = { job: ctx, nowIso: ctx.started_at, nowMillis: Date.parse(ctx.started_at) };

type Outcome = { value: unknown } | { code: string; message: string };

const interpreters = new Map<string, ReturnType<typeof compileExpression>>();

async function interpret(expr: string, input: unknown): Promise<Outcome> {
  let interpreter = interpreters.get(expr);
  if (interpreter === undefined) {
    interpreter = compileExpression(expr, ctx);
    interpreters.set(expr, interpreter);
  }
  try {
    const value: unknown = await interpreter.evaluate(input, { job: ctx });
    return { value: plain(value) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { code: e.code ?? 'NO-CODE', message: e.message ?? String(err) };
  }
}

function plain(value: unknown): unknown {
  return Array.isArray(value) ? value.map(plain) : value;
}

/** Records that probe prototype access and data that jsonata mistakes for functions. */
const specialRecords: string[] = [
  '{"__proto__": {"City": "proto"}, "constructor": "c", "Email": "A@B", "Address": {"constructor": 1, "toString": "t"}}',
  '{"Address": {"_jsonata_lambda": true, "City": "x"}, "Roles": [{"_jsonata_function": true}], "FirstName": "F"}',
  '[{"Email": "one@x", "Plan": "pro"}, {"Email": "two@x", "Plan": "free"}]',
  '{"Emails": [[{"address": "nested@x"}], []], "Tags": [[]], "Roles": [["a", "b"], "c"]}',
];

interface Tally {
  compared: number;
  deferred: number;
  errors: number;
}

function check(
  columns: Record<string, string>,
  column: string,
  got: ReturnType<NonNullable<CompiledColumns['evaluate']>>,
  want: Outcome,
  tally: Tally,
  input: string,
): void {
  const where = `${columns[column]} on ${input}`;
  if (got.deferred.includes(column)) {
    tally.deferred++;
    if (process.env.SHOW_DEFERRED) console.log('deferred', columns[column]);
    return;
  }
  tally.compared++;
  const error = got.errors.find((e) => e.column === column);
  if ('code' in want) {
    tally.errors++;
    expect(error, `${where}: interpreter threw ${want.code}, compiled gave ${show(got.values[column])}`).toBeDefined();
    expect({ code: error?.code, message: error?.message }, where).toEqual({ code: want.code, message: want.message });
    return;
  }
  expect(error, `${where}: compiled threw, interpreter gave ${show(want.value)}`).toBeUndefined();
  const ok = sameValue(got.values[column], want.value) && column in got.values === (want.value !== undefined);
  expect(ok, `${where}: compiled ${show(got.values[column])}, interpreter ${show(want.value)}`).toBe(true);
}

describe('differential: compiled columns vs the jsonata interpreter', () => {
  const corpus = [...new Set([...exampleExpressions(), ...typicalExpressions])];
  const rand = prng(20240501);
  const inputs = [...Array.from({ length: RECORDS }, () => JSON.stringify(record(rand))), ...specialRecords];
  // the corpus is split into mappings of ~30 columns, each run over every record
  const mappings: Record<string, string>[] = [];
  for (let i = 0; i < corpus.length; i += 30) {
    mappings.push(Object.fromEntries(corpus.slice(i, i + 30).map((expr, j) => [`c${i + j}`, expr])));
  }
  const total: Tally = { compared: 0, deferred: 0, errors: 0 };

  afterAll(() => {
    console.log(
      `differential: ${inputs.length} records × ${corpus.length} expressions: ${total.compared} compared (${total.errors} of them errors), ${total.deferred} deferred to the interpreter`,
    );
  });

  it('compiles the whole corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    for (const columns of mappings) expect(compileColumns(columns).interpreted).toEqual([]);
  });

  mappings.forEach((columns, index) => {
    it(`agrees on ${inputs.length} records, mapping ${index + 1} of ${mappings.length}`, async () => {
      const compiled = compileColumns(columns);
      const evaluate = compiled.evaluate;
      if (evaluate === null) throw new Error('nothing compiled');
      const tally: Tally = { compared: 0, deferred: 0, errors: 0 };
      for (const input of inputs) {
        // like the mapper: every column sees the same record object, in column order (jsonata
        // mutates its input in a corner case, and compiled code does the same)
        const compiledRecord: unknown = JSON.parse(input);
        const interpretedRecord: unknown = JSON.parse(input);
        const got = evaluate(compiledRecord, env);
        for (const column of compiled.compiled) {
          check(columns, column, got, await interpret(columns[column] as string, interpretedRecord), tally, input);
        }
        if (got.deferred.length === 0) expect(show(compiledRecord), input).toBe(show(interpretedRecord));
      }
      total.compared += tally.compared;
      total.deferred += tally.deferred;
      total.errors += tally.errors;
      expect(tally.deferred).toBeLessThan(tally.compared / 100);
    }, 180_000);
  });

  it('single expressions agree too (as used for validate.rules)', async () => {
    const rand = prng(7);
    for (const expr of corpus.slice(0, 40)) {
      const fn = compileExpressionToFunction(expr);
      if ('reason' in fn) throw new Error(`${expr}: ${fn.reason}`);
      for (let i = 0; i < 50; i++) {
        const input = JSON.stringify(record(rand));
        const want = await interpret(expr, JSON.parse(input));
        let got: Outcome;
        try {
          got = { value: plain(fn(JSON.parse(input), env)) };
        } catch (err) {
          const e = err as { code: string; message: string };
          if (e.code === DEFER_CODE) continue;
          got = { code: e.code, message: e.message };
        }
        if ('value' in want && 'value' in got) expect(sameValue(got.value, want.value), `${expr} on ${input}`).toBe(true);
        else expect(got, `${expr} on ${input}`).toEqual(want);
      }
    }
  });
});
