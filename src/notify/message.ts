import type { FinalStatus, JobSummary } from '../plan/activity-types.js';
import { terminalLines, visibleText } from '../spec/visible-text.js';
import { jobError, type JobError } from './job-error.js';
import { emailHtml } from './message-html.js';
import { factRows, rejectsHeading, whereRows, type NotifyReport } from './report.js';

/** The email (subject, text and HTML bodies) and the webhook JSON body of a completion notification. */

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** The `ferry run --json` object plus the event name and times (src/cli/job-report.ts). */
export interface WebhookBody {
  event: 'job.finished';
  /** As the `Ferry-Delivery-Id` header: a receiver drops a notification whose id it has seen. */
  delivery_id: string;
  job: string;
  pipeline: string;
  engine: string;
  status: FinalStatus;
  summary: Omit<JobSummary, 'batches'>;
  artifacts: { dir: string; rejects: string | null; output: string | null };
  /** A failed job's error (job-error.ts); null otherwise. */
  error: JobError | null;
  started_at: string;
  ended_at: string;
}

/** `[ferry] import-users succeeded: 90 inserted, 10 rejected`. */
export function emailSubject(r: NotifyReport): string {
  // nodemailer folds a line break of the subject, not ESC or a bidi override (a pipeline's name is its file name).
  return visibleText(`[ferry] ${r.pipeline} ${r.status}: ${countsPhrase(r.summary)}`);
}

export function emailMessage(r: NotifyReport): EmailMessage {
  return { subject: emailSubject(r), text: emailText(r), html: emailHtml(r) };
}

/**
 * The text body. Values quote data nobody vetted (a reject message may hold a source value, a
 * pipeline's name is its file name): each is kept to its own line, control characters escaped, so
 * no value can add a line that reads as one of the body's own (`Full reject report: https://…`).
 * A job error of several lines (diagnostics) keeps them, indented under its label.
 */
export function emailText(r: NotifyReport): string {
  const indent = ' '.repeat(10);
  const lines = [
    `Job ${r.job} (pipeline ${visibleText(r.pipeline)}) ${r.status}.`,
    '',
    ...factRows(r).map(([label, value]) => `${label.padEnd(10)}${terminalLines(value).split('\n').join(`\n${indent}`)}`),
  ];
  if (r.rejects.length > 0) {
    lines.push('', `${rejectsHeading(r)}:`);
    for (const x of r.rejects) lines.push(`  row ${x.row}  ${visibleText(x.code)}  ${visibleText(x.path || '-')}  ${visibleText(x.message)}`);
  }
  lines.push('', ...whereRows(r).map(([label, value]) => `${label}: ${visibleText(value)}`));
  return lines.join('\n') + '\n';
}

export function webhookBody(r: NotifyReport): WebhookBody {
  return {
    event: 'job.finished',
    delivery_id: r.delivery,
    job: r.job,
    pipeline: r.pipeline,
    engine: r.engine,
    status: r.status,
    summary: r.summary,
    artifacts: r.artifacts,
    error: r.status === 'failed' ? jobError(r.error) : null,
    started_at: r.startedAt,
    ended_at: r.endedAt,
  };
}

function countsPhrase(s: Omit<JobSummary, 'batches'>): string {
  const parts: string[] = [];
  for (const name of ['inserted', 'updated', 'unchanged', 'exported', 'rejected'] as const) {
    if (s[name] > 0) parts.push(`${s[name]} ${name}`);
  }
  return parts.length > 0 ? parts.join(', ') : `${s.total} records`;
}
