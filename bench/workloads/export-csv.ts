import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectSummary, ferryRun, timed, type Measured } from '../measure.js';
import { compare, skipped } from './compare.js';
import { ferryImportNdjson } from './import-ndjson.js';
import { expectBetween, makeProject, quoted } from './project.js';
import type { Workload, WorkloadContext } from './types.js';

/** The export: ~50% of the users (plan free), sorted by created_at, 8 columns, CSV. */
const pipeline = {
  name: 'bench-export-csv',
  source: { connection: 'users', query: 'user_metadata.plan:free', sort: { by: 'created_at', order: 'asc' } },
  target: { file: 'out/users.csv' },
  columns: {
    user_id: 'user_id',
    email: 'email',
    given_name: 'given_name',
    family_name: 'family_name',
    name: 'name',
    email_verified: 'email_verified',
    created_at: 'created_at',
    plan: 'user_metadata.plan',
  },
};

/** The same rows, columns and order in SQL (ties broken by the key, as Ferry's sort is stable by key). */
const baselineSql = `SELECT user_id, email, given_name, family_name, name,
  CASE email_verified WHEN 1 THEN 'true' WHEN 0 THEN 'false' END AS email_verified, created_at,
  json_extract(user_metadata, '$.plan') AS plan
FROM users WHERE json_extract(user_metadata, '$.plan') = 'free' ORDER BY created_at, user_id;`;

/**
 * Workload 4: export from a table of all the valid users (filled once by a Ferry NDJSON import,
 * so created_at varies) — vs `sqlite3 -csv` of the equivalent SQL into a file. Skipped, with
 * the reason, when a 10-row `--sample` export does not work (exports not available yet).
 */
export const exportCsv: Workload = {
  id: '4',
  title: 'export ~50% sorted by created_at, 8 columns → CSV',
  baseline: 'sqlite3 -csv SELECT … ORDER BY',
  async run(ctx: WorkloadContext) {
    const data = ctx.data(['ndjson']);
    const { expected } = data;
    const full = join(ctx.work, 'full');
    ferryImportNdjson(full, data.files.ndjson!, expected);
    const db = join(full, 'users.db');
    const problem = probe(join(ctx.work, 'probe'), db);
    if (problem !== undefined) return skipped(ctx, this, problem);
    return compare(ctx, this, expected.free, {
      ferry: (round) => {
        const dir = makeProject(join(ctx.work, `ferry-${round}`), db, { 'export.yaml': pipeline });
        const run = ferryRun(dir, 'export.yaml');
        expectSummary(run.report, { exported: expected.free });
        rmSync(dir, { recursive: true, force: true });
        return run;
      },
      baseline: (round) => sqliteExport(db, join(ctx.work, `baseline-${round}.csv`), expected.free),
    });
  },
};

function sqliteExport(db: string, out: string, rows: number): Measured {
  const run = timed('sqlite3', ['-csv', '-header', db, `.once ${quoted(out)}`, baselineSql], { cwd: process.cwd() });
  expectBetween(`lines in ${out}`, readFileSync(out, 'utf8').split('\n').length - 2, rows, rows);
  rmSync(out, { force: true });
  return run;
}

/** Why a small export fails, or undefined when exports work. */
function probe(dir: string, db: string): string | undefined {
  try {
    makeProject(dir, db, { 'export.yaml': pipeline });
    expectSummary(ferryRun(dir, 'export.yaml', ['--sample', '10']).report, { exported: 10 });
    return undefined;
  } catch (err) {
    return `a 10-row export failed (${String(err instanceof Error ? err.message : err).split('\n')[0]})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
