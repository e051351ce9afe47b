import { describe, expect, it } from 'vitest';
import { type CompiledEnv, DEFER_CODE, compileColumns, compileExpressionToFunction } from '../../../src/mapping/compiler/index.js';
import { compileExpression, type MappingContext } from '../../../src/mapping/mapper.js';
import { sameValue, show } from './equality.js';

const ctx: MappingContext = { id: 'job-1', pipeline: 'semantics', started_at: '2024-05-01T12:00:00.000Z' };
const env: CompiledEnv = { job: ctx, nowIso: ctx.started_at, nowMillis: Date.parse(ctx.started_at) };

type Outcome = { value: unknown } | { code: string; message?: string };

function compiled(expr: string, data: unknown): Outcome {
  const fn = compileExpressionToFunction(expr);
  if ('reason' in fn) throw new Error(`${expr} not compiled: ${fn.reason}`);
  try {
    return { value: fn(data, env) };
  } catch (err) {
    const e = err as { code: string; message?: string };
    return { code: e.code, message: e.message };
  }
}

async function interpreted(expr: string, data: unknown): Promise<Outcome> {
  try {
    return { value: await compileExpression(expr, ctx).evaluate(data, { job: ctx }) };
  } catch (err) {
    const e = err as { code: string; message?: string };
    return { code: e.code, message: e.message };
  }
}

/** Compiled and interpreted agree (values up to sequence flags; errors by code and message); returns the outcome. */
async function agree(expr: string, data: unknown): Promise<Outcome> {
  const got = compiled(expr, JSON.parse(JSON.stringify(data ?? null)) as unknown);
  const want = await interpreted(expr, JSON.parse(JSON.stringify(data ?? null)) as unknown);
  if ('value' in got && 'value' in want) expect(sameValue(got.value, want.value), `${expr}: ${show(got.value)} vs ${show(want.value)}`).toBe(true);
  else expect(got, expr).toEqual(want);
  return got;
}

/** A deep copy without sequence flags or null prototypes, for readable expectations. */
function plainDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainDeep);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainDeep(x)]));
  return v;
}

const value = async (expr: string, data: unknown) => {
  const outcome = await agree(expr, data);
  if (!('value' in outcome)) throw new Error(`${expr} threw ${outcome.code}`);
  return plainDeep(outcome.value);
};

const code = async (expr: string, data: unknown) => {
  const outcome = await agree(expr, data);
  return 'code' in outcome ? outcome.code : undefined;
};

describe('paths and sequences', () => {
  const data = { a: [{ b: 1 }, { b: [2, 3] }, { c: 4 }], one: [{ b: 'x' }], s: 'str', n: null, e: [], nested: [[1, 2], [3]] };

  it('flattens sequences and unwraps singletons', async () => {
    expect(await value('a.b', data)).toEqual([1, 2, 3]);
    expect(await value('one.b', data)).toBe('x');
    expect(await value('one.b[]', data)).toEqual(['x']);
    expect(await value('nested', data)).toEqual([[1, 2], [3]]);
    expect(await value('nested[0]', data)).toEqual([1, 2]);
    expect(await value('e', data)).toEqual([]);
  });

  it('gives undefined for missing paths and steps into null as nothing', async () => {
    expect(await value('missing', data)).toBeUndefined();
    expect(await value('a.missing.deeper', data)).toBeUndefined();
    expect(await value('n.x', data)).toBeUndefined();
    expect(await value('s.length', data)).toBeUndefined();
  });

  it('filters by index (negative from the end) and by predicate', async () => {
    expect(await value('a[0].b', data)).toBe(1);
    expect(await value('a[-1].c', data)).toBe(4);
    expect(await value('a[$type(b) = "array"].b', data)).toEqual([2, 3]);
    expect(await code('a[b > 1].b', data)).toBe('T2010');
    expect(await value('a.b[0]', data)).toEqual([1, 2]);
    expect(await value('(a.b)[0]', data)).toBe(1);
    expect(await value('a[[0, 2]].c', data)).toBe(4);
  });

  it('never reaches prototypes', async () => {
    const proto = JSON.parse('{"__proto__": {"x": 1}, "o": {}}') as unknown;
    for (const expr of ['constructor', 'o.constructor', 'o.toString', '__proto__', '__proto__.x', 'o.__proto__', '$lookup(o, "constructor")', '$keys(o)']) {
      await agree(expr, proto);
    }
    expect(await value('__proto__.x', proto)).toBe(1);
    expect(await value('o.constructor', proto)).toBeUndefined();
    expect(await value('{"__proto__": 5}.__proto__', {})).toBe(5);
  });

  it('treats an array input as one value, and $$ as the raw input', async () => {
    const rows = [{ a: 1 }, { a: 2 }];
    expect(await value('a', rows)).toEqual([1, 2]);
    expect(await value('$', rows)).toEqual(rows);
    expect(await value('$$[1].a', rows)).toBe(2);
    expect(await value('$count($)', rows)).toBe(2);
  });
});

describe('operators', () => {
  it('concatenates with $string semantics', async () => {
    expect(await value('a & b', { a: 1.5, b: true })).toBe('1.5true');
    expect(await value('a & b & c', { a: null, c: [1, 'x'] })).toBe('null[1,"x"]');
    expect(await value('a & "!"', { a: 0.1 + 0.2 })).toBe('0.3!');
    expect(await value('a & b', { a: { k: 1 } })).toBe('{"k":1}');
  });

  it('does arithmetic on numbers only', async () => {
    expect(await value('a + b', { a: 1, b: 2 })).toBe(3);
    expect(await value('a + b', { a: 1 })).toBeUndefined();
    expect(await code('a + 1', { a: '1' })).toBe('T2001');
    expect(await code('1 - a', { a: true })).toBe('T2002');
    expect(await code('-a', { a: 'x' })).toBe('D1002');
  });

  it('compares strings with strings and numbers with numbers', async () => {
    expect(await value('a < b', { a: 'a', b: 'b' })).toBe(true);
    expect(await value('a < b', { a: 1 })).toBeUndefined();
    expect(await code('a < b', { a: 1, b: '2' })).toBe('T2009');
    expect(await code('a > 1', { a: true })).toBe('T2010');
    expect(await code('a >= b', { a: [1], b: 1 })).toBe('T2010');
    expect(await value('a = b', { a: { x: [1] }, b: { x: [1] } })).toBe(true);
    expect(await value('a != b', { a: 1 })).toBe(false);
    expect(await value('a in b', { a: 2, b: [1, 2] })).toBe(true);
  });

  it('short-circuits and/or, naming the operator in errors of the right side', async () => {
    expect(await value('a and $lowercase(5)', { a: false })).toBe(false);
    const outcome = await agree('a and $lowercase(5)', { a: true });
    expect(outcome).toMatchObject({ code: 'T0410', message: expect.stringContaining('"and"') as unknown });
  });

  it('handles conditionals and the default operators', async () => {
    expect(await value('a ? "y" : "n"', { a: [] })).toBe('n');
    expect(await value('a ? "y"', { a: 0 })).toBeUndefined();
    expect(await value('a ?? "d"', { a: null })).toBeNull();
    expect(await value('a ?: "d"', { a: '' })).toBe('d');
  });
});

describe('functions', () => {
  it('validates arguments against the signature, using the context for a missing one', async () => {
    expect(await value('a.$uppercase()', { a: ['x', 'y'] })).toEqual(['X', 'Y']);
    expect(await code('$uppercase()', ['x'])).toBe('T0411');
    expect(await code('$lowercase(a)', { a: 5 })).toBe('T0410');
    expect(await code('$join(a)', { a: [1] })).toBe('T0412');
    expect(await value('$join(a, "-")', { a: 'solo' })).toBe('solo');
    expect(await value('$substring(a, 1)', { a: '😀ab' })).toBe('ab');
  });

  it('binds $job and freezes the clock at the job start', async () => {
    expect(await value('$job.id & "/" & $job.pipeline', {})).toBe('job-1/semantics');
    expect(await value('$now()', {})).toBe(ctx.started_at);
    expect(await value('$millis()', {})).toBe(Date.parse(ctx.started_at));
  });

  it("runs lambdas through higher-order functions with the interpreter's arity rules", async () => {
    expect(await value('$map(a, function($v, $i){ $v & $i })', { a: ['x', 'y'] })).toEqual(['x0', 'y1']);
    expect(await value('$filter(a, function($v){ $v > 1 })', { a: [1, 2, 3] })).toEqual([2, 3]);
    expect(await value('$reduce(a, function($x, $y){ $x + $y }, 10)', { a: [1, 2] })).toBe(13);
    expect(await value('$sort(a, function($l, $r){ $l < $r })', { a: [1, 3, 2] })).toEqual([3, 2, 1]);
  });

  it("leaves a tail call's sequence unnormalised, as the interpreter's trampoline does", async () => {
    expect(await value('$map([[1]], function($v){ $map($v, function($w){ $w }) })', {})).toEqual([1]);
  });

  it('supports blocks, bindings, closures and recursion', async () => {
    expect(await value('($x := 2; $f := function($y){ $x * $y }; $x := 3; $f(5))', {})).toBe(15);
    expect(await value('($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))', {})).toBe(3628800);
    expect(await value('($a := $b; $b := 1; $a)', {})).toBeUndefined();
  });
});

describe('constructors', () => {
  it('builds objects, dropping undefined values and grouping by computed keys', async () => {
    expect(await value('{"a": x, "b": missing}', { x: 1 })).toEqual({ a: 1 });
    expect(
      await value('items{type: value}', {
        items: [
          { type: 'a', value: 1 },
          { type: 'b', value: 2 },
          { type: 'a', value: 3 },
        ],
      }),
    ).toEqual({ a: [1, 3], b: 2 });
    expect(await code('{k: 1}', { k: 5 })).toBe('T1003');
    expect(await code('{"a": 1, "a": 2}', {})).toBe('D1009');
  });

  it('builds arrays, flattening sequences but keeping nested constructors', async () => {
    expect(await value('[a, [b], c.d]', { a: [1, 2], b: 3, c: [{ d: 4 }, { d: 5 }] })).toEqual([1, 2, [3], 4, 5]);
    expect(await value('[]', {})).toEqual([]);
  });

  it('defers to the interpreter when several concurrently evaluated items fail', () => {
    expect(compiled('[a + 1, $lowercase(b)]', { a: 'x', b: 1 })).toMatchObject({ code: DEFER_CODE });
    expect(compiled('[a + 1, $lowercase(b)]', { a: 1, b: 1 })).toMatchObject({ code: 'T0410' });
  });
});

describe('compileColumns', () => {
  it('compiles a mapping into one function and reports what it could not compile', () => {
    const result = compileColumns({ email: '$lowercase(Email)', joined: 'Account.Order@$o.Product', bad: '$lowercase(' });
    expect(result.compiled).toEqual(['email']);
    expect(result.interpreted.map((entry) => entry.column)).toEqual(['joined', 'bad']);
    expect(result.interpreted[0]?.reason).toMatch(/focus/);
    expect(result.interpreted[1]?.reason).toMatch(/does not parse/);
    expect(result.evaluate?.({ Email: 'A@B.C' }, env)).toEqual({ values: { email: 'a@b.c' }, errors: [], deferred: [] });
  });

  it("reports errors per column with the interpreter's code and message, and omits undefined results", () => {
    const { evaluate } = compileColumns({ n: 'Age + 1', missing: 'Nope', ok: '"fine"' });
    expect(evaluate?.({ Age: 'ten' }, env)).toEqual({
      values: { ok: 'fine' },
      errors: [{ column: 'n', code: 'T2001', message: 'The left side of the "+" operator must evaluate to a number' }],
      deferred: [],
    });
  });

  it('returns null when nothing compiles', () => {
    expect(compileColumns({ x: '$eval("1")' }).evaluate).toBeNull();
  });
});
