import { relative } from 'node:path';
import type { SecretMasker } from '../spec/secrets.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED, EXIT_OK } from './exit-codes.js';
import type { JobSummary } from '../plan/activity-types.js';
import { emptySummary, type JobOutcome } from '../plan/orchestrate.js';
import type { JobInfo, JobListing } from '../engine/engine.js';
import { jobQuery } from './job-query.js';
import { ferryVersion } from './version.js';
import { jobError, type JobError } from '../notify/job-error.js';
import { terminalLines, visibleText } from '../spec/visible-text.js';

/** The `--json` object of `run` and `jobs show` (DESIGN.md "CLI"). */
export interface JobReport {
  job: string;
  pipeline: string;
  engine: string;
  status: string;
  summary: Omit<JobSummary, 'batches'>;
  /** `run --sample`: the export was limited to this many rows (absent otherwise). */
  sample?: number;
  artifacts: { dir: string; rejects: string | null; output: string | null };
  /** `run` that followed a job already running the same submission instead of starting one. */
  existing?: true;
  /** The Ferry version that printed the report. */
  version: string;
  /** `run --json` of a failed job: why (job-error.ts), secrets masked. */
  error?: JobError;
}

export function jobReport(job: JobListing, cwd: string, outcome?: JobOutcome): JobReport {
  const summary = outcome?.summary ?? job.summary;
  // The engine's own (absolute) paths first: a Temporal outcome has them relative to the project folder.
  const artifacts = job.artifacts ?? outcome?.artifacts;
  const { batches: _batches, ...counts } = summary ?? emptySummary();
  return {
    job: job.id,
    pipeline: job.pipeline,
    engine: job.engine,
    status: outcome?.status ?? job.status,
    summary: counts,
    ...(job.sample !== undefined ? { sample: job.sample } : {}),
    artifacts: {
      dir: shown(cwd, job.jobDir),
      rejects: artifacts ? shown(cwd, artifacts.rejectsFile) : null,
      output: artifacts?.output ? shown(cwd, artifacts.output) : null,
    },
    version: ferryVersion(),
  };
}

/** `jobs list --json`: the report plus batches and times. */
export function jobListing(job: JobListing, cwd: string) {
  return {
    ...jobReport(job, cwd),
    kind: job.kind,
    batches: job.summary?.batches ?? { done: 0, total: 0 },
    started_at: job.startedAt,
    ended_at: job.endedAt,
    ...(job.stoppedProcess !== undefined ? { stopped_process: job.stoppedProcess } : {}),
  };
}

/** `jobs show --json`: the listing plus the error and the notifications. */
export function jobDetails(job: JobInfo, cwd: string) {
  return {
    ...jobListing(job, cwd),
    error: job.error,
    ...(job.failure ? { failure: job.failure } : {}),
    ...(job.waiting ? { waiting: job.waiting } : {}),
    ...(jobQuery(job.plan) ? { query: jobQuery(job.plan) } : {}),
    notifications: job.notifications,
  };
}

/**
 * What the time in a summary measured. `run` times the job it started. A resume or a follow of
 * another process's job times only its own part, and says so: the job's whole span includes the
 * time it lay interrupted, and a resume that had only finalizing left takes a fraction of a second.
 */
export type RunTiming =
  | { kind: 'run'; seconds: number }
  | { kind: 'resume'; seconds: number; /** Records done before the resume. */ carried: number }
  | { kind: 'follow'; seconds: number };

/** The human summary printed at the end of `run` and `jobs resume`. */
export function summaryLines(report: JobReport, timing: RunTiming, error: string | null): string[] {
  const s = report.summary;
  const counts = [`total ${s.total}`, `inserted ${s.inserted}`, `updated ${s.updated}`, `unchanged ${s.unchanged}`, `rejected ${s.rejected}`];
  if (s.exported > 0 || report.artifacts.output) counts.push(`exported ${s.exported}`);
  const lines = [`job ${report.job} ${report.status} ${timingText(timing, s.total)}`, `  ${counts.join(' · ')}`];
  if (report.sample !== undefined) lines.push(`  sample: at most ${report.sample} rows (--sample)`);
  // The error may quote source data (a database names the bad value): escaped, so it cannot drive the terminal.
  if (error) lines.push(`  error: ${visibleText(error)}`);
  if (s.rejected > 0 && report.artifacts.rejects) lines.push(`  rejects: ${report.artifacts.rejects} (ferry jobs errors ${report.job})`);
  if (report.artifacts.output) lines.push(`  output: ${report.artifacts.output}`);
  return lines;
}

function timingText(timing: RunTiming, total: number): string {
  const took = timing.seconds < 0.05 ? 'under 0.1s' : `${timing.seconds.toFixed(1)}s`;
  if (timing.kind === 'resume') return `in ${took} (this resume; ${timing.carried} of ${total} records were done before it)`;
  if (timing.kind === 'follow') return `after ${took} followed here (another process started it)`;
  return `in ${took}`;
}

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}

/** The end of `run` on either engine: the --json object or the summary lines, then the exit code (0 only on success). */
export function endRun(ctx: CliContext, masker: SecretMasker, report: JobReport, timing: RunTiming, outcome: JobOutcome, json: boolean | undefined): never {
  const error = outcome.status === 'failed' ? jobError(outcome.error === null ? 'the job failed' : masker.mask(outcome.error)) : null;
  if (json) ctx.stdout(JSON.stringify(error ? { ...report, error } : report));
  else for (const line of summaryLines(report, timing, outcome.error)) ctx.stdout(terminalLines(masker.mask(line)));
  throw new CliExit(outcome.status === 'succeeded' ? EXIT_OK : EXIT_FAILED);
}
