import type { RejectError } from './reject.js';
import type { FieldCheck } from './checks.js';
import { isObject, jsonType, report } from './checks.js';

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
 * Nesting deeper than MAX_DEPTH is not searched: it keeps hostile input from exhausting the stack, and
 * no real profile nests that deep.
 */
const MAX_DEPTH = 64;

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
  if (hasBadKey(value, 0)) reportBadKeys(errors, value, field, 0);
  return true;
}

function isBadKey(key: string): boolean {
  return key.includes('.') || key.includes('$');
}

function hasBadKey(value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasBadKey(value[i], depth + 1)) return true;
    return false;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) if (isBadKey(key) || hasBadKey(obj[key], depth + 1)) return true;
  return false;
}

function reportBadKeys(errors: RejectError[], value: unknown, path: string, depth: number): void {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    (value as unknown[]).forEach((item, i) => reportBadKeys(errors, item, `${path}[${i}]`, depth + 1));
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) {
    const keyPath = `${path}.${key}`;
    if (isBadKey(key)) report(errors, 'FORMAT', keyPath, `metadata field names may not contain "." or "$": "${key}"`);
    reportBadKeys(errors, obj[key], keyPath, depth + 1);
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
