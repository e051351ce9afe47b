import type { Database } from 'better-sqlite3';
import { decodeRow } from './decode-row.js';
import { compileQuery } from '../query/compile-query.js';
import { cursorOf, keysetQuery, keysetScanQuery } from '../query/keyset.js';
import type { TableShape } from './sqlite-schema.js';
import { decodeJson } from './sqlite-values.js';
import type { ColumnInfo, PageCursor, PlanPagesInput, PlanPagesOutput, ReadPageInput } from './types.js';

/** The export side of the SQLite connection: `planPages` and `readPage` over one table shape. */
export interface PageReader {
  planPages(input: PlanPagesInput): PlanPagesOutput;
  readPage(input: ReadPageInput): Record<string, unknown>[];
}

export function createPageReader(db: Database, shape: () => TableShape): PageReader {
  return {
    planPages(input) {
      const { columns, table } = shape();
      const where = compileQuery(input.query, columns, 'sqlite');
      const key = tableKey(columns);
      const scan = keysetScanQuery({ table, columns, where, key, dialect: 'sqlite', ...sortOf(input), ...(input.limit === undefined ? {} : { limit: input.limit }) });
      return pageStarts(db.prepare(scan.sql).raw().iterate(...scan.params) as Iterable<unknown[]>, input);
    },
    readPage(input) {
      const { columns, table } = shape();
      const where = compileQuery(input.query, columns, 'sqlite');
      const page = keysetQuery({ table, columns, where, key: tableKey(columns), dialect: 'sqlite', ...sortOf(input), after: input.after, limit: input.limit });
      const rows = db.prepare(page.sql).raw().all(...page.params) as unknown[][];
      return rows.map((row) => decodeRow(columns, row, decodeValue));
    },
  };
}

/**
 * The tie-breaker: the primary key (in table order), or the rowid, which every SQLite table without
 * a declared key has (WITHOUT ROWID tables always declare one).
 */
function tableKey(columns: readonly ColumnInfo[]): string[] {
  const primary = columns.filter((c) => c.primaryKey).map((c) => c.name);
  return primary.length > 0 ? primary : ['rowid'];
}

function sortOf(input: { sort?: PlanPagesInput['sort'] }): { sort?: NonNullable<PlanPagesInput['sort']> } {
  return input.sort ? { sort: input.sort } : {};
}

/** Streams the scan keeping one row: the cursor before page p is the last row of page p − 1. */
function pageStarts(rows: Iterable<unknown[]>, input: PlanPagesInput): PlanPagesOutput {
  const starts: (PageCursor | null)[] = [];
  const sorted = input.sort !== undefined;
  let total = 0;
  let previous: unknown[] | undefined;
  for (const row of rows) {
    if (total % input.size === 0) starts.push(previous ? cursorOf(previous, sorted) : null);
    previous = row;
    total++;
  }
  return { total, starts };
}

/** One stored value as a plain value: 0/1 as booleans, JSON text parsed, timestamps as the text they were written with. */
export function decodeValue(column: ColumnInfo, value: unknown): unknown {
  switch (column.type) {
    case 'boolean':
      return value === 1 || value === 1n ? true : value === 0 || value === 0n ? false : value;
    case 'json':
      return decodeJson(value);
    default:
      // Timestamps are stored as the ISO text they were written with.
      return value;
  }
}
