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
      readsClock(part) ? '    $budgetColumn();' : '    $budgetClockFreeColumn();',
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

/**
 * The runtime members that never reach the clock (budget.ts `tick` and `checkClock`): they make
 * no call of a user function, a built-in, a regex or a range. Every other member may, and so may a
 * name not listed here (a member added later is taken as reading the clock until listed).
 */
const CLOCK_FREE: ReadonlySet<string> = new Set([
  // sequences and navigation (sequence.ts, values.ts): all but `range`, which ticks
  'newSeq',
  'seq1',
  'asSeq',
  'outerWrap',
  'wrapInput',
  'contextValue',
  'norm',
  'normKeep',
  'isSequence',
  'lookup',
  'field',
  'isRecord',
  'isPlainRecord',
  'ObjectPrototype',
  'namePath',
  'stepResult',
  'keepSingletonPath',
  'filterIndex',
  'filterCount',
  'appendInto',
  'markCons',
  // object constructors (group.ts): not `groupData`, which ticks
  'newDict',
  'dictKeys',
  // operators.ts (`&` counts output, not time)
  'add',
  'subtract',
  'multiply',
  'divide',
  'modulo',
  'equal',
  'notEqual',
  'compare',
  'concat',
  'includes',
  'negate',
  'boolize',
  'toBoolean',
  // string built-ins that run inline, with no regex
  'trimString',
  'stringLength',
  'uppercase',
  'lowercase',
  'substring',
  'substringBefore',
  'substringAfter',
  // results and errors
  'plain',
  'reportError',
  'populateMessage',
  'asJsonataError',
  'retoken',
  'budgetColumn',
]);

/** Whether a column's code may reach a clock check: it names a runtime member not known to be clock-free. */
export function readsClock(part: Pick<ColumnCode, 'prologue' | 'body'>): boolean {
  for (const name of `${part.prologue}\n${part.body}`.matchAll(/\$([A-Za-z_]\w*)/g)) if (!CLOCK_FREE.has(name[1] as string)) return true;
  return false;
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
