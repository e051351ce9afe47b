import { hash } from 'node:crypto';
import type { RejectError } from '../../validation/reject.js';
import type { PgShape } from './schema.js';
import { encodePg, isInvalid, type PgText } from './values.js';
import { storedForm } from '../table-shape.js';
import type { RowToWrite } from '../types.js';
import { keyPart, storeRejects } from '../write-rules.js';

/** A row of the batch that passed the checks made without the database, ready for the statements. */
export interface PreparedRow {
  /** Source row number (1-based), for rejects. */
  row: number;
  /** Positions of the columns the row sets (null included, undefined left out), ascending. */
  present: number[];
  /** The encoded values of `present`, in the same order. */
  values: PgText[];
  /** The values as mapped (after storedForm), for JSON merge and comparison. */
  logical: unknown[];
  /** Normalized key values. */
  keyParts: string[];
  /** The row's key as ferry_job_keys stores it: a digest of the normalized key (see `keyDigest`). */
  jobKey: string;
  /** The encoded key values, in key order, for the lookup. */
  keyValues: PgText[];
}

export type Prepared = { prepared: PreparedRow } | { errors: RejectError[] };

/**
 * Encodes one row and reads its key; unknown columns, values of the wrong type and a missing key
 * are the row's errors (all of them, like the SQLite driver reports).
 */
export function prepareRow(shape: PgShape, key: readonly number[], row: RowToWrite): Prepared {
  const errors: RejectError[] = [];
  const present: number[] = [];
  for (const [name, value] of Object.entries(row.values)) {
    if (value === undefined) continue;
    const position = shape.position.get(name);
    if (position === undefined) errors.push(storeRejects.unknownColumn(name, shape.table));
    // The server refuses any value for it, for the whole statement (428C9): the row's reject, as on SQLite.
    else if (shape.computed.size > 0 && shape.computed.has(position)) errors.push(storeRejects.computedColumn(name, shape.table));
    // Likewise a GENERATED ALWAYS identity (428C9 on insert and update), unless it is the key: a
    // lookup reads it, an update never writes a key, and only an insert is refused (apply.ts).
    else if (shape.identityAlways.size > 0 && shape.identityAlways.has(position) && !key.includes(position))
      errors.push(storeRejects.identityColumn(name, shape.table));
    else present.push(position);
  }
  present.sort((a, b) => a - b);
  const prepared: PreparedRow = { row: row.row, present, values: [], logical: [], keyParts: [], jobKey: '', keyValues: [] };
  for (const position of present) {
    const column = shape.columns[position]!;
    const logical = storedForm(shape, column.name, row.values[column.name]);
    const value = encodePg(column.name, column.type, shape.baseTypes[position] ?? '', logical);
    if (isInvalid(value)) errors.push(value.invalid);
    prepared.values.push(isInvalid(value) ? null : value);
    prepared.logical.push(logical);
  }
  readKey(shape, key, row.values, prepared, errors);
  return errors.length > 0 ? { errors } : { prepared };
}

/** The encoded value of `position` in the row, or undefined when the row leaves the column out. */
export function valueAt(row: PreparedRow, position: number): PgText | undefined {
  const i = row.present.indexOf(position);
  return i < 0 ? undefined : (row.values[i] ?? null);
}

function readKey(shape: PgShape, key: readonly number[], values: Record<string, unknown>, prepared: PreparedRow, errors: RejectError[]): void {
  for (const position of key) {
    const name = shape.columns[position]!.name;
    const part = keyPart(name, values[name]);
    if (part === undefined) errors.push(storeRejects.required(name));
    prepared.keyParts.push(part ?? '');
    prepared.keyValues.push(valueAt(prepared, position) ?? null);
  }
  prepared.jobKey = keyDigest(prepared.keyParts);
}

/**
 * The job's record of a key: 128 bits of SHA-256 over the key parts (as JSON: unambiguous, and
 * without the U+0000 PostgreSQL text cannot hold), as a uuid. A million keys take half the space
 * the key text did — the claims are a second table written with every batch — and compare as
 * fixed 16 bytes. A collision among a job's keys is about 1 in 10^27 for a million rows.
 */
function keyDigest(parts: readonly string[]): string {
  const hex = hash('sha256', JSON.stringify(parts), 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A job's id in ferry_job_keys: 64 bits of SHA-256 over its name, so each claim row carries 8 bytes instead of the name. */
export function jobHash(job: string): string {
  return Buffer.from(hash('sha256', job, 'hex'), 'hex')
    .readBigInt64BE(0)
    .toString();
}
