import { formatPath } from '../spec/diagnostics.js';

/** A key written twice in one JSON object; `at` is the object's path, empty for the record itself. */
export interface DuplicateKey {
  key: string;
  at: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * The first key that `text` repeats within one object, or undefined. `parsed` is JSON.parse(text):
 * JSON.parse keeps only the last of repeated keys, which would drop a value silently.
 *
 * This runs for every JSON record, so it screens cheaply first: each key in the text is a `"`
 * followed by optional whitespace and `:`, so such marks number at least the key/value pairs
 * written, and without a repeat the pairs equal the keys JSON.parse kept. Equal counts prove there
 * is no repeat; only more marks (a repeat, or a string value holding `":`) pay for the exact scan.
 */
export function findDuplicateKey(text: string, parsed: unknown): DuplicateKey | undefined {
  if (keyMarks(text) === keptKeys(parsed)) return undefined;
  return scanForDuplicate(text);
}

/** `"` followed by optional JSON whitespace and `:` — one per key, plus any inside strings. */
export function keyMarks(text: string): number {
  let count = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    if (text.charCodeAt(i) !== QUOTE) continue;
    let j = i + 1;
    while (j < length && isJsonSpace(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === COLON) count++;
  }
  return count;
}

/** Own keys of every object in a JSON.parse result (`__proto__` included: JSON.parse makes it an own key). */
export function keptKeys(parsed: unknown): number {
  let count = 0;
  const pending: unknown[] = [parsed];
  // A stack, not recursion: a deeply nested record must not overflow the call stack.
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
      continue;
    }
    const keys = Object.keys(value);
    count += keys.length;
    for (const key of keys) pending.push((value as Record<string, unknown>)[key]);
  }
  return count;
}

interface Frame {
  /** Keys seen so far; undefined for an array. */
  keys: Set<string> | undefined;
  /** The member or element the next value belongs to. */
  next: string | number;
  /** In an object: the next string is a key (not a value). */
  expectKey: boolean;
}

/** The exact scan over text that JSON.parse accepted: tokens only as far as keys and nesting need. */
function scanForDuplicate(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (top?.keys && top.expectKey) {
        // Keys compare as decoded text: "e\u006dail" is "email".
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { key, at: pathOf(stack) };
        top.keys.add(key);
        top.next = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ keys: c === 0x7b ? new Set() : undefined, next: 0, expectKey: true });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */ && top) {
      if (top.keys) top.expectKey = true;
      else top.next = (top.next as number) + 1;
    }
  }
  return undefined;
}

/** Path of the innermost frame: each outer frame's member or element leads into the next (built only when reported, so deep nesting stays linear). */
function pathOf(stack: readonly Frame[]): string {
  return formatPath(stack.slice(0, -1).map((frame) => frame.next));
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
  return text.length;
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * The reject message: names the field and where it is, and why it cannot be kept. It quotes a
 * field name, never a value, so secret masking keeps it whole (mapping/secret-sources.ts); a
 * runaway name or path is clipped, as the raw text of a reject is.
 */
export function duplicateKeyMessage(duplicate: DuplicateKey): string {
  const key = duplicate.key.length > MAX_KEY_CHARS ? `${duplicate.key.slice(0, MAX_KEY_CHARS)}…` : duplicate.key;
  // A path keeps its end: the part nearest the field.
  const path = duplicate.at.length > MAX_PATH_CHARS ? `…${duplicate.at.slice(-MAX_PATH_CHARS)}` : duplicate.at;
  return `duplicate field ${JSON.stringify(key)} in one JSON object${path ? ` (at ${path})` : ''}; JSON keeps only the last value`;
}

const MAX_KEY_CHARS = 100;
const MAX_PATH_CHARS = 200;
