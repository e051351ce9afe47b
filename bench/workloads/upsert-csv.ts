import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectSummary, ferryRun } from '../measure.js';
import { compare } from './compare.js';
import { expectBaselineRows, sqliteImport, sqliteUpsert } from './csv-baseline.js';
import { ferryImportCsv, csvPipeline } from './import-csv.js';
import { copyDatabase, makeProject } from './project.js';
import { expectUsersTableRows, sqliteImportUsersTable, sqliteUpsertUsersTable } from './users-table-baseline.js';
import type { Workload, WorkloadContext } from './types.js';

/**
 * Workload 2: the same CSV import as an upsert over a full table, with 10% of the users changed.
 * Each run starts from a copy of one full table (filled once, untimed, by the same tool).
 */
export const upsertCsv: Workload = {
  id: '2',
  title: 'upsert CSV over a full table, 10% changed',
  baseline: 'sqlite3 .import + INSERT … ON CONFLICT DO UPDATE',
  sameTableBaseline: 'the same into the users table',
  async run(ctx: WorkloadContext) {
    const data = ctx.data(['csv', 'csv-changed']);
    const { expected } = data;
    const changed = data.files['csv-changed']!;
    const full = join(ctx.work, 'full');
    ferryImportCsv(full, data.files.csv!, expected);
    const fullBaseline = join(ctx.work, 'full-baseline.db');
    sqliteImport(fullBaseline, data.files.csv!);
    const fullSameTable = join(ctx.work, 'full-same-table.db');
    sqliteImportUsersTable(fullSameTable, data.files.csv!);
    return compare(ctx, this, ctx.records, {
      ferry: (round) => {
        const dir = makeProject(join(ctx.work, `ferry-${round}`), 'users.db', { 'upsert.yaml': csvPipeline(changed, true) });
        copyDatabase(join(full, 'users.db'), join(dir, 'users.db'));
        const run = ferryRun(dir, 'upsert.yaml');
        const unchanged = expected.valid - expected.changed;
        expectSummary(run.report, { total: expected.total, inserted: 0, updated: expected.changed, unchanged, rejected: expected.invalid });
        rmSync(dir, { recursive: true, force: true });
        return run;
      },
      baseline: (round) => {
        const db = join(ctx.work, `baseline-${round}.db`);
        copyFileSync(fullBaseline, db);
        const run = sqliteUpsert(db, changed);
        expectBaselineRows(db, expected.valid, expected.total);
        rmSync(db, { force: true });
        return run;
      },
      sameTable: (round) => {
        const db = join(ctx.work, `same-table-${round}.db`);
        copyFileSync(fullSameTable, db);
        const run = sqliteUpsertUsersTable(db, changed);
        expectUsersTableRows(db, expected.valid, expected.total);
        rmSync(db, { force: true });
        return run;
      },
    });
  },
};
