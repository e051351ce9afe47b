import type { RejectError } from '../../validation/reject.js';
import type { TableShape } from './schema.js';
import { storeRejects } from '../write-rules.js';

/**
 * Turns a failed INSERT/UPDATE of one row into that row's reject. SQLite undoes only the failing
 * statement on a constraint error (ABORT), so the batch's transaction carries on. Returns undefined
 * for anything that is not about the row's data (I/O, locks, a closed database): those fail the batch.
 */
export function constraintReject(err: unknown, shape: TableShape): RejectError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(err instanceof Error)) return undefined;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return storeRejects.conflict(uniqueColumns(err.message, shape));
  }
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') {
    const column = failedColumns(err.message, shape.table)[0] ?? '';
    return { code: 'REQUIRED', path: column, message: `${column} must not be null` };
  }
  if (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH') {
    // CHECK, STRICT datatype, trigger or foreign-key failures: SQLite's text names the rule, not a value.
    return { code: 'INVALID_TYPE', path: mentionedColumn(err.message, shape), message: `rejected by the database: ${err.message}` };
  }
  return undefined;
}

/** "UNIQUE constraint failed: users.username" or, for an expression index, "…failed: index 'name'". */
function uniqueColumns(message: string, shape: TableShape): string[] {
  const index = /failed: index '(.+)'$/.exec(message)?.[1];
  if (index !== undefined) return (shape.uniqueIndexes.get(index) ?? []).filter((c) => c !== '');
  return failedColumns(message, shape.table);
}

function failedColumns(message: string, table: string): string[] {
  const list = message.split('constraint failed: ')[1];
  if (list === undefined) return [];
  return list.split(', ').map((qualified) => stripTable(qualified, table));
}

function stripTable(qualified: string, table: string): string {
  if (qualified.startsWith(`${table}.`)) return qualified.slice(table.length + 1);
  return qualified.slice(qualified.lastIndexOf('.') + 1);
}

/** The first column of the table named in an error text ("…in INTEGER column t.score", "CHECK constraint failed: score > 0"). */
function mentionedColumn(message: string, shape: TableShape): string {
  const qualified = /\bcolumn (\S+)$/.exec(message)?.[1];
  if (qualified !== undefined) return stripTable(qualified, shape.table);
  const found = shape.columns.find((c) => new RegExp(`(^|[^\\w])${escapeRegExp(c.name)}($|[^\\w])`).test(message));
  return found?.name ?? '';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
