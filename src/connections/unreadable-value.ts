import { isUtf8 } from 'node:buffer';
import type { ColumnInfo } from './types.js';

/*
 * Stored values another tool can put in a table that no export file can hold as they are: bytes
 * (a SQLite BLOB, a PostgreSQL bytea) that are not UTF-8 text, and the numbers JSON has no word for
 * (Infinity, NaN). Written as they came, a Buffer became `{"type":"Buffer","data":[…]}` and Infinity
 * `null`: another value, without a word. A page read gives such a value as an UnreadableValue,
 * which the job's page reader settles like a number a double would round (inexact-json.ts): a
 * FORMAT reject at the column when the mapping reads it, the column left out otherwise.
 */

/** A stored value a page cannot give as a plain value, with why (the reject's message). */
export class UnreadableValue {
  constructor(readonly message: string) {}
}

/** Bytes shown in a message: enough to find the value, never a whole document. */
const SHOWN_BYTES = 16;

function shownBytes(bytes: Buffer): string {
  return `x'${bytes.subarray(0, SHOWN_BYTES).toString('hex')}${bytes.length > SHOWN_BYTES ? '…' : ''}'`;
}

/**
 * TEXT whose bytes are not UTF-8 (another tool stored them so: SQLite does not check): the driver
 * decodes it with U+FFFD in place of each bad byte, which an export would write as if stored.
 */
export function invalidText(column: ColumnInfo, bytes: Buffer): UnreadableValue {
  return new UnreadableValue(
    `stored ${column.name} is text whose bytes are not UTF-8 (${bytes.length} ${bytes.length === 1 ? 'byte' : 'bytes'}, ${shownBytes(bytes)}): it would be exported with U+FFFD in place of its bytes; store it as UTF-8, or leave ${column.name} out of the mapping`,
  );
}

/**
 * A stored value as an export reads it: bytes that are UTF-8 text as that text (another tool wrote
 * text as a BLOB: `X'416e6e'` is `Ann`), other bytes and non-finite numbers as an UnreadableValue.
 * `kind` names the store's binary type in the message.
 */
export function readableStored(column: ColumnInfo, value: unknown, kind: 'BLOB' | 'bytea'): unknown {
  // An array of them (PostgreSQL's bytea[], float8[]): readable when every element is.
  if (Array.isArray(value) && value.some((v) => Buffer.isBuffer(v) || Array.isArray(v) || (typeof v === 'number' && !Number.isFinite(v)))) {
    const elements = value.map((v) => readableStored(column, v, kind));
    const unreadable = elements.find((v) => v instanceof UnreadableValue);
    return unreadable === undefined ? elements : new UnreadableValue(`an element of ${column.name}: ${(unreadable as UnreadableValue).message}`);
  }
  if (Buffer.isBuffer(value)) {
    if (isUtf8(value)) return value.toString('utf8');
    return new UnreadableValue(
      `stored ${column.name} is ${value.length} ${value.length === 1 ? 'byte' : 'bytes'} of binary data (a ${kind}, ${shownBytes(value)}) that are not UTF-8 text, which an export file cannot hold: store it as text, or leave ${column.name} out of the mapping`,
    );
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return new UnreadableValue(
      `stored ${column.name} is ${value}, which JSON and an export file cannot hold as a number: store a finite number (or NULL), or leave ${column.name} out of the mapping`,
    );
  }
  return value;
}
