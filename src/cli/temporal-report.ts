import { relative } from 'node:path';
import { emptySummary, type JobOutcome } from '../plan/orchestrate.js';
import type { JobSummary } from '../plan/activity-types.js';
import type { TemporalJobDetails } from '../engine/temporal/results.js';
import type { TemporalJob } from '../engine/temporal/visibility.js';
import type { JobReport } from './job-report.js';
import { ferryVersion } from './version.js';

/** The `--json` report of a Temporal job: the same shape as the embedded engine's (DESIGN.md "CLI"). */
export function temporalReport(job: Pick<TemporalJob, 'id' | 'memo' | 'status'>, cwd: string, outcome: JobOutcome | null, summary?: JobSummary): JobReport {
  const { batches: _batches, ...counts } = outcome?.summary ?? summary ?? emptySummary();
  const artifacts = outcome?.artifacts ?? null;
  return {
    job: job.id,
    pipeline: job.memo.pipeline,
    engine: 'temporal',
    status: outcome?.status ?? job.status,
    summary: counts,
    ...(job.memo.sample !== undefined ? { sample: job.memo.sample } : {}),
    artifacts: {
      dir: shown(cwd, job.memo.jobDir),
      rejects: artifacts ? shown(cwd, artifacts.rejectsFile) : null,
      output: artifacts?.output ? shown(cwd, artifacts.output) : null,
    },
    version: ferryVersion(),
  };
}

/** `jobs show --json` on Temporal: the report plus batches, times, the error and the run id. */
export function temporalDetails(job: TemporalJobDetails, cwd: string) {
  const summary = job.outcome?.summary ?? job.progress?.summary;
  return {
    ...temporalReport(job, cwd, job.outcome, summary),
    batches: summary?.batches ?? { done: 0, total: 0 },
    started_at: job.memo.startedAt,
    ended_at: job.endedAt,
    error: job.outcome?.error ?? job.progress?.error ?? null,
    notifications: job.outcome?.notifications ?? [],
    run_id: job.runId,
  };
}

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
