import type { ClientBase, Pool } from 'pg';
import { decodeRow, readColumns } from '../decode-row.js';
import { compileQuery } from '../../query/compile-query.js';
import { keysetQuery, keysetScanQuery, pageBounds, PageStarts } from '../../query/keyset.js';
import { rollbackAfter, withClient } from './sessions.js';
import { decodeValue, rowTypes, scanTypes } from './decode.js';
import type { PgShape } from './schema.js';
import type { ColumnInfo, PlanPagesInput, PlanPagesOutput, ReadPageInput } from '../types.js';

/** The export side of the PostgreSQL connection: `planPages` and `readPage` over one table shape. */
export interface PgPageReader {
  planPages(input: PlanPagesInput): Promise<PlanPagesOutput>;
  readPage(input: ReadPageInput): Promise<Record<string, unknown>[]>;
}

/** Rows fetched per round trip by the planning scan: memory stays at one chunk whatever the table size. */
const scanChunk = 10_000;

export function createPageReader(pool: Pool, shape: () => Promise<PgShape>): PgPageReader {
  return {
    async planPages(input) {
      const s = await shape();
      const where = compileQuery(input.query, s.columns, 'postgres');
      const scan = keysetScanQuery({ ...base(s), where, ...sortOf(input), ...(input.limit === undefined ? {} : { limit: input.limit }) });
      return withClient(pool, (client) => scanStarts(client, scan, input));
    },
    async readPage(input) {
      const s = await shape();
      const where = compileQuery(input.query, s.columns, 'postgres');
      const select = readColumns(s.columns, input.fields);
      const page = keysetQuery({ ...base(s), select, where, ...sortOf(input), ...pageBounds(input) });
      const result = await pool.query<unknown[]>({ text: page.sql, values: page.params, rowMode: 'array', types: rowTypes });
      return result.rows.map((row) => decodeRow(select, row, decodeValue));
    },
  };
}

/**
 * The tie-breaker: the primary key, or the ctid of a table without one (as SQLite uses the rowid).
 * A ctid moves when its row is updated, which only matters when the table changes under an export.
 */
function base(s: PgShape): { table: string; columns: ColumnInfo[]; key: string[]; dialect: 'postgres' } {
  const primary = s.columns.filter((c) => c.primaryKey).map((c) => c.name);
  return { table: s.readName, columns: s.columns, key: primary.length > 0 ? primary : ['ctid'], dialect: 'postgres' };
}

function sortOf(input: { sort?: PlanPagesInput['sort'] }): { sort?: NonNullable<PlanPagesInput['sort']> } {
  return input.sort ? { sort: input.sort } : {};
}

/**
 * Streams the scan through a cursor into page starts (`PageStarts`). Timestamps come back as the server's text, so a cursor keeps their microseconds and
 * compares exactly (a Date would round them to milliseconds and repeat rows at a page boundary).
 */
async function scanStarts(client: ClientBase, scan: { sql: string; params: unknown[] }, input: PlanPagesInput): Promise<PlanPagesOutput> {
  const starts = new PageStarts(input.size, input.sort !== undefined);
  await client.query('BEGIN READ ONLY');
  try {
    await client.query({ text: `DECLARE ferry_scan NO SCROLL CURSOR FOR ${scan.sql}`, values: scan.params });
    for (;;) {
      const { rows } = await client.query<unknown[]>({ text: `FETCH ${scanChunk} FROM ferry_scan`, rowMode: 'array', types: scanTypes });
      for (const row of rows) starts.add(row);
      if (rows.length < scanChunk) break;
    }
    await client.query('COMMIT');
  } catch (err) {
    await rollbackAfter(err, client, 'ROLLBACK');
    throw err;
  }
  return starts.result();
}
