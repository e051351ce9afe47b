import { jsonata } from '../jsonata-library.js';
import type { Node } from './ast.js';
import { compiler } from './codegen.js';
import { Emitter } from './emitter.js';
import { type CompiledEnv } from './calls.js';
import { DEFER_CODE, isDeferral } from './errors.js';
import { runtime } from './runtime.js';
import { Frame } from './scope.js';
import { Unsupported } from './unsupported.js';
import { columnFunction, expressionFunction, type ColumnCode } from './assemble.js';

export type { CompiledEnv } from './calls.js';
export { DEFER_CODE, isDeferral };

/**
 * A compiler from JSONata expression ASTs to JavaScript, for the subset column mappings use.
 * Anything outside the subset is reported (with a reason) so the caller runs it with the
 * interpreter; compiled code returns exactly what the interpreter returns, or defers.
 */

export interface ColumnError {
  column: string;
  message: string;
  code?: string;
}

export interface ColumnResults {
  /** Defined results of the compiled columns, arrays copied into plain arrays. */
  values: Record<string, unknown>;
  /** Evaluation errors, with the interpreter's code and message. */
  errors: ColumnError[];
  /**
   * Columns whose value for this record only the interpreter can give exactly (e.g. several
   * parts of a constructor failed at once); evaluate them with the interpreter.
   */
  deferred: string[];
}

export interface CompiledColumns {
  compiled: string[];
  interpreted: { column: string; reason: string }[];
  /** null when no column compiled */
  evaluate: ((record: unknown, env: CompiledEnv) => ColumnResults) | null;
}

/** Compiles a `columns` map into one function that computes every compilable column in one pass. */
export function compileColumns(columns: Record<string, string>): CompiledColumns {
  const compiled: string[] = [];
  const interpreted: { column: string; reason: string }[] = [];
  const parts: ColumnCode[] = [];
  Object.entries(columns).forEach(([column, text], index) => {
    const part = generate(text, `_${index}_`);
    if ('reason' in part) interpreted.push({ column, reason: part.reason });
    else {
      compiled.push(column);
      parts.push({ column, ...part });
    }
  });
  if (parts.length === 0) return { compiled, interpreted, evaluate: null };
  let evaluate: CompiledColumns['evaluate'] = null;
  if (
    buildFailure(() => {
      evaluate = columnFunction(parts, runtime);
    }) === null
  )
    return { compiled, interpreted, evaluate };
  // a code generator bug must never break a mapping: the columns that do not build are interpreted
  const buildable = parts.filter((part) => {
    const failure = buildFailure(() => columnFunction([part], runtime));
    if (failure !== null) interpreted.push({ column: part.column, reason: failure });
    return failure === null;
  });
  return {
    compiled: buildable.map((part) => part.column),
    interpreted,
    evaluate: buildable.length === 0 ? null : columnFunction(buildable, runtime),
  };
}

/**
 * Compiles one expression. The function returns what `jsonata(expr).evaluate(input, {job})`
 * would (sequence flags included) or throws its error; an error whose code is `DEFER_CODE`
 * means "evaluate this input with the interpreter".
 */
export function compileExpressionToFunction(expr: string): ((input: unknown, env: CompiledEnv) => unknown) | { reason: string } {
  const part = generate(expr, '_');
  if ('reason' in part) return part;
  let fn: ((input: unknown, env: CompiledEnv) => unknown) | undefined;
  const failure = buildFailure(() => {
    fn = expressionFunction(part, runtime);
  });
  return fn ?? { reason: failure ?? 'internal compiler error' };
}

/** Why an expression is not compiled, or its code (statements + result identifier). */
function generate(text: string, namespace: string): { body: string; prologue: string; result: string; scalar: boolean } | { reason: string } {
  let ast: Node;
  try {
    ast = jsonata(text).ast() as Node;
  } catch (err) {
    return { reason: `does not parse: ${(err as { message?: string }).message ?? String(err)}` };
  }
  const e = new Emitter(namespace);
  try {
    const frame = new Frame(null, 'root');
    const cx = { e, input: 'input', frame, lambdaCtx: null, record: { input: 'input', flag: 'inputRecord' } };
    const result = compiler.statements([ast], frame, cx);
    return { body: e.text(), prologue: e.prologue(), result, scalar: e.isScalar(result) };
  } catch (err) {
    if (err instanceof Unsupported) return { reason: err.reason };
    // `((((…))))` 1,000 deep overflowed the generator's stack: the interpreter runs it, under its depth limit
    if (err instanceof RangeError) return { reason: `nested too deeply to compile (${err.message})` };
    throw err;
  }
}

function buildFailure(build: () => unknown): string | null {
  try {
    build();
    return null;
  } catch (err) {
    return `internal compiler error: ${String(err)}`;
  }
}

/** The JavaScript generated for one expression (for debugging and the code-safety tests), or why there is none. */
export function generatedSource(expr: string): string | { reason: string } {
  const part = generate(expr, '_');
  if ('reason' in part) return part;
  return `${part.prologue}\n${part.body}\nreturn ${part.result};`;
}
