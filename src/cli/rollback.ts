import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionPool } from '../../activities/deps.js';
import { backupPath, readNdjson } from '../../activities/job-files.js';
import type { Connection, RestoreBatchOutput, RestoreEntry } from '../connections/types.js';
import { effectiveStatus } from '../engine/job-status.js';
import { Journal, type JobRecord } from '../engine/journal.js';
import { newJobId } from '../engine/runtime.js';
import type { JobPlan } from '../plan/job-plan.js';
import { buildRollbackPlan } from '../plan/rollback-plan.js';
import { formatKey } from '../plan/row-diff.js';
import type { Project } from '../project/load-config.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED } from './exit-codes.js';
import { runPlannedJob, type RunOptions } from './run.js';

/** How many changed rows a refusal lists; the rest are counted. */
const LISTED = 20;
const CHECK_CHUNK = 1000;

/**
 * `ferry jobs rollback <id> [--force]`: puts back what job <id> wrote — updated rows get their
 * previous values, inserted rows are deleted — as a new job over the job's backup.ndjson. First a
 * read-only pass compares every row with what the job left: rows changed since by someone else
 * make it refuse, listing them, unless --force.
 */
export async function rollbackCommand(ctx: CliContext, id: string, options: RunOptions & { force?: boolean }): Promise<void> {
  const project = ctx.project();
  const original = endedJob(project, id);
  const backup = backupPath(original.plan.jobDir);
  if (!existsSync(backup)) throw new CliExit(EXIT_FAILED, `job ${id} has no backup (${backup}): it wrote nothing to a store, or has not finished`);
  const at = new Date();
  const jobId = newJobId(`${original.pipeline}-rollback`, at);
  const plan = buildRollbackPlan(original.plan, { jobId, startedAt: at.toISOString(), jobDir: join(project.stateDir, 'jobs', jobId), backupFile: backup, force: options.force ?? false });
  if (!options.force) await refuseChangedRows(project, plan, id);
  if (!options.json) ctx.stderr(`rolling back job ${id} as job ${jobId}`);
  await runPlannedJob(ctx, project, plan, options);
}

function endedJob(project: Project, id: string): JobRecord {
  const journal = new Journal(project.stateDir);
  try {
    const job = journal.getJob(id);
    if (!job) throw new CliExit(EXIT_FAILED, `no job ${id} (ferry jobs list shows the jobs)`);
    const status = effectiveStatus(job);
    if (status === 'running' || status === 'pending') throw new CliExit(EXIT_FAILED, `job ${id} is still running; cancel it first (ferry jobs cancel ${id})`);
    if (job.plan.kind !== 'import' && job.plan.kind !== 'migrate') throw new CliExit(EXIT_FAILED, `job ${id} is ${job.plan.kind === 'export' ? 'an export' : 'a rollback'}: only jobs that wrote to a store roll back`);
    return job;
  } finally {
    journal.close();
  }
}

/** The read-only pass: every backup line checked against the store as it is now. */
async function refuseChangedRows(project: Project, plan: JobPlan, id: string): Promise<void> {
  if (plan.target.type !== 'connection' || plan.source.type !== 'file') throw new Error('unreachable: a rollback reads a backup and writes a store');
  const pool = new ConnectionPool(project.config.connections, project.rootDir);
  const changed: RestoreBatchOutput['changed'] = [];
  try {
    const store = await pool.get(plan.target.connection, plan.target.table);
    for await (const entries of backupChunks(plan.source.path)) changed.push(...(await check(store, plan.jobId, entries)));
  } finally {
    await pool.closeAll();
  }
  if (changed.length === 0) return;
  const lines = changed.slice(0, LISTED).map((c) => `  row ${c.row} ${formatKey(c.key)}: ${c.reason === 'changed' ? 'changed since' : 'deleted since'}`);
  if (changed.length > LISTED) lines.push(`  … and ${changed.length - LISTED} more`);
  throw new CliExit(
    EXIT_FAILED,
    project.masker.mask(
      `refusing to roll back job ${id}: ${changed.length} row(s) it wrote were changed by a later job or another writer since:\n${lines.join('\n')}\n` +
        `Rolling back would undo those changes too. ferry jobs rollback ${id} --force puts every row back anyway.`,
    ),
  );
}

async function check(store: Connection, job: string, entries: RestoreEntry[]): Promise<RestoreBatchOutput['changed']> {
  return (await store.restoreBatch({ job, batch: 0, entries, force: false, check: true })).changed;
}

async function* backupChunks(path: string): AsyncGenerator<RestoreEntry[]> {
  let chunk: RestoreEntry[] = [];
  for await (const entry of readNdjson<RestoreEntry>(path)) {
    chunk.push(entry);
    if (chunk.length === CHECK_CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
