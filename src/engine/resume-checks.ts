import { existsSync, readFileSync } from 'node:fs';
import { planPath, type PlanFile } from '../../activities/job-files.js';
import { buildJobPlan, type JobPlan } from '../plan/job-plan.js';
import { diffPlans } from '../plan/plan-diff.js';
import { displayPath, type Project } from '../project/load-config.js';
import { loadPipeline } from '../project/load-pipeline.js';
import { hashText } from '../project/plan-for.js';
import { formatDiagnostic } from '../spec/diagnostics.js';
import { JobRefused, type Engine, type JobInfo } from './engine.js';
import { JobFolderRefused, jobFolder } from './job-folder.js';
import { rollbacksOf } from './rollbacks.js';
import { sha256File } from './submission.js';

/** Connections by name as ferry.yaml describes them now (project/plan-for.ts `storesOf`). */
export type StoresNow = (names: readonly string[]) => Record<string, string>;

/** The project as it is now, to rebuild a job's plan from its pipeline file. */
export interface PipelineNow {
  project: Project;
  /** Where relative paths given on the command line resolve. */
  cwd: string;
  /** The plan as this engine runs it (Temporal adds ferry.yaml's heartbeat timeout); as built when absent. */
  asRun?: (plan: JobPlan) => JobPlan;
}

/**
 * What a resume must refuse on either engine, before it reruns anything:
 * - a job whose connections ferry.yaml now points at other stores: the rest of its rows would go
 *   to another database than its first batches (and its rollback would look there too);
 * - a job a rollback has touched: a resume runs only the batches the job has not done, so the
 *   batches the rollback undid would stay undone while the summary counted them written;
 * - with `pipelineNow`, a job whose pipeline gives another plan now, or whose source file is no
 *   longer the bytes it was planned from: the batches still to run would be another job's.
 */
export async function refuseResume(jobs: Pick<Engine, 'get' | 'list'>, id: string, storesNow: StoresNow, pipelineNow?: PipelineNow): Promise<void> {
  const job = await jobs.get(id);
  // Still running: the engine says so, and by whom.
  if (!job || job.status === 'running' || job.status === 'pending') return;
  if (pipelineNow) refuseForeignFolder(job, pipelineNow);
  const moved = movedStores(job.plan.stores, storesNow);
  if (moved.length > 0) {
    throw new JobRefused(
      movedRefusal(
        `resume job ${id}`,
        'since it started, so its rows would land in two stores',
        moved,
        `Restore ferry.yaml, or run the pipeline as a new job (ferry run ${job.plan.pipelineFile}).`,
      ),
    );
  }
  await refuseRolledBack(jobs, job);
  // A job that succeeded is refused by its engine ("nothing to resume"), whatever changed since.
  if (!pipelineNow || job.status === 'succeeded') return;
  refuseChangedPlan(job, pipelineNow);
  const damaged = (file: string, why: string): JobRefused =>
    new JobRefused(
      pipelineNow.project.masker.mask(
        `the plan file of job ${id} is damaged: ${displayPath(pipelineNow.cwd, file)}: ${why}. Nothing was resumed: put back the file as the job wrote it, or run the pipeline as a new job (ferry run ${job.plan.pipelineFile})`,
      ),
    );
  const gone = (file: string, done: number): JobRefused =>
    new JobRefused(
      `the plan file of job ${id} is gone (${displayPath(pipelineNow.cwd, file)}): the ${done} batch(es) it wrote were planned from it, so a resume cannot tell which rows are still to write. Nothing was resumed: run the pipeline as a new job (ferry run ${job.plan.pipelineFile})`,
    );
  await refuseChangedSource(job, damaged, gone);
}

/**
 * A resume writes in the job's folder as its record names it (plan.json, parts, the reports): one
 * outside the state dir's jobs folder, or another job's, is refused as the operator commands refuse
 * to read it (job-folder.ts). A folder that is not there is no reason: a job that failed before
 * planning never made one, and its resume plans again.
 */
function refuseForeignFolder(job: JobInfo, { project, cwd }: PipelineNow): void {
  try {
    jobFolder({ ...job, jobDir: job.plan.jobDir }, { stateDir: project.stateDir, shown: (path) => displayPath(cwd, path) });
  } catch (err) {
    if (!(err instanceof JobFolderRefused) || err.reason !== 'gone') throw err;
  }
}

async function refuseRolledBack(jobs: Pick<Engine, 'get' | 'list'>, job: JobInfo): Promise<void> {
  const id = job.id;
  // A rollback is not rolled back (Ferry refuses), so only a job that wrote rows may have one.
  if (job.kind === 'rollback') return;
  const [rollback] = await rollbacksOf(jobs, job.pipeline, id);
  if (!rollback) return;
  const next =
    rollback.status === 'succeeded'
      ? `run its pipeline as a new job to write its rows again (ferry run ${job.plan.pipelineFile})`
      : `finish the rollback first (ferry jobs resume ${rollback.id}), then run its pipeline as a new job`;
  throw new JobRefused(
    `refusing to resume job ${id}: job ${rollback.id} rolled it back (${rollback.status}), and a resume would not redo the batches the rollback undid; ${next}`,
  );
}

/** Two versions of a job would mix: its pipeline file, loaded now, no longer gives the plan it started with. */
function refuseChangedPlan(job: JobInfo, { project, cwd, asRun = (p) => p }: PipelineNow): void {
  const { plan } = job;
  // A rollback's plan comes from the job it undoes, not from the pipeline file: nothing to compare.
  if (plan.kind === 'rollback') return;
  if (!existsSync(plan.pipelineFile)) throw new JobRefused(`the pipeline file ${plan.pipelineFile} of job ${job.id} is gone`);
  const loaded = loadPipeline(project, cwd, plan.pipelineFile);
  if (!loaded.ok) {
    throw new JobRefused(`the pipeline of job ${job.id} is now invalid:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
  }
  const l = loaded.loaded;
  const now = buildJobPlan(l.pipeline, {
    jobId: plan.jobId,
    pipeline: l.name,
    pipelineFile: l.path,
    pipelineHash: hashText(l.text),
    startedAt: plan.startedAt,
    jobDir: plan.jobDir,
    ...(l.sourcePath ? { sourcePath: l.sourcePath } : {}),
    ...(l.sourceFormat ? { sourceFormat: l.sourceFormat } : {}),
    // A sample went beside the target or to --output (cli/run.ts): keep where it started writing.
    ...(plan.sample !== undefined && plan.target.type === 'file' ? { targetPath: plan.target.path } : l.targetPath ? { targetPath: l.targetPath } : {}),
    ...(l.targetFormat ? { targetFormat: l.targetFormat } : {}),
    // A run option, not part of the pipeline: the resumed job keeps the sample it started with.
    ...(plan.sample !== undefined ? { sample: plan.sample } : {}),
    ...(plan.retryOf !== undefined ? { retryOf: plan.retryOf } : {}),
    // The cursor the job started with, not today's: a resume reads the rows the job was planned for.
    ...(plan.source.type === 'connection' && plan.source.dates?.lastSuccess !== undefined ? { lastSuccess: plan.source.dates.lastSuccess } : {}),
  });
  const changes = diffPlans(plan, asRun(now));
  if (changes.length > 0) {
    throw new JobRefused(
      `the pipeline changed since job ${job.id} started, so resuming would mix two versions of the job:\n` +
        changes.map((c) => `  ${c}`).join('\n') +
        `\nRestore the pipeline, or run it as a new job (ferry run ${plan.pipelineFile}).`,
    );
  }
}

/**
 * A resume reads the batches still to run from the byte ranges planned, so the file must be the
 * bytes they were planned in. The checksum comes from the job's plan.json (written by planJob on
 * either engine, in the job folder under the state dir); without one the job never finished
 * planning, and its resume plans again from the file as it is.
 */
async function refuseChangedSource(
  job: JobInfo,
  damaged: (file: string, why: string) => JobRefused,
  gone: (file: string, done: number) => JobRefused,
): Promise<void> {
  const { source } = job.plan;
  if (!existsSync(planPath(job.jobDir))) {
    // Without it the job plans again, which is right only if no batch was written from the plan that
    // is gone: the batches run read their ranges from it, and a resume failed at its first batch
    // with the bare ENOENT of the file, then said to fix its cause.
    const done = job.summary?.batches.done ?? 0;
    if (done > 0) throw gone(planPath(job.jobDir), done);
    return;
  }
  const file = checkedPlanFile(planPath(job.jobDir), job, damaged);
  if (source.type !== 'file') return;
  const planned = file.scan.checksum;
  if (!existsSync(source.path)) throw new JobRefused(`the source file ${source.path} of job ${job.id} is gone`);
  const now = await sha256File(source.path);
  if (now !== planned) {
    throw new JobRefused(
      `the source file ${source.path} changed since job ${job.id} was planned (sha256 ${planned.slice(0, 12)}… → ${now.slice(0, 12)}…); resuming would read different records. Run it as a new job.`,
    );
  }
}

/** Left out of the comparison: where a plan names files (a Temporal worker writes them relative to its project; the folder and source checks see to them), and the heartbeat timeout a Temporal worker sets. */
const UNCOMPARED_FIELDS = new Set(['pipelineFile', 'jobDir', 'source.path', 'target.path', 'retryOf.rowsFile', 'retry.heartbeatTimeoutMs']);

/**
 * A job's plan.json, checked to be what its batches can run: the batches still to run read their
 * plan and byte ranges from it, not from the journal, so a file cut short, or edited by hand to
 * another job's id, table or mapping, is refused before a batch runs. Its paths are left to the
 * checks of the job's folder and source: a Temporal worker writes them relative to its project.
 */
export function checkedPlanFile(path: string, job: Pick<JobInfo, 'id' | 'plan'>, damaged: (file: string, why: string) => JobRefused): PlanFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) throw err;
    // Not the parser's message: it quotes the file.
    throw damaged(path, 'not JSON (cut short or edited)');
  }
  if (!isRecord(value) || !isRecord(value['plan'])) throw damaged(path, 'it holds no plan');
  const { plan, scan } = value as { plan: Record<string, unknown>; scan: unknown };
  const isRange = (b: unknown): boolean => isRecord(b) && ['firstRow', 'count'].every((k) => Number.isSafeInteger(b[k]));
  if (
    !isRecord(scan) ||
    typeof scan['checksum'] !== 'string' ||
    !Number.isSafeInteger(scan['total']) ||
    !Array.isArray(scan['batches']) ||
    !scan['batches'].every(isRange)
  )
    throw damaged(path, 'its scan is not a source scan (checksum, total, batches)');
  if (plan['jobId'] !== job.id) throw damaged(path, `it is the plan of job ${String(plan['jobId'])}, not of job ${job.id}`);
  const changes = diffPlans(job.plan, plan as unknown as JobPlan).filter((c) => !UNCOMPARED_FIELDS.has(c.slice(0, c.indexOf(':'))));
  if (changes.length > 0) throw damaged(path, `its plan differs from the journal's record of the job (${changes.join('; ')})`);
  return value as unknown as PlanFile;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The refusal of an operation on a job whose connections moved: what was refused, why, each move, what to do. */
export function movedRefusal(what: string, why: string, moved: readonly string[], next: string): string {
  return `refusing to ${what}: ferry.yaml changed where its connections point ${why}:\n${moved.map((line) => `  ${line}`).join('\n')}\n${next}`;
}

/** `connection users: was sqlite .ferry/users.db table users, now sqlite .ferry/new.db table users`, for each that moved. */
export function movedStores(planned: Readonly<Record<string, string>> | undefined, storesNow: StoresNow): string[] {
  if (planned === undefined) return []; // a plan from before stores were kept
  const names = Object.keys(planned);
  const now = storesNow(names);
  return names.filter((n) => now[n] !== planned[n]).map((n) => `connection ${n}: was ${planned[n]}, now ${now[n] ?? 'not in ferry.yaml'}`);
}
