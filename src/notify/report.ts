import type { FinalStatus, JobSummary, NotifyInput } from '../plan/activity-types.js';
import { deliveryId } from '../plan/delivery-id.js';
import type { JobPlan } from '../plan/job-plan.js';
import { maskUrl } from '../spec/secrets.js';
import type { Reject } from '../validation/reject.js';

/**
 * The facts a completion notification states, gathered without I/O from the notify input, the
 * job's plan and what the activity read (time, first rejects). Every text that may carry a secret
 * (the job's error, reject messages) goes through the caller's mask here, once, so the email and
 * the webhook body built from a report cannot leak it.
 */

/** One error of a rejected record, as shown in a notification (never the record itself). */
export interface RejectLine {
  row: number;
  code: string;
  path: string;
  message: string;
}

export interface NotifyReport {
  /** The same for every send of this notification (src/plan/delivery-id.ts). */
  delivery: string;
  job: string;
  pipeline: string;
  engine: string;
  status: FinalStatus;
  summary: Omit<JobSummary, 'batches'>;
  error: string | null;
  startedAt: string;
  endedAt: string;
  artifacts: { dir: string; rejects: string | null; output: string | null };
  /** The errors of the first rejected records; `summary.rejected` says how many there are in all. */
  rejects: RejectLine[];
}

export interface ReportFacts {
  endedAt: string;
  /** The job's rejects.ndjson when it exists. */
  rejectsFile: string | null;
  /** The first records of rejects.ndjson. */
  rejects: Reject[];
  engine?: string;
  /** Removes secrets from a text; URL passwords are masked whatever it does. */
  mask?: (text: string) => string;
}

export function notifyReport(input: NotifyInput, plan: JobPlan, facts: ReportFacts): NotifyReport {
  const mask = (text: string): string => maskUrl(facts.mask ? facts.mask(text) : text);
  const { batches: _batches, ...summary } = input.summary;
  return {
    delivery: input.delivery ?? deliveryId(plan.jobId, '1', input.index, input.status),
    job: plan.jobId,
    pipeline: plan.pipeline,
    engine: facts.engine ?? 'embedded',
    status: input.status,
    summary,
    error: input.error === null ? null : mask(input.error),
    startedAt: plan.startedAt,
    endedAt: facts.endedAt,
    artifacts: { dir: plan.jobDir, rejects: facts.rejectsFile, output: plan.target.type === 'file' ? plan.target.path : null },
    rejects: facts.rejects.flatMap((r) => r.errors.map((e) => ({ row: r.row, code: e.code, path: e.path, message: mask(e.message) }))),
  };
}

/** The label/value rows of the summary, shared by the text and HTML bodies. */
export function factRows(r: NotifyReport): [string, string][] {
  const s = r.summary;
  const records = `total ${s.total} · inserted ${s.inserted} · updated ${s.updated} · unchanged ${s.unchanged} · rejected ${s.rejected}`;
  const rows: [string, string][] = [
    ['Status', r.status],
    ['Started', r.startedAt],
    ['Ended', r.endedAt],
    ['Duration', formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt))],
    ['Records', s.exported > 0 ? `${records} · exported ${s.exported}` : records],
  ];
  if (r.error) rows.push(['Error', r.error]);
  return rows;
}

/** Where the full report, the output and the artifacts are. */
export function whereRows(r: NotifyReport): [string, string][] {
  const rows: [string, string][] = [];
  if (r.artifacts.rejects && r.summary.rejected > 0) rows.push(['Full reject report', `${r.artifacts.rejects} (ferry jobs errors ${r.job})`]);
  if (r.artifacts.output) rows.push(['Output', r.artifacts.output]);
  rows.push(['Artifacts', r.artifacts.dir], ['Details', `ferry jobs show ${r.job}`]);
  return rows;
}

export function rejectsHeading(r: NotifyReport): string {
  const shown = new Set(r.rejects.map((x) => x.row)).size;
  return shown < r.summary.rejected ? `First ${shown} of ${r.summary.rejected} rejected records` : `Rejected records (${shown})`;
}

/** `1.2s`, `3m 05s`, `2h 07m`; a negative or unknown span (clock skew, bad date) is `-`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
