import type { PlanJobInput, PlanJobOutput } from '../src/plan/activity-types.js';
import { ConnectionError, hasErrorCode, MISSING_TABLE } from '../src/connections/errors.js';
import { generatedColumnNames, identityColumnNames, refusedIdentityColumns } from '../src/connections/table-shape.js';
import type { ColumnInfo, Connection } from '../src/connections/types.js';
import { computedColumns, identityColumns, sentence } from '../src/connections/write-rules.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import { existsSync, readFileSync } from 'node:fs';
import { sourceFor } from '../src/sources/index.js';
import type { ByteRange, SourceScan } from '../src/sources/types.js';
import type { ActivityDeps } from './deps.js';
import { writePlanFile } from './job-files.js';
import { planPages } from './plan-pages.js';
import { refuseForeignProject, refuseForeignSource } from './project-check.js';

/**
 * Plans a job and saves it as plan.json in the job folder: one pass over the source (a file's
 * checksum, count and batch boundaries; a store's page cursors), after checking that a target
 * store has every column the mapping writes. On Temporal it first refuses a job another project
 * submitted to this worker's task queue (project-check.ts).
 */
export async function planJob(deps: ActivityDeps, { plan }: PlanJobInput): Promise<PlanJobOutput> {
  refuseForeignProject(deps.project, plan);
  if (plan.target.type === 'connection') await checkTargetColumns(deps, plan);
  if (plan.source.type === 'connection') return planPages(deps, plan);
  const { path, format, csv } = plan.source;
  if (plan.rollback !== undefined && !existsSync(path)) throw backupGone(plan, path);
  const full = await sourceFor(format).scan({ path, format, csv }, plan.batch.size);
  refuseForeignSource(deps.project, plan, full.checksum);
  // The CLI checked the source against the job's plan, but it may have changed since: the rows
  // would be other records. Plans made before the checksum was carried are planned as before.
  if (plan.retryOf?.checksum !== undefined && full.checksum !== plan.retryOf.checksum) throw new SourceChangedError(sourceChanged(path, plan.retryOf.job));
  const scan = plan.retryOf ? onlyRows(full, readRetryRows(plan.retryOf.rowsFile)) : full;
  writePlanFile({ plan, scan });
  return { checksum: scan.checksum, total: scan.total, batches: scan.batches.length };
}

/** A retry of rejects whose source changed since the CLI checked it: another attempt reads the same changed file. */
export class SourceChangedError extends Error {
  override readonly name = 'SourceChangedError';
  readonly retryable = false;
}

/** Said by `ferry jobs retry-rejects`'s check and, for a source changed after it, by the retry job's planning. */
export function sourceChanged(path: string, id: string): string {
  return `the source file ${path} changed since job ${id} read it: its rejected rows can no longer be found by their numbers`;
}

/** A rollback whose backup is gone: another attempt finds it gone too. */
export class BackupGoneError extends Error {
  override readonly name = 'BackupGoneError';
  readonly retryable = false;
}

/**
 * The backup a rollback reads, deleted after its check read it (`ferry jobs prune --include-backups`
 * in between, or by hand): said as what it is, not as a source file's ENOENT.
 */
function backupGone(plan: JobPlan, path: string): BackupGoneError {
  const job = plan.rollback?.job ?? '?';
  return new BackupGoneError(
    `cannot roll back job ${job}: the backup of job ${job} (${path}) is gone: it was deleted since the rollback's check read it ` +
      `(ferry jobs prune --include-backups, or by hand). Nothing was restored, and without that file job ${job} cannot be rolled back`,
  );
}

/** The rows a retry of rejects reads (`ferry jobs retry-rejects`), written by the CLI as a JSON array. */
export function readRetryRows(rowsFile: string): Set<number> {
  return new Set(JSON.parse(readFileSync(rowsFile, 'utf8')) as number[]);
}

/**
 * A retry reads only the batches holding one of its rows; `total` counts the rows, as the job's
 * summary will. One pass over the batches and the sorted rows together: a retry of a million
 * rejects must not test every row against every batch.
 */
function onlyRows(scan: SourceScan, rows: Set<number>): SourceScan {
  const wanted = [...rows].sort((a, b) => a - b);
  const batches: ByteRange[] = [];
  let total = 0;
  let next = 0;
  for (const batch of scan.batches) {
    while (next < wanted.length && (wanted[next] as number) < batch.firstRow) next++;
    const from = next;
    while (next < wanted.length && (wanted[next] as number) < batch.firstRow + batch.count) next++;
    if (next === from) continue;
    batches.push({ ...batch, index: batches.length });
    total += next - from;
  }
  return { ...scan, total, batches };
}
async function checkTargetColumns(deps: ActivityDeps, plan: JobPlan): Promise<void> {
  if (plan.target.type !== 'connection') return;
  const { connection, columns } = await openTarget(deps, plan);
  const generated = new Set(await generatedColumnNames(connection));
  const computed = Object.keys(plan.columns ?? {}).filter((c) => generated.has(c));
  if (computed.length > 0) {
    const { fault, fix } = computedColumns(computed, connection.table);
    throw new ConnectionError(`[connection:${connection.driver}] ${sentence(fault, fix, 'Hint: ')}`, { retryable: false });
  }
  const refused = refusedIdentityColumns(await identityColumnNames(connection), Object.keys(plan.columns ?? {}), plan.target);
  for (const insertMode of [false, true]) {
    const names = refused.filter((r) => r.insertMode === insertMode).map((r) => r.name);
    if (names.length === 0) continue;
    const { fault, fix } = identityColumns(names, connection.table, insertMode);
    throw new ConnectionError(`[connection:${connection.driver}] ${sentence(fault, fix, 'Hint: ')}`, { retryable: false });
  }
  const known = new Set(columns.map((c) => c.name));
  const wanted = [...new Set([...Object.keys(plan.columns ?? {}), ...plan.target.key])];
  const missing = wanted.filter((c) => !known.has(c));
  if (missing.length > 0) {
    throw new Error(`[connection:${connection.driver}] table ${connection.table} has no column ${missing.join(', ')} (columns: ${[...known].join(', ')})`);
  }
}

/**
 * The job's target store and its table's columns as they are now. A rollback's is opened to read
 * (TableUse): it puts rows back into the table its job wrote, so a table dropped (or a store file
 * deleted) since its check is an error naming it. Opened to write, the built-in table was created
 * again, empty, and the saved rows of updated users were inserted into it (--force), or every row
 * reported "deleted since", as if restored into the job's table.
 */
export async function openTarget(deps: ActivityDeps, plan: JobPlan): Promise<{ connection: Connection; columns: ColumnInfo[] }> {
  if (plan.target.type !== 'connection') throw new Error(`[job ${plan.jobId}] the target is not a connection`);
  const use = plan.kind === 'rollback' ? 'read' : undefined;
  let connection: Connection | undefined;
  try {
    connection = await deps.pool.get(plan.target.connection, plan.target.table, use);
    return { connection, columns: await connection.columns(use) };
  } catch (err) {
    if (use === 'read' && hasErrorCode(err, MISSING_TABLE)) throw rollbackTargetGone(plan, connection, err);
    throw err;
  }
}

/** A rollback's table (or store file) gone since its check: said as what it is, not as a source's missing table. */
function rollbackTargetGone(plan: JobPlan, opened: Connection | undefined, cause: unknown): ConnectionError {
  if (plan.target.type !== 'connection') throw cause;
  const { connection } = plan.target;
  const gone =
    opened === undefined
      ? `the store file of connection ${connection} does not exist: it was deleted or moved since`
      : `table ${opened.table} does not exist in the store of connection ${connection}: it was dropped since`;
  return new ConnectionError(
    `[connection:${opened?.driver ?? connection}] cannot roll back job ${plan.rollback?.job ?? '?'}: ${gone} the rollback's check read it. ` +
      'A rollback puts rows back into the table its job wrote, and creates neither table nor store: none was created. ' +
      `Hint: restore the store from a backup, or check connection ${connection} in ferry.yaml, then roll back again`,
    { retryable: false, code: MISSING_TABLE, cause },
  );
}
