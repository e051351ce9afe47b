import type { RejectError } from './reject.js';
import type { FieldCheck } from './checks.js';
import { isObject, jsonType, report } from './checks.js';
import { MAX_DEPTH } from './well-formed.js';

/** Keys the identity platform keeps for itself; an import that sets them is rejected (reference §1). */
export const reservedAppMetadataKeys: ReadonlySet<string> = new Set([
  '__tenant',
  '_id',
  'blocked',
  'clientID',
  'created_at',
  'email_verified',
  'email',
  'globalClientID',
  'global_client_id',
  'identities',
  'lastIP',
  'lastLogin',
  'loginsCount',
  'metadata',
  'multifactor_last_modified',
  'multifactor',
  'updated_at',
  'user_id',
]);

/*
 * Metadata field names may not contain '.' or '$' (they are stored as document field names, where both
 * are operators). The rule applies at every depth, including objects inside arrays.
 * Hostile nesting cannot exhaust the call stack: the search recurses only to 64 levels and goes on
 * with an explicit stack below that, and the report walks an explicit stack. Both stop at the well-formed check's MAX_DEPTH: a container that deep rejects the record anyway
 * ("nested more than … levels deep"), so every record that is written has had all its keys checked.
 * (A limit of 64 here let "a.b" at depth 65–999 through unchecked.)
 */

export const checkAppMetadata: FieldCheck = (errors, value) => {
  if (!checkMetadata(errors, value, 'app_metadata')) return;
  for (const key in value as Record<string, unknown>) {
    if (reservedAppMetadataKeys.has(key)) report(errors, 'FORMAT', `app_metadata.${key}`, `reserved app_metadata key "${key}"`);
  }
};

export const checkUserMetadata: FieldCheck = (errors, value) => {
  checkMetadata(errors, value, 'user_metadata');
};

/** Returns whether `value` is an object (its keys are then checked). */
function checkMetadata(errors: RejectError[], value: unknown, field: string): boolean {
  if (!isObject(value)) {
    report(errors, 'OBJECT_REQUIRED', field, `expected an object, got ${typeof value === 'string' ? stringKind(value) : jsonType(value)}`);
    return false;
  }
  // Search without building paths first, so a valid record costs no string building.
  if (hasBadKey(value, 0)) reportBadKeys(errors, value, field);
  return true;
}

function isBadKey(key: string): boolean {
  return key.includes('.') || key.includes('$');
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Depth to which hasBadKey recurses; deeper (rare, hostile) nesting continues on an explicit stack. */
const RECURSION_DEPTH = 64;

/** Whether any key at any depth is bad. Recursive, as it allocates nothing for the metadata of real records. */
function hasBadKey(value: unknown, depth: number): boolean {
  if (!isContainer(value) || depth >= MAX_DEPTH) return false;
  if (depth >= RECURSION_DEPTH) return hasBadKeyDeep(value, depth);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasBadKey(value[i], depth + 1)) return true;
    return false;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) if (isBadKey(key) || hasBadKey(obj[key], depth + 1)) return true;
  return false;
}

/** hasBadKey below RECURSION_DEPTH, with a stack of [container, depth] pairs instead of the call stack. */
function hasBadKeyDeep(root: object, rootDepth: number): boolean {
  const pending: unknown[] = [root, rootDepth];
  while (pending.length > 0) {
    const depth = pending.pop() as number;
    const value = pending.pop() as object;
    const push = (child: unknown): void => {
      if (isContainer(child) && depth + 1 < MAX_DEPTH) pending.push(child, depth + 1);
    };
    if (Array.isArray(value)) for (const item of value as unknown[]) push(item);
    else {
      const obj = value as Record<string, unknown>;
      for (const key in obj) {
        if (isBadKey(key)) return true;
        push(obj[key]);
      }
    }
  }
  return false;
}

interface Entry {
  value: unknown;
  path: string;
  depth: number;
  /** The field name of this value when it is a bad one. */
  badKey?: string;
}

/** Every bad key with its path, in document order (only for a record known to have one). */
function reportBadKeys(errors: RejectError[], root: object, field: string): void {
  const stack: Entry[] = [{ value: root, path: field, depth: 0 }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { value, path, depth, badKey } = entry;
    if (badKey !== undefined) report(errors, 'FORMAT', path, `metadata field names may not contain "." or "$": "${badKey}"`);
    if (!isContainer(value) || depth >= MAX_DEPTH) continue;
    const children: Entry[] = [];
    if (Array.isArray(value)) (value as unknown[]).forEach((item, i) => children.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
    else {
      const obj = value as Record<string, unknown>;
      for (const key in obj) {
        const child: Entry = { value: obj[key], path: `${path}.${key}`, depth: depth + 1 };
        if (isBadKey(key)) child.badKey = key;
        children.push(child);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/**
 * A string where an object belongs, said as what it looks like: most often a CSV cell meant as
 * JSON. A cell that is not valid JSON stays text, and "got string" hid why; one that is JSON but
 * mapped by `columns:` is text too, which `$eval` reads.
 */
function stringKind(text: string): string {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return 'string';
  try {
    JSON.parse(text);
  } catch (err) {
    // Only the position from the parser's words: some of them quote the whole text.
    const at = /at position (\d+)/.exec((err as Error).message)?.[1];
    return `a string that is not valid JSON${at === undefined ? '' : ` (at character ${Number(at) + 1})`}: JSON text (a CSV cell's too) needs quoted names and strings, e.g. {"plan":"pro"}`;
  }
  return 'a string holding JSON text (a CSV cell mapped by columns: stays text): map it with $eval(…) to read its JSON';
}
