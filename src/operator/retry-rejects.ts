import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_JSON, NOT_JSON_LINE, numberedNdjson, planPath, rejectsPath } from '../../activities/job-files.js';
import { sourceChanged } from '../../activities/plan-job.js';
import { checkedPlanFile } from '../engine/resume-checks.js';
import { JobRefused, type Engine, type JobInfo } from '../engine/engine.js';
import { jobFile, jobFolder, type JobFiles } from '../engine/job-folder.js';
import { sha256File } from '../engine/submission.js';
import type { JobPlan } from '../plan/job-plan.js';
import type { Project } from '../project/load-config.js';
import type { LoadedPipeline } from '../project/load-pipeline.js';
import { planConnections, planFor, storesOf } from '../project/plan-for.js';
import { noJobMessage } from '../engine/no-job.js';

/** An ended job's rejected rows, with the source they are to be read from again. */
export interface RejectedRows {
  job: JobInfo;
  source: Extract<JobPlan['source'], { type: 'file' }>;
  /** Ascending, each once (a record can have several errors but one line). */
  rows: number[];
  /** The source's checksum, checked to be the one the job planned from: its retry's planning compares its scan with it. */
  checksum: string;
}

/**
 * `ferry jobs retry-rejects`, first half: the rows job `id` rejected, on either engine. Refused when
 * the job has not ended, read a store, rejected nothing, or its source file is gone or changed (the
 * rows are found again by their numbers, so the bytes must be the ones the job planned from).
 */
export async function findRejectedRows(engine: Engine, id: string, files: JobFiles): Promise<RejectedRows> {
  const job = await engine.get(id);
  if (!job) throw new JobRefused(noJobMessage(id, { hint: true, onTemporal: engine.name === 'temporal' }), { usage: true });
  if (job.status !== 'succeeded' && job.status !== 'failed' && job.status !== 'cancelled')
    throw new JobRefused(`job ${id} has not ended (${job.status}); its reject report is not complete yet`);
  const source = job.plan.source;
  // Its source is the backup it read and its rejects are rows changed since (CONFLICT): run through
  // the pipeline, a backup line would be taken for a user record.
  if (job.plan.rollback !== undefined) {
    const { job: original } = job.plan.rollback;
    throw new JobRefused(
      `job ${id} is a rollback: its rejects are rows changed since job ${original} wrote them, which ferry jobs rollback ${original} --force puts back`,
      { usage: true },
    );
  }
  if (source.type !== 'file')
    throw new JobRefused(`job ${id} read a store, not a file: retry its rejects with a pipeline whose query selects them`, { usage: true });
  // The folder the job's plan names, checked as the console checks it: its files are what is read.
  const asPlanned = { ...job, jobDir: job.plan.jobDir };
  const dir = jobFolder(asPlanned, files);
  const report = jobFile(asPlanned, rejectsPath(dir), files);
  const damaged = (line: number, why: string): JobRefused =>
    new JobRefused(`the reject report of job ${id} is damaged: ${files.shown(report!)}:${line}: ${why}. Nothing was retried`);
  const rows = await rejectedRows(report, damaged);
  if (rows.size === 0) throw new JobRefused(`job ${id} has no rejected records to retry`);
  const planFile = jobFile(asPlanned, planPath(dir), files);
  if (planFile === undefined) throw new JobRefused(`job ${id} never read its source`);
  const { scan } = checkedPlanFile(
    planFile,
    job,
    (file, why) =>
      new JobRefused(`the plan file of job ${id} is damaged: ${files.shown(file)}: ${why}. Nothing was retried: put back the file as the job wrote it`),
  );
  // A row in none of the job's batches is read by no batch: the retry would skip it unsaid. (Not
  // checked against scan.total: a retry's scan counts only its rows, which keep their numbers.)
  const planned = (row: number): boolean => scan.batches.some((b) => row >= b.firstRow && row < b.firstRow + b.count);
  for (const [row, line] of rows) if (!planned(row)) throw damaged(line, `row ${row} is in none of the batches job ${id} planned`);
  if (!existsSync(source.path)) throw new JobRefused(`the source file ${source.path} of job ${id} is gone`);
  if ((await sha256File(source.path)) !== scan.checksum) throw new JobRefused(sourceChanged(source.path, id));
  return { job, source, rows: [...rows.keys()].sort((a, b) => a - b), checksum: scan.checksum };
}

/**
 * Second half: a new job over exactly those rows, read again from the job's source in their original
 * form (the report's copies are masked) and run through `pipeline` as it is now — so a fixed mapping
 * or rule applies. Rows keep their numbers, so the retry's own rejects can be retried in turn.
 */
export function retryPlan(project: Project, rejected: RejectedRows, pipeline: LoadedPipeline): JobPlan {
  const fresh = planFor(project, pipeline);
  mkdirSync(fresh.jobDir, { recursive: true });
  const rowsFile = join(fresh.jobDir, 'retry-rows.json');
  writeFileSync(rowsFile, JSON.stringify(rejected.rows));
  // The records come from the job's source whatever the pipeline now names: they are its rejects.
  const plan: JobPlan = { ...fresh, source: rejected.source, retryOf: { job: rejected.job.id, rowsFile, checksum: rejected.checksum } };
  return { ...plan, stores: storesOf(project, planConnections(plan)) };
}

/**
 * The report's row numbers, each with the first line naming it. Every line is checked to be a
 * reject of a row: a line edited by hand or cut short (a row "2" beside 2 read the record twice,
 * a row 1.5 read none) is refused with its line, not quoted (it holds source data).
 */
async function rejectedRows(path: string | undefined, damaged: (line: number, why: string) => JobRefused): Promise<Map<number, number>> {
  const rows = new Map<number, number>();
  if (path === undefined) return rows;
  for await (const { number, value } of numberedNdjson(path)) {
    if (value === NOT_JSON) throw damaged(number, NOT_JSON_LINE);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw damaged(number, 'not a reject (an object)');
    const { row } = value as { row?: unknown };
    if (typeof row !== 'number' || !Number.isSafeInteger(row) || row < 1) throw damaged(number, 'its row is not a row number');
    if (!rows.has(row)) rows.set(row, number);
  }
  return rows;
}
