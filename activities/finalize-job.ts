import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { failpoint, pausepoint } from '../src/failpoints.js';
import type { FinalizeJobInput, FinalizeJobOutput } from '../src/plan/activity-types.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import { CONFIG_FILE } from '../src/project/load-config.js';
import { sqliteFiles, type GuardedFile } from '../src/project/target-path.js';
import { appendFile, CHUNK_BYTES } from '../src/sources/byte-batches.js';
import { removeAssemblyLeftover, writeExportFile, type KeptFiles } from './export-output.js';
import type { ActivityDeps } from './deps.js';
import { namingWrite } from './write-refused.js';
import type { JobContexts } from './job-context.js';
import { backupPath, chunkFilePattern, partsDir, keptPagesDir, rejectsPartPath, rejectsPath, snapshotPath } from './job-files.js';

/**
 * Joins the batches' reject parts, in batch order, into rejects.ndjson and, for a job that wrote
 * to a store, its chunks' backups into backup.ndjson (each written under a temporary name, then
 * renamed); assembles a succeeded export's file from its output parts (export-output.ts); and,
 * once the job succeeded, drops its bookkeeping in the target — a failed or cancelled job keeps it
 * for its resume. Safe to repeat.
 */
export async function finalizeJob(deps: ActivityDeps, contexts: JobContexts, { jobDir, batches, status }: FinalizeJobInput): Promise<FinalizeJobOutput> {
  await pausepoint('finalize-start');
  const ctx = await contexts.get(jobDir);
  const rejectParts = Array.from({ length: batches }, (_, batch) => rejectsPartPath(jobDir, batch));
  const rejects = await joinFiles(ctx.plan.jobId, rejectParts, rejectsPath(jobDir));
  if (ctx.plan.kind === 'import' || ctx.plan.kind === 'migrate') {
    const pattern = chunkFilePattern('backup');
    const chunks = readdirSync(partsDir(jobDir))
      .filter((name) => pattern.test(name))
      .sort();
    await joinFiles(
      ctx.plan.jobId,
      chunks.map((name) => join(partsDir(jobDir), name)),
      backupPath(jobDir),
    );
  }
  // Only a succeeded export has every part: a failed or cancelled one leaves the target path alone.
  const output = ctx.plan.kind === 'export' && status === 'succeeded' ? await writeExportFile(ctx.plan, batches, keptFiles(deps, ctx.plan)) : null;
  if (ctx.plan.kind === 'export' && status !== 'succeeded') removeAssemblyLeftover(ctx.plan);
  // Every batch of an import or migration commits a marker with its first chunk: a job of batches
  // whose store holds no marker of it lost them (the store deleted after a crash in this finalize).
  const wroteBatches = (ctx.plan.kind === 'import' || ctx.plan.kind === 'migrate') && batches > 0 && !ctx.plan.dryRun;
  if (status === 'succeeded') await ctx.target?.connection.finishJob(ctx.plan.jobId, wroteBatches);
  contexts.forget(jobDir);
  // A succeeded job reads no row again; a failed or cancelled one keeps its snapshot and kept pages for the resume.
  if (status === 'succeeded') {
    rmSync(snapshotPath(jobDir), { force: true });
    rmSync(keptPagesDir(jobDir), { recursive: true, force: true });
  }
  return { rejectsFile: rejectsPath(jobDir), rejects, output };
}

/**
 * Concatenates the files that exist (a batch that never ran has none) into `target`; returns its
 * line count. A write refused (a full disk) leaves no partial file holding the space a retry needs,
 * and says which file and what to do.
 */
async function joinFiles(job: string, parts: readonly string[], target: string): Promise<number> {
  const tmp = `${target}.tmp-${process.pid}`;
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let lines = 0;
  try {
    const out = await open(tmp, 'w');
    try {
      for (const part of parts) {
        if (!existsSync(part)) continue;
        failpoint('finalize-part');
        await appendFile(out, part, buffer, (bytes) => (lines += countNewlines(bytes)));
      }
    } finally {
      await out.close();
    }
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw namingWrite(err, target, job);
  }
  return lines;
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/**
 * What the export file may not replace (validate's guard, src/project/load-pipeline.ts): the
 * state dir its job folder (<state dir>/jobs/<id>) is in, every SQLite store, ferry.yaml, the pipeline.
 */
function keptFiles(deps: ActivityDeps, plan: JobPlan): KeptFiles {
  const jobs = dirname(plan.jobDir);
  const files: GuardedFile[] = [];
  for (const [name, c] of Object.entries(deps.connections)) {
    if (c.driver === 'sqlite' && c.path !== ':memory:') files.push(...sqliteFiles(resolve(deps.baseDir, c.path), `the SQLite store of connection "${name}"`));
  }
  files.push({ path: join(deps.baseDir, CONFIG_FILE), what: 'the project config ferry.yaml' }, { path: plan.pipelineFile, what: 'this pipeline file' });
  return { stateDir: basename(jobs) === 'jobs' ? dirname(jobs) : plan.jobDir, files };
}
