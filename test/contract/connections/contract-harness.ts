import { afterEach, beforeEach, expect } from 'vitest';
import type { ColumnInfo, Connection, WriteBatchInput, WriteBatchOutput } from '../../../src/connections/types.js';
import { usersTableColumns } from '../../../src/connections/users-table.js';

/** What a driver's test file hands the contract suite: an open connection on a fresh, empty store. */
export interface ConnectionHarness {
  connection: Connection;
  /** Runs raw SQL (DDL, fixtures) on the same store, outside the connection under test. */
  exec(sql: string): Promise<void>;
  /** Runs a query on the same store; rows as the database driver returns them (the suite normalizes types). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Closes everything and removes the store. */
  cleanup(): Promise<void>;
}

/** Opens a harness on an empty store; `table` defaults to the built-in `users`. */
export type ConnectionFactory = (options?: { table?: string }) => Promise<ConnectionHarness>;

export const now1 = '2025-01-01T00:00:00.000Z';
export const now2 = '2025-02-01T00:00:00.000Z';

/** A fresh harness per test, closed after it. */
export function useHarness(factory: ConnectionFactory): () => ConnectionHarness {
  let harness: ConnectionHarness | undefined;
  beforeEach(async () => {
    harness = await factory();
  });
  afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
  });
  return () => {
    if (harness === undefined) throw new Error('no harness outside a test');
    return harness;
  };
}

/** A batch of `values`, numbered from `firstRow`: job-1, batch 1, key [email], insert mode, merge, now1 unless overridden. */
export function batch(values: Record<string, unknown>[], overrides: Partial<WriteBatchInput> & { firstRow?: number } = {}): WriteBatchInput {
  const { firstRow = 1, ...input } = overrides;
  return {
    job: 'job-1',
    batch: 1,
    key: ['email'],
    upsert: false,
    metadata: 'merge',
    now: now1,
    rows: values.map((v, i) => ({ row: firstRow + i, values: v })),
    ...input,
  };
}

export function output(counts: Partial<WriteBatchOutput>): WriteBatchOutput {
  return { inserted: 0, updated: 0, unchanged: 0, rejects: [], replayed: false, changes: expect.any(Array) as never, ...counts };
}

/** A full built-in row: every column null except the given ones. */
export function userRow(values: Record<string, unknown>): Record<string, unknown> {
  return { ...Object.fromEntries(usersTableColumns.map((c) => [c.name, null])), ...values };
}

/** The row Ferry inserts for a new user keyed by email, with what it generates itself (the exact user_id scheme has its own tests). */
export function insertedUser(values: Record<string, unknown> & { email: string }, now = now1): Record<string, unknown> {
  const email = values.email.toLowerCase();
  // A new user's unsent email_verified/phone_verified are false (the import format's default).
  return userRow({ user_id: generatedUserId, created_at: now, updated_at: now, email_verified: false, phone_verified: false, ...values, email });
}

/** Any id generateUserId makes. */
export const generatedUserId: unknown = expect.stringMatching(/^ferry\|[0-9a-f]{28}$/);

/**
 * The table's rows with logical values whatever the driver returns: booleans as true/false, JSON
 * parsed, timestamps as ISO strings, numbers as numbers.
 */
export async function tableRows(harness: ConnectionHarness, orderBy = '"email"'): Promise<Record<string, unknown>[]> {
  const columns = await harness.connection.columns();
  const rows = await harness.query(`SELECT * FROM "${harness.connection.table}" ORDER BY ${orderBy}`);
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c.name, logical(c, row[c.name])])));
}

function logical(column: ColumnInfo, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'boolean':
      return value === 1 || value === true || value === 't' || value === 'true'
        ? true
        : value === 0 || value === false || value === 'f' || value === 'false'
          ? false
          : value;
    case 'json':
      return typeof value === 'string' ? parseJson(value) : value;
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : value;
    case 'integer':
    case 'real':
      return typeof value === 'bigint' || typeof value === 'string' ? Number(value) : value;
    default:
      return value;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
