import type { Database, Statement } from 'better-sqlite3';
import { decodeRow, readColumns } from '../decode-row.js';
import { compileQuery, MATCH_ALL_SQL, type CompiledQuery } from '../../query/compile-query.js';
import { keysetQuery, keysetScanQuery, pageBounds, PageStarts } from '../../query/keyset.js';
import { compareDecimals } from '../../query/exact-number.js';
import { DECIMAL_ORDER_FUNCTION } from '../../query/sqlite-dialect.js';
import type { TableShape } from './schema.js';
import { ConnectionError } from '../errors.js';
import { decodeJson } from './values.js';
import { blobImage, imageTextKey, InexactJson, jsonImage, parseStoredJson, realImage } from '../inexact-json.js';
import { readableStored } from '../unreadable-value.js';
import { openSnapshot, takeSnapshot, type PageSnapshot } from './snapshot.js';
import type { ColumnInfo, PlanPagesInput, PlanPagesOutput, ReadPageInput } from '../types.js';

/** The export side of the SQLite connection: `planPages` and `readPage` over one table shape. */
export interface PageReader {
  planPages(input: PlanPagesInput): PlanPagesOutput;
  readPage(input: ReadPageInput): Record<string, unknown>[];
}

export function createPageReader(db: Database, shape: () => TableShape): PageReader {
  registerQueryFunctions(db);
  // An export reads every page with the same query: parsed and compiled once per table shape, and
  // each page's SQL (the first page's and the rest's differ) prepared once, not once per page.
  const compiled = new WeakMap<TableShape, Map<string, CompiledQuery>>();
  const statements = new Map<string, Statement>();
  const where = (input: { query: string }): CompiledQuery => {
    const current = shape();
    let queries = compiled.get(current);
    if (queries === undefined) compiled.set(current, (queries = new Map()));
    let query = queries.get(input.query);
    if (query === undefined) queries.set(input.query, (query = compileQuery(input.query, current.columns, 'sqlite')));
    return query;
  };
  const prepared = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      // A handful per job; bounded all the same, for a long-lived worker serving many queries.
      if (statements.size >= 64) statements.clear();
      statements.set(sql, (statement = db.prepare(sql)));
    }
    return statement;
  };
  return {
    planPages(input) {
      const { columns, table } = shape();
      const key = tableKey(db, shape());
      const query = where(input);
      const scanOf = (select?: readonly ColumnInfo[]) =>
        keysetScanQuery({
          table,
          columns,
          where: query,
          sortWithoutIndex: query.sql !== MATCH_ALL_SQL && input.limit === undefined,
          key,
          dialect: 'sqlite',
          ...sortOf(input),
          ...(input.limit === undefined ? {} : { limit: input.limit }),
          ...(select ? { select } : {}),
        });
      // SQLite attaches no database inside a transaction (a dry run's): such a job plans cursors.
      if (input.snapshot && !db.inTransaction) {
        const select = readColumns(columns, input.snapshot.fields);
        const total = takeSnapshot(db, { path: input.snapshot.path, select, scan: scanOf(select) });
        return { total, starts: [], last: null, snapshotTaken: true };
      }
      const scan = scanOf();
      return pageStarts(
        db
          .prepare(scan.sql)
          .raw()
          .iterate(...scan.params) as Iterable<unknown[]>,
        input,
      );
    },
    readPage(input) {
      const { columns, table } = shape();
      const select = readColumns(columns, input.fields);
      const page = keysetQuery({
        table,
        columns,
        select,
        where: where(input),
        key: tableKey(db, shape()),
        dialect: 'sqlite',
        ...sortOf(input),
        ...pageBounds(input),
      });
      const rows = prepared(page.sql)
        .raw()
        .safeIntegers()
        .all(...page.params) as unknown[][];
      return rows.map((row) => decodeRow(select, row, pageValue));
    },
  };
}

/**
 * The SQL functions a compiled query may call (src/query/sqlite-dialect.ts): the exact order of two
 * decimal texts, NULL where one is no number. Deterministic: SQLite may evaluate it once for equal arguments.
 */
export function registerQueryFunctions(db: Database): void {
  db.function(DECIMAL_ORDER_FUNCTION, { deterministic: true }, (a: unknown, b: unknown) =>
    typeof a === 'string' && typeof b === 'string' ? (compareDecimals(a, b) ?? null) : null,
  );
}

/**
 * The tie-breaker: the primary key (in table order), or the rowid, which every SQLite table without
 * a declared key has (WITHOUT ROWID tables always declare one).
 */
function tableKey(db: Database, { table, columns }: TableShape): string[] {
  const primary = columns.filter((c) => c.primaryKey).map((c) => c.name);
  if (primary.length > 0) return primary;
  // A view has neither: SQLite's own words were `no such column: "rowid"`.
  if (db.prepare<[string], number>("SELECT 1 FROM sqlite_schema WHERE type = 'view' AND name = ?").pluck().get(table) !== undefined) {
    throw new ConnectionError(
      `${table} is a view: it has no rowid or primary key for an export to read it by, page after page. Hint: export from the table it selects from (a query narrows the rows)`,
      { retryable: false },
    );
  }
  return ['rowid'];
}

function sortOf(input: { sort?: PlanPagesInput['sort'] }): { sort?: NonNullable<PlanPagesInput['sort']> } {
  return input.sort ? { sort: input.sort } : {};
}

/** Streams the scan into page starts (`PageStarts`). */
function pageStarts(rows: Iterable<unknown[]>, input: PlanPagesInput): PlanPagesOutput {
  const starts = new PageStarts(input.size, input.sort !== undefined);
  for (const row of rows) starts.add(row);
  return starts.result();
}

/**
 * `decodeValue`, with JSON text read by `parse` instead of JSON.parse (text that is not JSON stays
 * as it is): both readings below keep a document holding a number a double would round as its text.
 */
function decodingJsonWith(parse: (text: string) => unknown): (column: ColumnInfo, value: unknown) => unknown {
  return (column, value) => {
    if (column.type !== 'json' || typeof value !== 'string') return decodeValue(column, value);
    try {
      return parse(value);
    } catch {
      return value;
    }
  };
}

const pageJson = decodingJsonWith(parseStoredJson);

/**
 * A value of a page: a JSON document holding a number a double would round is an InexactJson, and
 * bytes that are not UTF-8 text or a non-finite number an UnreadableValue, which the job's page
 * reader settles (inexact-json.ts). Pages are read with safe integers (a bigint for every INTEGER),
 * so an integer beyond ±2^53 another tool stored is read exactly: as its digits, as PostgreSQL's
 * int8 is, never as the nearest double.
 */
function pageValue(column: ColumnInfo, value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value >= MIN_SAFE && value <= MAX_SAFE) return pageJson(column, Number(value));
    return column.type === 'json' ? new InexactJson(String(value)) : String(value);
  }
  return pageJson(column, readableStored(column, value, 'BLOB'));
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** A job's snapshot of a SQLite store (snapshot.ts), its values read as a page's. */
export const openPageSnapshot = (path: string): PageSnapshot => openSnapshot(path, pageValue);

const imageJson = decodingJsonWith(jsonImage);

/**
 * A stored value as a backup image keeps it: such a document wrapped as its text (`jsonImage`), so
 * a rollback puts every digit back, and bytes as `blobImage`, so it puts every byte back.
 */
export function imageValue(column: ColumnInfo, value: unknown): unknown {
  if (Buffer.isBuffer(value)) return blobImage(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return realImage(value);
  // Read with safe integers (`imageRow`): one beyond ±2^53 is kept as its digits, which the
  // restore stores back as that very integer (numeric affinity); a JSON column's as its text.
  if (typeof value === 'bigint') {
    if (value >= MIN_SAFE && value <= MAX_SAFE) return imageJson(column, Number(value));
    return column.type === 'json' ? { [imageTextKey]: String(value) } : String(value);
  }
  return imageJson(column, value);
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
