import type { FinalizeJobOutput, JobStatus, JobSummary, NotifyOutput } from '../plan/activity-types.js';
import type { JobPlan } from '../plan/job-plan.js';
import type { JobFailure, JobOutcome } from '../plan/orchestrate.js';

/**
 * The one contract both engines keep (STYLE.md 3b). The CLI, the worker and the operator tools talk
 * to an Engine, never to a journal or a Temporal client. `src/engine/embedded/` runs jobs in this
 * process with a journal in SQLite; `src/engine/temporal/` starts workflows that workers run.
 * Precondition failures (no such job, already ended, still running…) are `JobRefused` errors whose
 * message is meant for the user; anything else is a fault.
 */
export interface Engine {
  readonly name: EngineName;

  /**
   * Starts the plan's job, or returns the running job of the same submission (same pipeline text,
   * same source bytes or query, same run options) unless `forceNew`. Two simultaneous submissions
   * of the same work start one job (Temporal: within visibility's delay of about a second).
   */
  submit(plan: JobPlan, options?: SubmitOptions): Promise<Submitted>;

  /**
   * Until the job ends: reports its progress, and on `interrupted()` (Ctrl-C) asks it once to stop
   * after the batches in flight. The embedded engine runs here a job this engine submitted or
   * resumed (it lives in this process); any other job is watched. Resolves with how it ended; an
   * embedded job whose process died resolves `failed` (interrupted, resumable).
   */
  follow(id: string, options?: FollowOptions): Promise<JobOutcome>;

  /** The job in full, or undefined when the engine has no job of that id. */
  get(id: string): Promise<JobInfo | undefined>;

  /** Jobs, newest first; progress for running ones where the engine knows it cheaply. */
  list(options: ListOptions): Promise<JobListing[]>;

  /** Asks a running job to stop after its batches in flight and waits for it to end; resolves with its final status. */
  cancel(id: string, options?: { log?: (line: string) => void }): Promise<JobStatus>;

  /**
   * Makes a failed, cancelled or interrupted job runnable again from its history: finished batches
   * are not redone. `follow` then runs (embedded) or watches (Temporal) it.
   */
  resume(id: string, options?: ResumeOptions): Promise<Resumed>;

  /**
   * `{last_success}`: when the pipeline's last successful job started (its plan's `startedAt`),
   * `--sample` runs left out; null when it has none.
   */
  lastSuccess(pipeline: string): Promise<string | null>;

  /**
   * `ferry jobs prune` and ferry.yaml `retention:`: deletes the jobs that ended before `endedBefore`
   * (their folder in the state dir; on the embedded engine their journal record too), never a job
   * that may still run or be resumed, each pipeline's last success, or, unless `includeBackups`,
   * a job whose backup allows a rollback. With `dryRun`, only says what would go.
   */
  prune(options: PruneOptions): Promise<PruneReport>;

  /** Makes the engine's schedules match the pipelines' `schedule:` fields (idempotent). */
  applySchedules(schedules: PipelineSchedule[]): Promise<AppliedSchedules>;

  /** Each scheduled pipeline as the engine will run it: next and last run. */
  listSchedules(schedules: PipelineSchedule[]): Promise<ScheduleInfo[]>;

  close(): Promise<void>;
}

export type EngineName = 'embedded' | 'temporal';
export const ENGINE_NAMES: readonly EngineName[] = ['embedded', 'temporal'];

/**
 * A precondition that is not met, said for the user (no stack): exit 1, or exit 2 with `usage` when
 * the request itself is wrong (no job of that id, a job of the wrong kind for the command).
 */
export class JobRefused extends Error {
  override readonly name = 'JobRefused';
  readonly usage: boolean;
  constructor(message: string, options: { usage?: boolean } = {}) {
    super(message);
    this.usage = options.usage ?? false;
  }
}

export interface SubmitOptions {
  /** Start a job even when one is running this submission. */
  forceNew?: boolean;
  log?: (line: string) => void;
}

export interface Submitted {
  jobId: string;
  /** True when a running job of the same submission was returned instead of starting one. */
  existing: boolean;
}

export interface FollowOptions {
  /** After planning, after each batch, and while waiting for another job's table (`waiting`). */
  progress?: (view: JobProgressView) => void;
  /** Polled: true asks the job once to stop after the batches in flight (it ends cancelled). */
  interrupted?: () => boolean;
  log?: (line: string) => void;
  /** Said once when the job cannot start and why (Temporal: no worker polls its task queue); `log` gets it when absent. */
  stalled?: (why: string) => void;
}

export interface JobProgressView {
  status: JobStatus;
  summary: JobSummary;
  /** While pending: whom the job waits for and why (another job writes its table). */
  waiting?: string | null;
}

export interface ListOptions {
  limit: number;
  pipeline?: string;
  /** Told of each job whose record the engine cannot read (a damaged journal row), left out of the list. */
  damaged?: (message: string) => void;
}

export interface ResumeOptions {
  log?: (line: string) => void;
  /** Ctrl-C while the job waits to take its table again: stop waiting, resume nothing. */
  cancelled?: () => boolean;
}

export interface Resumed {
  /** What was done, for the user: "run 3", "reset to event 12 (activity runBatch failed)". */
  note: string;
}

export interface PruneOptions {
  endedBefore: Date;
  dryRun: boolean;
  includeBackups: boolean;
}

export interface PruneReport {
  /** Deleted (with `dryRun`: would be), oldest first, with the bytes their folders held. */
  pruned: { id: string; status: JobStatus; endedAt: string; bytes: number }[];
  /** Jobs old enough that stay, and why. */
  kept: { id: string; reason: string }[];
}

/** What `jobs list` shows of a job. */
export interface JobListing {
  id: string;
  pipeline: string;
  engine: EngineName;
  kind: JobPlan['kind'];
  status: JobStatus;
  startedAt: string;
  endedAt: string | null;
  /** Counts so far; null when the engine does not know them without asking a worker. */
  summary: JobSummary | null;
  /** The job's folder: plan.json, rejects, parts, backup. */
  jobDir: string;
  /** `run --sample`: the export was limited to this many rows. */
  sample?: number;
  /** Known once the job ended (and, on the embedded engine, from the journal). */
  artifacts: FinalizeJobOutput | null;
  /** Embedded: the process holding this live job is stopped (SIGSTOP, Ctrl-Z): no progress until continued. */
  stoppedProcess?: number;
  /**
   * A resumed job's current run: when it started and how many records earlier runs had done. Its
   * pace counts this run's records over this run's time (not the time since the job first started,
   * which includes however long it lay interrupted). Absent: the job is in its first run.
   */
  resumedRun?: { startedAt: string; carried: number };
}

/** A job in full: `jobs show`, the report of `run`, the operator tools. */
export interface JobInfo extends JobListing {
  plan: JobPlan;
  error: string | null;
  /** The failing step and whether it was retryable (orchestrate.ts `JobOutcome`); absent when not known. */
  failure?: JobFailure;
  notifications: NotifyOutput[];
  /** While pending: whom it waits for. */
  waiting: string | null;
  /** Engine-specific facts worth showing ("Temporal run <id>", "pid 123"). */
  detail: string | null;
}

/** A pipeline's `schedule:` as both engines take it. */
export interface PipelineSchedule {
  pipeline: string;
  /** Absolute pipeline file. */
  file: string;
  cron: string;
  timezone?: string;
  catchUp: 'once' | 'skip';
}

export interface AppliedSchedules {
  created: string[];
  updated: string[];
  /** The project's schedules of an earlier id (Temporal: `ferry-<pipeline>`), deleted once `by`, their pipeline's, was created or updated. */
  replaced: { id: string; by: string }[];
  deleted: string[];
}

export interface ScheduleInfo {
  /** The engine's own name for it (a Temporal Schedule id); null where the engine keeps none. */
  id: string | null;
  pipeline: string;
  cron: string;
  timezone: string | null;
  nextRun: string | null;
  catchUp: 'once' | 'skip';
  lastRun: string | null;
  lastJob: string | null;
  paused: boolean;
}
