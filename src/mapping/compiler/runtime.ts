import { budgetClockFreeColumn, budgetColumn, chargeWork, tick } from '../budget.js';
import { builtins, callBuiltin } from './builtins.js';
import { UNBOUND, applyValue, asJsonataError, builtinValue, callLambda, free, lambda, millis, now, parallelError, plain, reportError } from './calls.js';
import { populateMessage, retoken } from './errors.js';
import { orderTerms, sortSequence } from './functions-hof.js';
import { descendants, dictKeys, groupAdd, groupData, groupItems, newDict, wildcard } from './group.js';
import { add, compare, concat, divide, equal, includes, modulo, multiply, negate, notEqual, subtract } from './operators.js';
import { length as stringLength, substring, substringAfter, substringBefore, trim as trimString } from './functions-string.js';
import { regexMatcher } from './regex.js';
import { parseSignature } from './signature.js';
import {
  ObjectPrototype,
  appendInto,
  asSeq,
  contextValue,
  field,
  filterCount,
  isPlainRecord,
  isRecord,
  filterIndex,
  keepSingletonPath,
  lookup,
  markCons,
  namePath,
  newSeq,
  norm,
  normKeep,
  outerWrap,
  range,
  seq1,
  stepResult,
  wrapInput,
} from './sequence.js';
import { boolize, isSequence, toBoolean } from './values.js';

/**
 * Everything generated code can reach: it receives this frozen object as its only free name
 * (`rt`), so it cannot touch globals, `process`, `require` or prototypes.
 */
export const runtime = Object.freeze({
  UNBOUND,
  builtins,
  // sequences and navigation
  newSeq,
  seq1,
  asSeq,
  outerWrap,
  wrapInput,
  contextValue,
  norm,
  normKeep,
  isSequence,
  lookup,
  field,
  isRecord,
  isPlainRecord,
  ObjectPrototype,
  namePath,
  stepResult,
  keepSingletonPath,
  wildcard,
  descendants,
  filterIndex,
  filterCount,
  appendInto,
  markCons,
  range,
  // object constructors and grouping
  newDict,
  dictKeys,
  groupItems,
  groupData,
  groupAdd,
  // operators
  add,
  subtract,
  multiply,
  divide,
  modulo,
  equal,
  notEqual,
  compare,
  concat,
  includes,
  negate,
  boolize,
  toBoolean,
  // functions
  orderTerms,
  sortSequence,
  trimString,
  stringLength,
  // under the output limit, as every call of theirs (output-guards.ts)
  uppercase: builtins['uppercase']!.impl,
  lowercase: builtins['lowercase']!.impl,
  substring,
  substringBefore,
  substringAfter,
  callBuiltin,
  callLambda,
  builtinValue,
  applyValue,
  lambda,
  parseSignature,
  now,
  millis,
  free,
  regexMatcher,
  // errors and results
  retoken,
  parallelError,
  asJsonataError,
  populateMessage,
  plain,
  reportError,
  // the per-record budget (budget.ts)
  budgetColumn,
  budgetClockFreeColumn,
  tick,
  readString,
});

/** A string an inline built-in is about to read, counted as read (budget.ts `chargeWork`). */
function readString(s: string): string {
  chargeWork(s.length);
  return s;
}

export type Runtime = typeof runtime;

/** The names generated code may use; codegen refers to runtime members only through these. */
export type RuntimeName = keyof Runtime;
