import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CSV_COLUMNS } from '../formats.js';
import { expectSummary, ferryRun, type Measured } from '../measure.js';
import { compare } from './compare.js';
import { expectBaselineRows, sqliteImport } from './csv-baseline.js';
import { makeProject } from './project.js';
import { expectUsersTableRows, sqliteImportUsersTable } from './users-table-baseline.js';
import type { Workload, WorkloadContext } from './types.js';
import { writeCeiling } from './write-ceiling.js';

/** The import pipeline of workloads 1 and 2: the CSV through the 8 JSONata columns, `schema: user`. */
export function csvPipeline(file: string, upsert: boolean): object {
  return {
    name: upsert ? 'bench-upsert-csv' : 'bench-import-csv',
    source: { file, format: 'csv' },
    target: { connection: 'users', key: ['email'], upsert, metadata: 'merge' },
    columns: CSV_COLUMNS,
    validate: { schema: 'user' },
  };
}

/** Workload 1: `ferry run` of a CSV import into an empty table (its time includes creating it). */
export function ferryImportCsv(dir: string, csv: string, expected: { total: number; valid: number; invalid: number }): Measured {
  makeProject(dir, 'users.db', { 'import.yaml': csvPipeline(csv, false) });
  const run = ferryRun(dir, 'import.yaml');
  expectSummary(run.report, { total: expected.total, inserted: expected.valid, rejected: expected.invalid });
  return run;
}

export const importCsv: Workload = {
  id: '1',
  title: 'import CSV → SQLite, 8 JSONata columns, insert',
  baseline: 'sqlite3 .import --csv',
  sameTableBaseline: 'sqlite3 .import into staging + INSERT … SELECT into the users table',
  writeCeiling: "the stored rows written again by a bare better-sqlite3 loop (Ferry's table, WAL settings, 1,000-row commits)",
  async run(ctx: WorkloadContext) {
    const data = ctx.data(['csv']);
    const csv = data.files.csv!;
    const { expected } = data;
    return compare(ctx, this, ctx.records, {
      // Ferry's store stays until the write ceiling has read it back.
      ferry: (round) => ferryImportCsv(join(ctx.work, `ferry-${round}`), csv, expected),
      baseline: (round) => {
        const db = join(ctx.work, `baseline-${round}.db`);
        const run = sqliteImport(db, csv);
        expectBaselineRows(db, expected.valid, expected.total);
        rmSync(db, { force: true });
        return run;
      },
      sameTable: (round) => {
        const db = join(ctx.work, `same-table-${round}.db`);
        const run = sqliteImportUsersTable(db, csv);
        expectUsersTableRows(db, expected.valid, expected.total);
        rmSync(db, { force: true });
        return run;
      },
      ceiling: (round) => {
        const dir = join(ctx.work, `ferry-${round}`);
        const db = join(ctx.work, `ceiling-${round}.db`);
        const run = writeCeiling(join(dir, 'users.db'), db);
        expectUsersTableRows(db, expected.valid, expected.valid);
        rmSync(dir, { recursive: true, force: true });
        rmSync(db, { force: true });
        return run;
      },
    });
  },
};
