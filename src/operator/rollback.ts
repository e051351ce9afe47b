import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { backupPath, chunkFilePattern, NOT_JSON, NOT_JSON_LINE, numberedNdjson, partsDir } from '../../activities/job-files.js';
import type { ConnectionPool } from '../../activities/deps.js';
import { ConnectionError, hasErrorCode, MISSING_TABLE } from '../connections/errors.js';
import { restoreContext } from '../connections/table-shape.js';
import { shownKey } from '../connections/restore-rules.js';
import type { Connection, RestoreBatchOutput, RestoreEntry } from '../connections/types.js';
import { pausepoint } from '../failpoints.js';
import { JobRefused, type Engine } from '../engine/engine.js';
import { jobFile, jobFolder, type JobFiles } from '../engine/job-folder.js';
import { rollbacksOf, type RollbackOfJob } from '../engine/rollbacks.js';
import { movedRefusal, movedStores } from '../engine/resume-checks.js';
import type { JobPlan } from '../plan/job-plan.js';
import { buildRollbackPlan } from '../plan/rollback-plan.js';
import type { Project } from '../project/load-config.js';
import { newJobId, storesOf } from '../project/plan-for.js';
import { noJobMessage } from '../engine/no-job.js';

/** What the check found of a row, as a refusal lists it. */
const findings: Record<RestoreBatchOutput['changed'][number]['reason'], string> = {
  changed: 'changed since',
  missing: 'deleted since',
  hidden: 'not visible under row-level security',
};

/** How many changed rows a refusal lists; the rest are counted. */
const LISTED = 20;
const CHECK_CHUNK = 1000;

export interface RollbackOptions {
  /** Also put back rows changed by someone else since the job wrote them. */
  force: boolean;
  /** How a message shows a path (relative to where the reader is). */
  shown: JobFiles['shown'];
}

/**
 * `ferry jobs rollback <id>`: the plan of a new job that puts back what job `id` wrote — updated rows
 * get their previous values, inserted rows are deleted — from the job's backup.ndjson, on either
 * engine. First a read-only pass compares every row with what the job left: rows changed since by
 * someone else make it refuse, listing them, unless `force`.
 */
export async function planRollback(project: Project, engine: Engine, pool: ConnectionPool, id: string, options: RollbackOptions): Promise<JobPlan> {
  const original = await engine.get(id);
  if (!original) throw new JobRefused(noJobMessage(id, { hint: true, onTemporal: engine.name === 'temporal' }), { usage: true });
  if (original.status === 'running' || original.status === 'pending')
    throw new JobRefused(`job ${id} is still running; cancel it first (ferry jobs cancel ${id})`);
  if (original.kind !== 'import' && original.kind !== 'migrate')
    throw new JobRefused(`job ${id} is ${original.kind === 'export' ? 'an export' : 'a rollback'}: only jobs that wrote to a store roll back`, { usage: true });
  const moved = movedStores(original.plan.stores, (names) => storesOf(project, names));
  if (moved.length > 0) {
    throw new JobRefused(movedRefusal(`roll back job ${id}`, 'since it ran, so the rollback would change another store', moved, 'Restore ferry.yaml first.'));
  }
  // The folder the job's plan names, checked as the console checks it: the backup is what is read.
  const asPlanned = { ...original, jobDir: original.plan.jobDir };
  const files = { stateDir: project.stateDir, shown: options.shown };
  const dir = jobFolder(asPlanned, files);
  const backup = jobFile(asPlanned, backupPath(dir), files);
  if (backup === undefined) throw new JobRefused(noBackup(id, dir, options.shown(backupPath(original.plan.jobDir))));
  const shownBackup = options.shown(backupPath(original.plan.jobDir));
  const at = new Date();
  const jobId = newJobId(`${original.pipeline}-rollback`, at);
  const plan = buildRollbackPlan(original.plan, {
    jobId,
    startedAt: at.toISOString(),
    jobDir: join(project.stateDir, 'jobs', jobId),
    // As the plan names it (checked above): a Temporal worker finds it relative to its project folder.
    backupFile: backupPath(original.plan.jobDir),
    force: options.force,
  });
  // With --force too, which skips the check: the rollback job would create the store and its table
  // afresh, then insert the saved rows of updated users into it as if they were the job's table.
  const store = await storeToRestore(project, pool, plan, id);
  // The read-only pass runs with --force too, which overrides only rows changed or deleted since:
  // every line is checked before a row is touched (a line edited by hand or cut short would reach
  // the store as it is — a null key failing with a JavaScript message, a `before` of the wrong type
  // inserted as a row), and what --force cannot put back (a column dropped or renamed since, rows
  // row-level security hides) refuses before any batch, not after some were restored.
  await refuseChangedRows(project, store, plan, backup, id, shownBackup, options.force, () => earlierRollback(engine, original.pipeline, id));
  return plan;
}

/**
 * The store and table the job wrote, opened to read: a rollback puts rows back into that table, and
 * creates neither it nor its store file. One dropped (or whose file was deleted) since is said so:
 * the check found every row "deleted since", and --force recreated it with the saved rows in it.
 */
async function storeToRestore(project: Project, pool: ConnectionPool, plan: JobPlan, id: string): Promise<Connection> {
  if (plan.target.type !== 'connection') throw new Error('unreachable: a rollback writes a store');
  const { connection, table } = plan.target;
  let store: Connection | undefined;
  try {
    store = await pool.get(connection, table, 'read');
    await store.columns('read');
    return store;
  } catch (err) {
    if (!(err instanceof ConnectionError)) throw err;
    if (!hasErrorCode(err, MISSING_TABLE)) throw checkFailed(project, plan.jobId, id, err);
    // Not the driver's words: they speak of a source reading the table.
    const gone =
      store === undefined
        ? `the store file does not exist, and reading creates none: the file of connection ${connection} was deleted or moved since the job wrote it`
        : `table ${store.table} does not exist in the store of connection ${connection}: it was dropped since the job wrote it`;
    throw new JobRefused(
      project.masker.mask(
        `cannot roll back job ${id}: ${gone}. A rollback puts rows back into the table its job wrote, and creates neither table nor store. ` +
          `Hint: restore the store from a backup first, or check connection ${connection} in ferry.yaml. Nothing was restored`,
      ),
    );
  }
}

/**
 * Why a job has no backup.ndjson to roll back from. The file is assembled when the job ends; a job
 * whose process was killed (interrupted, or since marked cancelled by `jobs cancel`) ended without
 * that step, though its committed chunks left their backup parts: running it to its end builds it.
 */
function noBackup(id: string, jobDir: string, shownBackup: string): string {
  const parts = existsSync(partsDir(jobDir)) && readdirSync(partsDir(jobDir)).some((name) => chunkFilePattern('backup').test(name));
  if (!parts) return `job ${id} has no backup (${shownBackup}): it wrote nothing to a store, or has not finished`;
  return `job ${id} wrote rows but has no backup.ndjson yet: its process stopped before the job's end assembled it. Run it to its end (ferry jobs resume ${id}), then roll it back`;
}

/**
 * A rollback of job `id` among the pipeline's latest jobs that explains why the check finds its rows
 * changed: a succeeded one undid them; one interrupted, or still running, put back some of them.
 */
async function earlierRollback(engine: Engine, pipeline: string, id: string): Promise<RollbackOfJob | undefined> {
  const rollbacks = await rollbacksOf(engine, pipeline, id);
  return rollbacks.find((r) => r.status === 'succeeded') ?? rollbacks.find((r) => UNFINISHED.has(r.status));
}

/** Statuses of a rollback that has not put back all its rows yet, and may still. */
const UNFINISHED = new Set(['pending', 'running', 'interrupted']);

/** The read-only pass: every backup line checked against the store as it is now (with `force`, for what --force cannot override). */
async function refuseChangedRows(
  project: Project,
  store: Connection,
  plan: JobPlan,
  backup: string,
  id: string,
  shownBackup: string,
  force: boolean,
  rolledBackBy: () => Promise<RollbackOfJob | undefined>,
): Promise<void> {
  if (plan.target.type !== 'connection' || plan.source.type !== 'file') throw new Error('unreachable: a rollback reads a backup and writes a store');
  const changed: RestoreBatchOutput['changed'] = [];
  try {
    for await (const entries of backupChunks(backup, id, shownBackup)) {
      await pausepoint('rollback-check');
      // --force puts back rows changed or deleted since: only rows it cannot put back are findings.
      changed.push(...(await check(store, plan.jobId, entries)).filter((c) => !force || c.reason === 'hidden'));
    }
  } catch (err) {
    if (err instanceof ConnectionError) throw checkFailed(project, plan.jobId, id, err);
    throw err;
  }
  if (changed.length === 0) return;
  const list = (): string => {
    const lines = changed.slice(0, LISTED).map((c) => `  row ${c.row} ${shownKey(c.key)}: ${findings[c.reason]}`);
    if (changed.length > LISTED) lines.push(`  … and ${changed.length - LISTED} more`);
    return lines.join('\n');
  };
  const hidden = changed.filter((c) => c.reason === 'hidden').length;
  if (hidden > 0) {
    const { connection } = plan.target;
    const others = changed.length - hidden;
    throw new JobRefused(
      project.masker.mask(
        `cannot roll back job ${id}: ${hidden} row(s) it wrote are not visible to the database user of connection ${connection}: row-level security on table ${store.table} applies to that user, ` +
          `so whether each was deleted since or a policy's USING hides it cannot be told${others > 0 ? ` (and ${others} other row(s) changed since)` : ''}:\n${list()}\n` +
          'Nothing was restored, and --force would not restore them either: it would insert a second copy of a hidden row, and leave in place a hidden row the job inserted. ' +
          'Hint: roll back as a database user row-level security does not apply to (the table owner, unless the table forces row-level security, or a role with BYPASSRLS)',
      ),
    );
  }
  const earlier = await rolledBackBy();
  if (earlier?.status === 'succeeded') {
    throw new JobRefused(
      `refusing to roll back job ${id}: job ${earlier.id} rolled it back already (ferry jobs show ${earlier.id}), so what it wrote is undone. To write its rows again, run its pipeline again; ferry jobs rollback ${id} --force puts back the rows' values from before job ${id} over any change since`,
    );
  }
  // Its own rows put back by that rollback are what the check found changed: finishing it is the way.
  if (earlier !== undefined) {
    const next = earlier.status === 'interrupted' ? `resume it (ferry jobs resume ${earlier.id})` : `let it end (ferry jobs show ${earlier.id})`;
    throw new JobRefused(
      `refusing to roll back job ${id}: job ${earlier.id} is rolling it back already (${earlier.status}): rows it put back are found changed since (${changed.length} in all). To finish that rollback, ${next}`,
    );
  }
  throw new JobRefused(
    project.masker.mask(
      `refusing to roll back job ${id}: ${changed.length} row(s) it wrote were changed by a later job or another writer since:\n${list()}\n` +
        `Rolling back would undo those changes too. ferry jobs rollback ${id} --force puts every row back anyway.`,
    ),
  );
}

/**
 * The store failed during the read-only pass: the driver's message names the restore the check
 * runs as (`restoreBatch` with `check: true`), which did not happen. Said as what it is: the rows
 * could not be checked, nothing was restored, and whether to try again (the error's `retryable`).
 */
function checkFailed(project: Project, rollbackJob: string, id: string, err: ConnectionError): JobRefused {
  const what = err.message.replace(
    restoreContext({ job: rollbackJob, batch: 0, entries: [], force: false, check: true }),
    `reading the rows job ${id} wrote, to check them before any change`,
  );
  const next = err.retryable ? `: run ferry jobs rollback ${id} again once the database answers` : '';
  return new JobRefused(project.masker.mask(`cannot roll back job ${id}: ${what}. Nothing was restored${next}`));
}

async function check(store: Connection, job: string, entries: RestoreEntry[]): Promise<RestoreBatchOutput['changed']> {
  return (await store.restoreBatch({ job, batch: 0, entries, force: false, check: true })).changed;
}

/** The backup's entries in chunks, each line checked to be one (`backupEntry`). */
async function* backupChunks(path: string, id: string, shown: string): AsyncGenerator<RestoreEntry[]> {
  let chunk: RestoreEntry[] = [];
  for await (const { number, value } of numberedNdjson(path)) {
    const entry = backupEntry(value);
    if (typeof entry === 'string')
      throw new JobRefused(`the backup of job ${id} is damaged: ${shown}:${number}: ${entry}. Nothing was restored: put back the file as the job wrote it`);
    chunk.push(entry);
    if (chunk.length === CHECK_CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** A backup line (parsed) as an entry, or why it is not one. */
function backupEntry(value: unknown): RestoreEntry | string {
  // Not the parser's message: it quotes the line, which holds a row's previous values (a password hash).
  if (value === NOT_JSON) return NOT_JSON_LINE;
  if (!isRecord(value)) return 'not a backup entry (an object)';
  const { row, key, before, afterHash } = value;
  if (typeof row !== 'number' || !Number.isSafeInteger(row) || row < 1) return 'its row is not a row number';
  // A key finds one row by plain values; a key column holding an object or list cannot.
  if (!isRecord(key) || Object.keys(key).length === 0 || Object.values(key).some((v) => typeof v === 'object' && v !== null))
    return 'its key is not an object of column values';
  if (before !== null && !isRecord(before)) return 'its before is neither null nor a row';
  if (typeof afterHash !== 'string' || afterHash === '') return 'its afterHash is not a hash';
  return { row, key, before, afterHash };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
