import type { FieldRef, MatchNode, PatternPart, PhraseValue, RangeBound, RangeNode, TermValue } from './ast.js';
import { inexactNumber } from './exact-number.js';
import { QueryError } from './query-error.js';
import { MAX_PATTERN_BYTES } from './query-limits.js';
import type { FieldTarget } from './resolve-field.js';
import { unorderedOf } from './resolve-field.js';
import { beyondMicroseconds, parseInstant } from './timestamps.js';
import type { QueryInstant } from './timestamps.js';

/** How a value is compared: decided by the column type, or for JSON paths by how the value is written. */
export type ValueType = 'text' | 'number' | 'boolean' | 'timestamp';

export type ComparisonOperator = '=' | '>' | '>=' | '<' | '<=';

export interface Comparison {
  operator: ComparisonOperator;
  value: string | number | boolean;
}

/** A dialect-free description of one leaf predicate; the SQL dialects render it. */
export type Condition =
  | { kind: 'exists' }
  /** All comparisons hold (a range is two). `ignoreCase` compares both sides with A–Z folded (SqlDialect `foldCase`). */
  | { kind: 'compare'; type: ValueType; comparisons: Comparison[]; ignoreCase: boolean }
  /**
   * LIKE patterns, escaped with a backslash, matched with A–Z folded (SqlDialect `like`): one of them
   * matches. Several are the wildcard terms of one OR on one field (compile-query.ts `likeGroups`).
   */
  | { kind: 'like'; patterns: string[] }
  /** Equal to one of `values` (each of its own type): the terms of one OR on one JSON value (compile-query.ts `listGroups`). */
  | { kind: 'equalsAny'; values: { type: ValueType; value: string | number | boolean }[] };

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

export function matchCondition(node: MatchNode, target: FieldTarget): Condition {
  const { field, value } = node;
  const type = target.kind === 'json' ? jsonValueType(value) : columnValueType(target, field);
  if (value.kind === 'term' && value.pattern) {
    if (type !== 'text') {
      throw new QueryError(`wildcards only apply to text: ${field.name} holds ${type} values`, value.offset, field.name);
    }
    const pattern = likePattern(value.pattern);
    const bytes = Buffer.byteLength(pattern);
    if (bytes > MAX_PATTERN_BYTES) {
      const message = `${field.name}: a wildcard value is at most ${MAX_PATTERN_BYTES} bytes (SQLite's longest LIKE pattern), this one is ${bytes}`;
      throw new QueryError(message, value.offset, field.name);
    }
    return { kind: 'like', patterns: [pattern] };
  }
  if (type === 'timestamp') {
    const instant = toInstant(value.text, value.offset, field);
    const comparisons: Comparison[] = instant.dayEnd
      ? [
          { operator: '>=', value: instant.start },
          { operator: '<', value: instant.dayEnd },
        ]
      : [{ operator: '=', value: instant.start }];
    return { kind: 'compare', type, comparisons, ignoreCase: false };
  }
  const comparison: Comparison = { operator: '=', value: toScalar(value.text, type, value.offset, field) };
  return { kind: 'compare', type, comparisons: [comparison], ignoreCase: ignoresCase(target) };
}

export function rangeCondition(node: RangeNode, target: FieldTarget): Condition {
  const { field, lower, upper } = node;
  const math = [lower, upper].find((bound) => bound.math);
  if (math) throw new QueryError(`date math (${math.value ?? ''}) is resolved when a job is planned; this query was not`, math.offset, field.name);
  if (lower.value === undefined && upper.value === undefined) return { kind: 'exists' };
  const unordered = target.kind === 'json' ? undefined : unorderedOf(target.column);
  if (unordered) {
    const what = target.kind === 'array' ? `its elements' type, ${unordered.compareAs},` : `its type, ${unordered.declared},`;
    const message = `ranges do not apply to ${field.name}: ${what} has no order in PostgreSQL; match one value (${field.name}:"…"), a wildcard on its text, or _exists_:${field.name}`;
    throw new QueryError(message, node.offset, field.name);
  }
  const type = target.kind === 'json' ? jsonRangeType([lower, upper]) : columnValueType(target, field);
  if (type === 'boolean') {
    throw new QueryError(`ranges do not apply to ${field.name}: it holds true/false`, node.offset, field.name);
  }
  const dated = [lower, upper].find((bound) => bound.written !== undefined);
  // Quote the date math as written: its resolved instant is one the user never wrote.
  if (dated && type === 'number') throw new QueryError(`${field.name} holds numbers: date math (${dated.written}) gives a date`, dated.offset, field.name);
  const comparisons = [lowerComparison(lower, type, field), upperComparison(upper, type, field)];
  return {
    kind: 'compare',
    type,
    comparisons: comparisons.filter((comparison) => comparison !== undefined),
    ignoreCase: ignoresCase(target),
  };
}

function lowerComparison(bound: RangeBound, type: ValueType, field: FieldRef): Comparison | undefined {
  if (bound.value === undefined) return undefined;
  if (type !== 'timestamp') {
    return { operator: bound.inclusive ? '>=' : '>', value: toScalar(bound.value, type, bound.offset, field) };
  }
  const instant = toInstant(bound.value, bound.offset, field);
  // An excluded date-only lower bound excludes the whole day.
  if (instant.dayEnd) return { operator: '>=', value: bound.inclusive ? instant.start : instant.dayEnd };
  return { operator: bound.inclusive ? '>=' : '>', value: instant.start };
}

function upperComparison(bound: RangeBound, type: ValueType, field: FieldRef): Comparison | undefined {
  if (bound.value === undefined) return undefined;
  if (type !== 'timestamp') {
    return { operator: bound.inclusive ? '<=' : '<', value: toScalar(bound.value, type, bound.offset, field) };
  }
  const instant = toInstant(bound.value, bound.offset, field);
  // An included date-only upper bound includes the whole day: `[… TO 2024-12-31]` ends before 2025-01-01.
  if (instant.dayEnd) return { operator: '<', value: bound.inclusive ? instant.dayEnd : instant.start };
  return { operator: bound.inclusive ? '<=' : '<', value: instant.start };
}

function columnValueType(target: FieldTarget, field: FieldRef): ValueType {
  const { name } = target.column;
  // An array's elements are compared, as values of the element's type.
  const type = target.kind === 'array' ? target.element : target.column.type;
  if (type === 'json') {
    const message = `"${name}" is a JSON column: match a key inside it (${name}.key:value) or use _exists_:${name}`;
    throw new QueryError(message, field.offset, field.name);
  }
  return type === 'integer' || type === 'real' ? 'number' : type;
}

/** JSON values are typed by how they are written: unquoted true/false and numbers are JSON booleans and numbers. */
function jsonValueType(value: TermValue | PhraseValue): ValueType {
  if (value.kind === 'phrase' || value.pattern) return 'text';
  if (value.text === 'true' || value.text === 'false') return 'boolean';
  return NUMBER.test(value.text) ? 'number' : 'text';
}

/**
 * A JSON range is numeric when every closed bound is an unquoted number, otherwise it compares
 * strings: a quoted bound is a string as a quoted value is (`zip:["10000" TO "19999"]` compared
 * numbers and found none of the zip codes stored as strings).
 */
function jsonRangeType(bounds: RangeBound[]): ValueType {
  const closed = bounds.filter((bound) => bound.value !== undefined);
  return closed.every((bound) => !bound.quoted && NUMBER.test(bound.value ?? '')) ? 'number' : 'text';
}

/** The email column compares case-insensitively everywhere in Ferry (see WriteBatchInput.key). */
function ignoresCase(target: FieldTarget): boolean {
  return target.kind === 'column' && target.column.name === 'email' && target.column.type === 'text';
}

function toScalar(text: string, type: ValueType, offset: number, field: FieldRef): string | number | boolean {
  if (type === 'number') {
    const value = Number(text);
    if (!NUMBER.test(text) || !Number.isFinite(value)) throw new QueryError(`${field.name} holds numbers: "${text}" is not a number`, offset, field.name);
    const inexact = inexactNumber(text, value);
    if (inexact) throw new QueryError(`${field.name} holds numbers: ${inexact}`, offset, field.name);
    return value;
  }
  if (type === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new QueryError(`${field.name} holds booleans: expected true or false, got "${text}"`, offset, field.name);
  }
  return text;
}

function toInstant(text: string, offset: number, field: FieldRef): QueryInstant {
  if (beyondMicroseconds(text)) {
    throw new QueryError(`${field.name} holds timestamps to the microsecond: "${text}" has digits beyond them`, offset, field.name);
  }
  const instant = parseInstant(text);
  if (!instant) {
    const hint = /^(now|\{)/.test(text) ? `; date math (${text}) works in range bounds: ${field.name}:[${text} TO *]` : " (quote it if it has ':')";
    const message = `${field.name} holds timestamps: "${text}" is not a date (YYYY-MM-DD) or ISO date-time${hint}`;
    throw new QueryError(message, offset, field.name);
  }
  return instant;
}

/** `*` → `%`, `?` → `_`; literal `%`, `_` and `\` are escaped for `ESCAPE '\'`. */
export function likePattern(parts: PatternPart[]): string {
  return parts.map((part) => ('wildcard' in part ? (part.wildcard === '*' ? '%' : '_') : part.literal.replace(/[\\%_]/g, '\\$&'))).join('');
}
