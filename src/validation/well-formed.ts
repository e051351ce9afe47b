import type { RejectError } from './reject.js';
import { report } from './checks.js';

/*
 * What every record must be before it is written, whatever its source, mapping or schema: JSON
 * data a store keeps as it is. A string (value or field name, at any depth) must be well-formed
 * Unicode: a lone surrogate (`"\ud800"` in JSON, or half a pair cut by an expression) has no UTF-8
 * form, so SQLite would store invalid bytes and PostgreSQL U+FFFD. A number must be finite:
 * JSON.parse reads 1e400 as Infinity, and JSON writes Infinity and NaN as null.
 *
 * It runs on the mapped values of every record, so it is one walk with no allocation while the
 * record is good; paths are built only for a record that has a problem.
 */

/** Deeper than this is a reject: it bounds the walk's stack, and no user record nests so deep. */
export const MAX_DEPTH = 1000;

/** At most this many problems per record are listed; a runaway record cannot bloat the rejects file. */
const MAX_REPORTED = 20;

/** Adds a FORMAT reject for each malformed value or field name of `values` (none while the record is good). */
export function checkWellFormed(errors: RejectError[], values: Record<string, unknown>): void {
  if (!isWellFormedObject(values, 0)) reportMalformed(errors, values);
}

/**
 * Whether `path` (a reject path: `a.b[2]`) is one of `paths` or inside one: the path itself or a
 * prefix of it that ends before a `.` or `[`. One lookup per prefix, not one scan of `paths` per
 * path: a record with 200,000 malformed values is checked in linear time.
 */
export function isUnder(path: string, paths: ReadonlySet<string>): boolean {
  if (paths.has(path)) return true;
  for (let end = 1; end < path.length; end++) {
    if ((path[end] === '.' || path[end] === '[') && paths.has(path.slice(0, end))) return true;
  }
  return false;
}

function isWellFormedValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isWellFormedValue(value[i], depth + 1)) return false;
        return true;
      }
      return isWellFormedObject(value, depth + 1);
    default:
      return true;
  }
}

function isWellFormedObject(obj: object, depth: number): boolean {
  if (!isJsonObject(obj)) return true;
  for (const key in obj) if (!key.isWellFormed() || !isWellFormedValue(obj[key], depth)) return false;
  return true;
}

/**
 * A plain or null-prototype object that is not a JSONata function. Anything else (a Date, a
 * Buffer, a lambda whose environment loops back on itself) is not JSON data: it is not walked,
 * and the writer rejects what it cannot store as INVALID_TYPE.
 */
function isJsonObject(obj: object): obj is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) return false;
  const marked = obj as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return marked._jsonata_lambda !== true && marked._jsonata_function !== true;
}

/** The slow path, for a record known to have a problem: every problem (up to MAX_REPORTED) with its path, in document order. */
function reportMalformed(errors: RejectError[], values: Record<string, unknown>): void {
  const found: RejectError[] = [];
  let more = 0;
  const add = (path: string, message: string): void => {
    if (found.length < MAX_REPORTED) report(found, 'FORMAT', path, message);
    else more++;
  };
  // An explicit stack, not recursion: the record may nest as deep as MAX_DEPTH.
  const stack: Entry[] = [];
  pushChildren(stack, values, '', 0);
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { value, path, depth } = entry;
    const problem = entry.badName ?? valueProblem(value, depth);
    if (problem !== undefined) add(path, problem);
    else if (typeof value === 'object' && value !== null) pushChildren(stack, value, path, depth + 1);
  }
  if (more > 0) report(found, 'FORMAT', '', `and ${more} more malformed value(s) or field name(s)`);
  errors.push(...found);
}

interface Entry {
  value: unknown;
  path: string;
  /** Containers above the value, the record not counted (as in isWellFormedValue). */
  depth: number;
  /** Set when the field name itself is malformed: the problem, reported instead of walking the value. */
  badName?: string;
}

/** Pushes the items or fields of `value` so that they pop in order. */
function pushChildren(stack: Entry[], value: object, path: string, depth: number): void {
  const children: Entry[] = [];
  if (Array.isArray(value)) value.forEach((item: unknown, i) => children.push({ value: item, path: `${path}[${i}]`, depth }));
  else if (isJsonObject(value)) {
    for (const key in value) {
      const keyPath = path === '' ? pathKey(key) : `${path}.${pathKey(key)}`;
      const badName = key.isWellFormed() ? undefined : `field name ${loneSurrogateProblem(key)}`;
      children.push(badName === undefined ? { value: value[key], path: keyPath, depth } : { value: undefined, path: keyPath, depth, badName });
    }
  }
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
}

/** What is wrong with this one value (not its contents), or undefined. */
function valueProblem(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : loneSurrogateProblem(value);
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : nonFiniteProblem(value);
  if (typeof value === 'object' && value !== null && depth >= MAX_DEPTH) return `nested more than ${MAX_DEPTH} levels deep`;
  return undefined;
}

function loneSurrogateProblem(text: string): string {
  const unit = loneSurrogate(text);
  return `contains a lone surrogate (U+${unit.toString(16).toUpperCase()}), which is not valid Unicode`;
}

function nonFiniteProblem(n: number): string {
  if (Number.isNaN(n)) return 'is not a number (NaN), which JSON cannot hold';
  return `number out of range (${n > 0 ? 'above' : 'below'} ${n > 0 ? '' : '-'}${Number.MAX_VALUE}, beyond what a double can hold)`;
}

/** The first UTF-16 unit of `text` that is half a surrogate pair without its other half. */
function loneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return c;
    } else if (c >= 0xdc00 && c <= 0xdfff) return c;
  }
  return 0xfffd; // unreachable for a string that is not well-formed
}

/** A field name in a path, its lone surrogates written as `\uXXXX` so the path itself stays valid text. */
function pathKey(key: string): string {
  if (key.isWellFormed()) return key;
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && key.charCodeAt(i + 1) >= 0xdc00 && key.charCodeAt(i + 1) <= 0xdfff;
    if (pair) out += key.slice(i, ++i + 1);
    else out += c >= 0xd800 && c <= 0xdfff ? `\\u${c.toString(16)}` : key[i];
  }
  return out;
}
