import type { RejectCode, RejectError } from './reject.js';
import { codePointCount } from './text.js';
import { clip } from './clip.js';

/** A parsed JSON object: not null, not an array. */
export type JsonObject = Record<string, unknown>;

/** Checks one top-level field of a record; called only when the value is neither null nor undefined. */
export type FieldCheck = (errors: RejectError[], value: unknown, record: JsonObject) => void;

/** A problem found by a check that does not know the path; the caller adds it. Instances are shared constants. */
export interface Problem {
  readonly code: RejectCode;
  readonly message: string;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional values: the import format treats an explicit null like an absent key. */
export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

export function report(errors: RejectError[], code: RejectCode, path: string, message: string): void {
  errors.push({ code, message, path });
}

/** JSON type name, as JSON Schema validators say it ("expected string, got number"). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A user value for a message, shortened so a huge field cannot bloat the rejects file. Never used for secrets. */
export function quote(value: string): string {
  return JSON.stringify(clip(value, 40));
}

export function reportType(errors: RejectError[], path: string, expected: string, value: unknown): void {
  report(errors, 'INVALID_TYPE', path, `expected ${expected}, got ${jsonType(value)}`);
}

/**
 * Length limits in characters (Unicode code points, so an emoji counts once, as a person would count it).
 * An empty string is reported as MIN_LENGTH. Returns whether the length is within bounds.
 */
export function checkLength(errors: RejectError[], path: string, value: string, min: number, max: number): boolean {
  if (value.length < min) {
    report(errors, 'MIN_LENGTH', path, `must be at least ${min} character${min === 1 ? '' : 's'} long`);
    return false;
  }
  // A string of n UTF-16 units has at most n code points, so counting is needed only past the limit.
  if (value.length > max && codePointCount(value, 0, value.length) > max) {
    report(errors, 'MAX_LENGTH', path, `must be at most ${max} characters long`);
    return false;
  }
  return true;
}

/**
 * A string that must be one of `allowed`. Returns the value when valid, undefined otherwise (after
 * reporting INVALID_TYPE or ENUM_MISMATCH).
 */
export function checkEnum<T extends string>(errors: RejectError[], path: string, value: unknown, allowed: ReadonlySet<T>): T | undefined {
  if (typeof value !== 'string') {
    reportType(errors, path, 'string', value);
    return undefined;
  }
  if (allowed.has(value as T)) return value as T;
  report(errors, 'ENUM_MISMATCH', path, `expected one of ${[...allowed].join(', ')}; got ${quote(value)}`);
  return undefined;
}

/** True when `obj` has a key outside `known`; the cheap test that runs on every valid record. */
export function hasUnknownKey(obj: JsonObject, known: ReadonlySet<string>): boolean {
  for (const key in obj) if (!known.has(key)) return true;
  return false;
}

/** One UNKNOWN_FIELD per key of `obj` outside `known`, at `prefix.key`. */
export function reportUnknownKeys(errors: RejectError[], obj: JsonObject, known: ReadonlySet<string>, prefix: string): void {
  for (const key in obj) {
    if (!known.has(key)) report(errors, 'UNKNOWN_FIELD', `${prefix}.${key}`, `unknown field "${key}"; expected one of ${[...known].join(', ')}`);
  }
}

/**
 * An integer with a lower bound. A non-integer is INVALID_TYPE (JSON Schema `type: integer`); an
 * integer out of range is FORMAT, since the reject codes have no MINIMUM/MAXIMUM.
 */
export function checkIntegerAtLeast(errors: RejectError[], path: string, value: unknown, min: number): value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    reportType(errors, path, 'integer', value);
    return false;
  }
  if (value < min) {
    report(errors, 'FORMAT', path, `must be at least ${min}; got ${value}`);
    return false;
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    report(errors, 'FORMAT', path, `must be at most ${Number.MAX_SAFE_INTEGER}`);
    return false;
  }
  return true;
}

/**
 * A required, non-empty string. Absent, null and '' are REQUIRED (an empty value is as good as none);
 * another type is INVALID_TYPE. Returns the string when present.
 */
export function requiredString(errors: RejectError[], path: string, value: unknown, label: string): string | undefined {
  if (isAbsent(value) || value === '') {
    report(errors, 'REQUIRED', path, `${label} is required`);
    return undefined;
  }
  if (typeof value !== 'string') {
    reportType(errors, path, 'string', value);
    return undefined;
  }
  return value;
}
