import type { FileFormat, NotifyEntry, Pipeline } from '../spec/pipeline-schema.js';
import { durationMs } from '../spec/duration.js';

export { durationMs };
import { hasDateMath, resolveQueryDates, usesLastSuccess } from '../query/resolve-dates.js';
import { exportColumns } from './export-columns.js';

/**
 * Everything a job needs to run, as plain JSON: the workflow argument on Temporal, the journal's
 * record on the embedded engine, `plan.json` in the job folder. No functions, no secrets:
 * connections are named, and resolved from ferry.yaml where the activities run.
 */
export interface JobPlan {
  version: 1;
  jobId: string;
  pipeline: string;
  /** Absolute path of the pipeline file, and a hash of its text (the determinism guard on resume). */
  pipelineFile: string;
  pipelineHash: string;
  startedAt: string;
  /**
   * Each connection the job reads or writes, as ferry.yaml described it when the job was planned
   * (`sqlite .ferry/users.db table users`, URLs masked): a resume or a rollback refuses when one
   * points elsewhere since. Absent in plans from before it was kept.
   */
  stores?: Record<string, string>;
  /**
   * Temporal only, set by the client that starts the job: which project submitted it, so that a
   * worker of another project polling the same task queue refuses it (activities/project-check.ts).
   * Absent on the embedded engine, in scheduled runs' plans before this existed, and in jobs
   * started before it: those are accepted unchecked.
   */
  project?: JobProject;
  /** Absolute folder of the job's artifacts: plan.json, rejects.ndjson, parts/. */
  jobDir: string;
  kind: 'import' | 'export' | 'migrate' | 'rollback';
  /** A rollback: the job whose backup.ndjson (the source) it puts back, and whether rows changed since are put back too. */
  rollback?: { job: string; force: boolean };
  /**
   * A retry of rejects: only these rows of the source are read (the rejected rows of job `of`,
   * listed in `rowsFile`, one number per line); rows keep their numbers from the source.
   */
  /**
   * `checksum`: the source's, as the CLI checked it against the job's plan; the retry's planning
   * compares its own scan with it. Absent in plans made before it was carried.
   */
  retryOf?: { job: string; rowsFile: string; checksum?: string };
  /** `ferry run --dry-run`: the store's writes run inside a transaction that is rolled back, and return after-images for diffs. */
  dryRun?: true;
  source: FileSourcePlan | ConnectionSourcePlan;
  target: ConnectionTargetPlan | FileTargetPlan;
  /**
   * Target column → JSONata; null maps each source field to the column of the same name. Exports:
   * header → JSONata over the stored row, in file order, `defaults` already expanded (never null).
   */
  columns: Record<string, string> | null;
  /**
   * Exports: at most this many rows (`ferry run --sample`); absent exports every matching row.
   * Optional so that plans without it (imports, jobs journaled before it existed) stay unchanged.
   */
  sample?: number;
  /** `allowAllRejected` (set only when true, so older plans stay unchanged): a job that rejects every record still succeeds. */
  validate: { schema: 'user' | 'none'; rules: { check: string; message: string }[]; maxRejects: RejectBudget | null; allowAllRejected?: true };
  /**
   * `exclusive: false` (set only then) lets another job write the same table at once; absent means
   * exclusive, the default, so that plans of jobs journaled before it existed stay unchanged.
   */
  batch: {
    size: number;
    parallelism: number;
    exclusive?: false;
    /** Records per transaction (pipeline `batch.commit`), set only when given; absent: 1,000, so older plans stay unchanged. */
    commit?: number;
  };
  retry: RetryPlan;
  notify: NotifyEntry[];
}

/**
 * Digests, never content: the plan is visible in Temporal history, so no path of the submitting
 * machine and no secret goes in here.
 */
export interface JobProject {
  /** The submitting project's folder name: for messages only (a worker's copy may sit in a folder of another name). */
  name: string;
  /** sha256 of where the project's jobs land: its state_dir and each connection's store (engine/temporal/project-identity.ts). */
  config: string;
  /** sha256 of the pipeline file as the submitter read it when it submitted; absent when it could not read it. */
  pipeline?: string;
  /** sha256 of the source file as the submitter read it (file sources). */
  source?: string;
}

export interface FileSourcePlan {
  type: 'file';
  path: string;
  format: FileFormat;
  csv: { delimiter: string; header: boolean; encoding: 'utf8' | 'latin1' };
}

export interface ConnectionSourcePlan {
  type: 'connection';
  connection: string;
  table?: string;
  /** What the batches run: date math (`now-1d/d`, `{last_success}`) already replaced by instants, once, when the job was planned. */
  query: string;
  /**
   * Set only when the query has date math: the query as written and, when it uses `{last_success}`,
   * the start of the pipeline's last successful job it stood for (null: there was none, the bound
   * was open). A resume keeps them, so it reads the same rows.
   */
  dates?: { written: string; lastSuccess?: string | null };
  sort?: { by: string; order: 'asc' | 'desc' };
}

export interface ConnectionTargetPlan {
  type: 'connection';
  connection: string;
  table?: string;
  key: string[];
  upsert: boolean;
  metadata: 'merge' | 'replace';
}

export interface FileTargetPlan {
  type: 'file';
  /** Output path with {date} and {job} already replaced. */
  path: string;
  format: FileFormat;
  escapeFormulas: boolean;
}

export type RejectBudget = { count: number } | { percent: number };

export interface RetryPlan {
  maxAttempts: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
  /**
   * Temporal only (ferry.yaml `temporal.heartbeat_timeout`, set by the client that starts the
   * job): how long a batch may go without a heartbeat before its worker counts as dead. Absent: 2 minutes.
   */
  heartbeatTimeoutMs?: number;
}

/** What the caller (CLI, scheduler) decides: identity, time, where things live. */
export interface PlanContext extends Pick<JobPlan, 'jobId' | 'pipeline' | 'pipelineFile' | 'pipelineHash' | 'startedAt' | 'jobDir'> {
  sourcePath?: string;
  sourceFormat?: FileFormat;
  targetPath?: string;
  targetFormat?: FileFormat;
  /** `--sample`: export at most this many rows. */
  sample?: number;
  /** `ferry jobs retry-rejects`: read only the rejected rows of that job. */
  retryOf?: JobPlan['retryOf'];
  /** `{last_success}` in the query: the start of the pipeline's last successful job, null when none (the engine knows). */
  lastSuccess?: string | null;
}

/** Pipeline (validated) + context → plan. Pure; defaults of the format are applied here. */
export function buildJobPlan(p: Pipeline, ctx: PlanContext): JobPlan {
  const source = sourcePlan(p, ctx);
  const target = targetPlan(p, ctx);
  const kind = source.type === 'file' ? 'import' : target.type === 'file' ? 'export' : 'migrate';
  const validate = p.validate ?? { schema: kind === 'export' ? 'none' : 'user', rules: [], max_rejects: undefined };
  return {
    version: 1,
    jobId: ctx.jobId,
    pipeline: ctx.pipeline,
    pipelineFile: ctx.pipelineFile,
    pipelineHash: ctx.pipelineHash,
    startedAt: ctx.startedAt,
    jobDir: ctx.jobDir,
    kind,
    source,
    target,
    columns: kind === 'export' ? exportColumns(p.columns) : columnsPlan(p.columns),
    ...(kind === 'export' && ctx.sample !== undefined ? { sample: ctx.sample } : {}),
    ...(ctx.retryOf !== undefined ? { retryOf: ctx.retryOf } : {}),
    validate: {
      schema: validate.schema,
      rules: validate.rules,
      maxRejects: rejectBudget(validate.max_rejects),
      ...(p.validate?.allow_all_rejected ? { allowAllRejected: true as const } : {}),
    },
    batch: batchPlan(p.batch),
    retry: retryPlan(p.retry),
    notify: p.notify ?? [],
  };
}

/**
 * Records a batch of this plan commits at a time, each chunk with its marker in one transaction.
 * Each commit rewrites every index page its rows touched, and a random key (email) touches about
 * a page a row, so fewer, larger commits write less (measured in the README, Benchmarks).
 */
export function commitRecords(plan: Pick<JobPlan, 'batch'>): number {
  return plan.batch.commit ?? DEFAULT_COMMIT_RECORDS;
}

/** Records per commit when the pipeline does not say, and in every plan made before `batch.commit` existed. */
export const DEFAULT_COMMIT_RECORDS = 1000;

function batchPlan(batch: Pipeline['batch']): JobPlan['batch'] {
  return {
    size: batch?.size ?? 1000,
    parallelism: batch?.parallelism ?? 4,
    ...(batch?.exclusive === false ? { exclusive: false as const } : {}),
    ...(batch?.commit !== undefined && batch.commit !== DEFAULT_COMMIT_RECORDS ? { commit: batch.commit } : {}),
  };
}

function sourcePlan(p: Pipeline, ctx: PlanContext): JobPlan['source'] {
  if ('file' in p.source) {
    const csv = p.source.csv ?? { delimiter: ',', header: true, encoding: 'utf8' as const };
    return { type: 'file', path: required(ctx.sourcePath, 'sourcePath'), format: required(ctx.sourceFormat, 'sourceFormat'), csv };
  }
  const { connection, table, query, sort } = p.source;
  return { type: 'connection', connection, ...(table ? { table } : {}), ...queryPlan(query, ctx), ...(sort ? { sort } : {}) };
}

/** Date math is resolved here, once per job: `now` is the job's start, whichever process plans it. */
function queryPlan(query: string, ctx: PlanContext): Pick<ConnectionSourcePlan, 'query' | 'dates'> {
  if (!hasDateMath(query)) return { query };
  const cursor = usesLastSuccess(query) ? { lastSuccess: required(ctx.lastSuccess, 'lastSuccess') } : {};
  return { query: resolveQueryDates(query, { now: ctx.startedAt, ...cursor }), dates: { written: query, ...cursor } };
}

function targetPlan(p: Pipeline, ctx: PlanContext): JobPlan['target'] {
  if ('file' in p.target) {
    const path = required(ctx.targetPath, 'targetPath').replaceAll('{date}', ctx.startedAt.slice(0, 10)).replaceAll('{job}', ctx.jobId);
    return { type: 'file', path, format: required(ctx.targetFormat, 'targetFormat'), escapeFormulas: p.target.escape_formulas };
  }
  const { connection, table, key, upsert, metadata } = p.target;
  return { type: 'connection', connection, ...(table ? { table } : {}), key: Array.isArray(key) ? key : [key], upsert, metadata };
}

function columnsPlan(columns: Pipeline['columns']): Record<string, string> | null {
  if (!columns || columns === 'defaults') return null;
  return Object.fromEntries(Object.entries(columns).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function rejectBudget(value: number | string | undefined): RejectBudget | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return { count: value };
  return { percent: Number(value.slice(0, -1)) };
}

function retryPlan(retry: Pipeline['retry']): RetryPlan {
  return {
    maxAttempts: retry?.max_attempts ?? 5,
    initialIntervalMs: durationMs(retry?.initial_interval ?? '1s'),
    maxIntervalMs: durationMs(retry?.max_interval ?? '30s'),
  };
}

/** The largest number of rejects a job of `total` records may have before it fails. */
export function rejectLimit(budget: RejectBudget | null, total: number): number {
  if (!budget) return Number.POSITIVE_INFINITY;
  if ('count' in budget) return budget.count;
  return Math.floor((budget.percent / 100) * total);
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`plan context lacks ${name}`);
  return value;
}
