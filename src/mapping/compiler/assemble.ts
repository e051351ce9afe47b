import type { CompiledEnv } from './calls.js';
import { literal } from './emitter.js';
import type { Runtime } from './runtime.js';

/**
 * Turns generated statements into functions. The only dynamic code is `new Function('rt', …)`
 * over text built from the parsed AST (user strings appear only as JSON literals); it receives
 * the frozen runtime as its one free name and returns the per-record function.
 */

export interface ColumnCode {
  column: string;
  body: string;
  prologue: string;
  result: string;
  /** The result is never an array: no copy needed. */
  scalar: boolean;
}

interface ColumnResultsLike {
  values: Record<string, unknown>;
  errors: { column: string; message: string; code?: string }[];
  deferred: string[];
}

function bindRuntime(runtime: Runtime): string {
  return Object.keys(runtime)
    .map((name) => `const $${name} = rt.${name};`)
    .join('\n');
}

function build<T>(runtime: Runtime, prologue: string, fn: string): T {
  const source = `'use strict';\n${bindRuntime(runtime)}\n${prologue}\nreturn ${fn};`;
  return (new Function('rt', source) as (rt: Runtime) => T)(runtime);
}

export function columnFunction(parts: ColumnCode[], runtime: Runtime): (record: unknown, env: CompiledEnv) => ColumnResultsLike {
  const columns = parts.map((part) =>
    [
      '  try {',
      '    $budgetColumn();',
      part.body,
      `    if (${part.result} !== undefined) ${assignColumn(part.column, part.scalar ? part.result : `$plain(${part.result})`)};`,
      '  } catch (err) {',
      `    $reportError(errors, deferred, ${literal(part.column)}, err);`,
      '  }',
    ].join('\n'),
  );
  const fn = [
    'function evaluate(root, env) {',
    '  const input = $wrapInput(root);',
    '  const inputRecord = $isPlainRecord(input);',
    '  const values = {};',
    '  const errors = [];',
    '  const deferred = [];',
    ...columns,
    '  return { values, errors, deferred };',
    '}',
  ].join('\n');
  return build(runtime, parts.map((part) => part.prologue).join('\n'), fn);
}

/** `values[column] = value`, as an own field even for `__proto__`, which plain assignment would take as the prototype. */
function assignColumn(column: string, value: string): string {
  if (column !== '__proto__') return `values[${literal(column)}] = ${value}`;
  return `Object.defineProperty(values, ${literal(column)}, { value: ${value}, enumerable: true, writable: true, configurable: true })`;
}

export function expressionFunction(part: Omit<ColumnCode, 'column'>, runtime: Runtime): (input: unknown, env: CompiledEnv) => unknown {
  const fn = [
    'function evaluate(root, env) {',
    '  const input = $wrapInput(root);',
    '  const inputRecord = $isPlainRecord(input);',
    '  try {',
    part.body,
    `    return ${part.result};`,
    '  } catch (err) {',
    '    throw $populateMessage($asJsonataError(err));',
    '  }',
    '}',
  ].join('\n');
  return build(runtime, part.prologue, fn);
}
