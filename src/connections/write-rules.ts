import { clip } from '../validation/clip.js';
import { lowerCased } from '../validation/text.js';
import type { RejectError } from '../validation/reject.js';
import { isPlainObject } from '../plan/json-values.js';
import type { ColumnInfo } from './types.js';

/**
 * Driver-neutral rules of a batch write (DESIGN.md "Upsert"): how a key is normalized, how JSON
 * metadata merges, when two JSON values are the same, and the wording of store-side rejects. Every
 * driver applies them the same way so the contract suite holds for all.
 */

/** Separates key parts in SQLite's job-key string. A JSON source's text may hold it: such a key is written as JSON instead (sqlite/row.ts). */
export const keySeparator = '\u0000';

/**
 * One key column's value as compared across rows of a job: `undefined` when missing (absent, null
 * or ''). A column named email compares case-insensitively, so it is lower-cased.
 */
export function keyPart(column: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return column === 'email' ? lowerCased(text) : text;
}

/** JSON columns named `*_metadata` (app_metadata, user_metadata) deep-merge on upsert when `metadata: merge`. */
export function isMergedColumn(column: ColumnInfo): boolean {
  return column.type === 'json' && column.name.endsWith('_metadata');
}

/**
 * Deep merge for `metadata: merge`: objects merge key by key, recursively; anything else (arrays,
 * scalars, null) in the new value replaces the stored one. A key set to null is kept as null, not
 * deleted, so "clear this field" stays visible in the stored document.
 */
export function mergeJson(stored: unknown, incoming: unknown): unknown {
  if (!isPlainObject(stored) || !isPlainObject(incoming)) return incoming;
  const merged = new Map<string, unknown>(Object.entries(stored));
  for (const [key, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    merged.set(key, merged.has(key) ? mergeJson(merged.get(key), value) : value);
  }
  // fromEntries defines own properties, so a "__proto__" key stays data and cannot reach a prototype.
  return Object.fromEntries(merged);
}

/** Store-side rejects, worded once for every driver. Paths name the column at fault. */
export const storeRejects = {
  required: (column: string): RejectError => ({ code: 'REQUIRED', path: column, message: `${column} is required: it is part of the key that matches users` }),
  duplicateInSource: (key: readonly string[], firstRow: number): RejectError => ({
    code: 'DUPLICATE_IN_SOURCE',
    path: key[0] ?? '',
    message: `same key as row ${firstRow}`,
  }),
  duplicatedUser: (key: readonly string[]): RejectError => ({
    code: 'DUPLICATED_USER',
    path: key[0] ?? '',
    message: `a user with this ${key.join(' and ')} already exists`,
  }),
  ambiguousKey: (key: readonly string[]): RejectError => ({
    code: 'CONFLICT',
    path: key[0] ?? '',
    message: `more than one user matches this ${key.join(' and ')}`,
  }),
  conflict: (columns: readonly string[]): RejectError => ({
    code: 'CONFLICT',
    path: columns[0] ?? '',
    message: `${columns.length > 0 ? columns.join(', ') : 'a unique value'} already belongs to another user`,
  }),
  // The name comes from the source (an NDJSON key of any length): the message shows its start, the path all of it.
  unknownColumn: (column: string, table: string): RejectError => ({
    code: 'UNKNOWN_FIELD',
    path: column,
    message: `table ${table} has no column ${clip(column, 200)}`,
  }),
  computedColumn: (column: string, table: string): RejectError => {
    const { fault, fix } = computedColumns([column], table);
    return { code: 'UNKNOWN_FIELD', path: column, message: sentence(fault, fix) };
  },
  identityColumn: (column: string, table: string): RejectError => {
    const { fault, fix } = identityColumns([column], table);
    return { code: 'UNKNOWN_FIELD', path: column, message: sentence(fault, fix) };
  },
  // A key that matches no stored row is an insert, and an insert cannot give the identity a value.
  identityKeyNew: (column: string, table: string): RejectError => ({
    code: 'UNKNOWN_FIELD',
    path: column,
    message:
      `no row of table ${table} has this ${clip(column, 200)}, and ${clip(column, 200)} is a GENERATED ALWAYS identity column: the database numbers each new row itself, ` +
      'so this row can update a stored user by it but cannot be inserted as a new one',
  }),
  invalidType: (column: string, expected: string, value: unknown): RejectError => ({
    code: 'INVALID_TYPE',
    path: column,
    message: `expected ${expected}, got ${describe(value)}`,
  }),
};

/**
 * A `{ fault, fix }` pair (`computedColumns`, `identityColumns`) as the text of one message: the
 * fault, then the fix as a sentence of its own — capitalized, or after `lead` (`Hint: `, as a job
 * refused when it plans words it).
 */
export function sentence(fault: string, fix: string, lead = ''): string {
  const next = `${lead}${fix}`;
  return `${fault}. ${next.charAt(0).toUpperCase()}${next.slice(1)}`;
}

/**
 * Why a mapping may not name these generated columns, and what to do: the one wording of a row's
 * reject, of validate's diagnostic (both `computedColumn`) and of a job refused when it plans
 * (`fault. Hint: fix`, activities/plan-job.ts). Each name is clipped: they come from the pipeline.
 */
export function computedColumns(columns: readonly string[], table: string): { fault: string; fix: string } {
  const names = columns.map((c) => clip(c, 200)).join(', ');
  const [them, they] = columns.length === 1 ? ['it', 'is a generated column'] : ['them', 'are generated columns'];
  return {
    fault: `${names} ${they} of table ${table}: the database computes ${them}, so nothing may write ${them}`,
    fix: `leave ${them} out of the pipeline's columns`,
  };
}

/**
 * Why a mapping may not write these GENERATED ALWAYS identity columns (PostgreSQL), and what to do,
 * worded as `computedColumns`. Such a column may still be the key of an upsert: matching reads it,
 * and an update never writes a key column; only a row that matches nothing is refused (`identityKeyNew`).
 * `insertMode`: the column is the key of an import with upsert: false, which can only insert.
 */
export function identityColumns(columns: readonly string[], table: string, insertMode = false): { fault: string; fix: string } {
  const names = columns.map((c) => clip(c, 200)).join(', ');
  const [them, they] = columns.length === 1 ? ['it', 'is a GENERATED ALWAYS identity column'] : ['them', 'are GENERATED ALWAYS identity columns'];
  if (insertMode)
    return {
      fault: `${names} ${they} of table ${table}: the database numbers each new row itself, so an import with upsert: false, which only inserts, could write no row keyed by ${them}`,
      fix: `set upsert: true to update the stored users by ${them}, or leave ${them} out of target.key and the pipeline's columns to insert new users`,
    };
  return {
    fault: `${names} ${they} of table ${table}: the database numbers each new row itself, so nothing may write ${them}`,
    fix: `leave ${them} out of the pipeline's columns, or make ${them} target.key with upsert: true to update the stored users by ${them}`,
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * The column an upsert resets when it changes a user's email (the import format: the new address
 * was never verified, so `email_verified` goes back to false unless the row sends it): the position
 * of a boolean `email_verified` when `email` is among `changed` and `email_verified` is not among `sent`.
 */
export function verificationReset(columns: readonly ColumnInfo[], changed: readonly number[], sent: readonly number[]): number | undefined {
  const email = columns.findIndex((c) => c.name === 'email');
  if (email < 0 || !changed.includes(email)) return undefined;
  const verified = columns.findIndex((c) => c.name === 'email_verified' && c.type === 'boolean');
  return verified < 0 || sent.includes(verified) ? undefined : verified;
}

/**
 * An upsert that gives `custom_password_hash` to a user stored with a `password_hash`: the two
 * cannot both be set (the import format), and an update never changes `password_hash`. `changed`
 * holds the positions the update writes; `storedPasswordHash` the stored value, read with the match.
 */
export function passwordHashClash(columns: readonly ColumnInfo[], changed: readonly number[], storedPasswordHash: unknown): RejectError | undefined {
  const custom = columns.findIndex((c) => c.name === 'custom_password_hash');
  if (custom < 0 || !changed.includes(custom) || storedPasswordHash === null || storedPasswordHash === undefined) return undefined;
  return {
    code: 'FORMAT',
    path: 'custom_password_hash',
    message: 'the stored user has a password_hash, and password_hash and custom_password_hash cannot both be set (an update never changes password_hash)',
  };
}
