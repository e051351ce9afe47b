import { framePath, scanJsonText } from './json-text.js';
import { clip } from './clip.js';

/** A key written twice in one JSON object; `at` is the object's path, empty for the record itself; `path` the field's own. */
export interface DuplicateKey {
  key: string;
  at: string;
  path: string;
}

const QUOTE = 0x22;
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

/** The exact scan over text that JSON.parse accepted. */
function scanForDuplicate(text: string): DuplicateKey | undefined {
  let found: DuplicateKey | undefined;
  scanJsonText(text, {
    key(key, frames) {
      const top = frames[frames.length - 1]!;
      const keys = (top.keys ??= new Set());
      if (keys.has(key)) found = { key, at: framePath(frames), path: framePath(frames, key) };
      keys.add(key);
      return found !== undefined;
    },
  });
  return found;
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * The reject message: names the field and where it is, and why it cannot be kept. It quotes a
 * field name, never a value, so secret masking keeps it whole (mapping/secret-sources.ts); a
 * runaway name or path is clipped, as the raw text of a reject is.
 */
export function duplicateKeyMessage(duplicate: Pick<DuplicateKey, 'key' | 'at'>): string {
  const key = clip(duplicate.key, MAX_KEY_CHARS);
  // A path keeps its end: the part nearest the field.
  const path = duplicate.at.length > MAX_PATH_CHARS ? `…${duplicate.at.slice(-MAX_PATH_CHARS)}` : duplicate.at;
  return `duplicate field ${JSON.stringify(key)} in one JSON object${path ? ` (at ${path})` : ''}; JSON keeps only the last value`;
}

const MAX_KEY_CHARS = 100;
const MAX_PATH_CHARS = 200;
