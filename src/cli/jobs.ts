import type { JobInfo, JobListing } from '../engine/engine.js';
import { recordsDone } from '../plan/activity-types.js';
import { etaOf, recordsPerSecond } from './pace.js';
import type { CliContext } from './context.js';
import { engineFor } from './engine.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { jobQueryLines } from './job-query.js';
import { wholeNumber } from './usage.js';
import { jobDetails, jobListing } from './job-report.js';
import { terminalLines, visibleText } from '../spec/visible-text.js';
import { maskedJson } from './mask-json.js';
import { sourceChange, sourceChangeJson } from './source-change.js';
import { displayPath } from '../project/load-config.js';
import { noJobMessage } from '../engine/no-job.js';

/** `ferry jobs list`: newest first, one line each. */
export async function listJobsCommand(ctx: CliContext, options: { json?: boolean; limit?: string }): Promise<void> {
  const engine = await engineFor(ctx);
  const jobs = await engine.list({ limit: wholeNumber(options.limit ?? '50', '--limit', 1), damaged: (message) => ctx.stderr(`${message} (left out)`) });
  if (options.json) {
    for (const job of jobs) ctx.stdout(JSON.stringify(jobListing(job, ctx.cwd)));
    return;
  }
  if (jobs.length === 0) return ctx.stdout(`no jobs yet${engine.name === 'temporal' ? ' on Temporal' : ''} (ferry run <pipeline>)`);
  ctx.stdout(`${'JOB'.padEnd(48)} ${'STATUS'.padEnd(11)} ${'STARTED'.padEnd(24)}  RECORDS`);
  // An id, like the pipeline's name, comes from a file name, which may hold ESC or a line break.
  for (const job of jobs) ctx.stdout(visibleText(listLine(job)));
}

/** `ferry jobs show <id>`. */
export async function showJobCommand(ctx: CliContext, id: string, options: { json?: boolean }): Promise<void> {
  const job = await getJob(ctx, id);
  const { masker } = ctx.project();
  // Said once it ended: while it runs, the source may still be growing under it.
  const changed = job.endedAt === null ? undefined : sourceChange(job, (path) => displayPath(ctx.cwd, path));
  const details = { ...jobDetails(job, ctx.cwd), ...sourceChangeJson(changed) };
  if (options.json) return ctx.stdout(maskedJson(details, (text) => masker.mask(text)));
  const s = details.summary;
  // An error may quote source data (a database names the bad value) and a webhook's answer is the
  // receiver's text: masked, then escaped so neither can drive the terminal.
  const shown = (text: string): string => visibleText(masker.mask(text));
  // Every line escaped too: the id, the pipeline's name and its file come from a file name, which may hold ESC.
  const say = (line: string): void => ctx.stdout(terminalLines(line));
  say(`job        ${job.id}${job.detail ? ` (${job.detail})` : ''}`);
  say(`pipeline   ${job.pipeline} (${job.plan.pipelineFile})`);
  for (const line of jobQueryLines(job.plan)) say(line);
  say(`status     ${job.status}${job.error ? ` — ${shown(job.error)}` : ''}`);
  if (job.stoppedProcess !== undefined) say(`held by    ${stoppedLine(job.stoppedProcess)}`);
  if (job.waiting) say(`waiting    ${shown(job.waiting)}`);
  say(`started    ${details.started_at}${details.ended_at ? `, ended ${details.ended_at}` : ''}`);
  say(
    `records    total ${s.total} · inserted ${s.inserted} · updated ${s.updated} · unchanged ${s.unchanged} · rejected ${s.rejected} · exported ${s.exported}`,
  );
  say(`batches    ${details.batches.done}/${details.batches.total}`);
  const rate = job.status === 'running' && job.stoppedProcess === undefined ? progressOf(job) : undefined;
  if (rate) say(`progress   ${rate.percent}% · ${rate.perSecond ?? '?'} records/s · ETA ${rate.eta}`);
  say(`artifacts  ${details.artifacts.dir}`);
  if (details.artifacts.output) say(`output     ${details.artifacts.output}`);
  if (changed) say(shown(changed.note));
  // A failure's detail already names its notify[i] entry.
  for (const n of job.notifications) say(n.ok ? `notify[${n.index}]  sent: ${shown(n.detail)}` : `notify     FAILED: ${shown(n.detail)}`);
}

/** A job of the project's engine, or a refusal naming the command that lists them. */
export async function getJob(ctx: CliContext, id: string): Promise<JobInfo> {
  const engine = await engineFor(ctx);
  const job = await engine.get(id);
  if (!job) throw new CliExit(EXIT_INVALID, noJobMessage(id, { hint: true, onTemporal: engine.name === 'temporal' }));
  return job;
}

function listLine(job: JobListing): string {
  const s = job.summary;
  const counts = s
    ? `${s.total} total, ${s.inserted} inserted, ${s.updated} updated, ${s.rejected} rejected${job.kind === 'export' ? `, ${s.exported} exported` : ''}`
    : '';
  // A stopped holder makes no progress: no ETA, but what holds the job and what to do.
  if (job.stoppedProcess !== undefined) return `${listStart(job, 'stopped')}${counts}${counts ? ' ' : ''}(${stoppedLine(job.stoppedProcess)})`;
  const rate = job.status === 'running' ? progressOf(job) : undefined;
  return `${listStart(job, job.status)}${counts}${rate ? ` (${rate.percent}%, ${rate.perSecond ?? '?'}/s, ETA ${rate.eta})` : ''}`;
}

function listStart(job: JobListing, status: string): string {
  return `${job.id.padEnd(48)} ${status.padEnd(11)} ${job.startedAt.padEnd(24)}  `;
}

/** A live job whose process is stopped (SIGSTOP, Ctrl-Z): it resumes work only once continued. */
function stoppedLine(pid: number): string {
  return `process ${pid}, which is stopped (SIGSTOP or Ctrl-Z): kill -CONT ${pid} continues it`;
}

/**
 * A running job's pace from its counts so far: percent done, records/s and time left. The rate
 * counts only this run's records over this run's time: a resumed job's earlier runs, and the time
 * it lay interrupted, are not this run's pace.
 */
export function progressOf(
  job: Pick<JobListing, 'summary' | 'startedAt' | 'resumedRun'>,
  now = Date.now(),
): { percent: number; perSecond: number | undefined; eta: string } | undefined {
  const s = job.summary;
  if (!s || s.total === 0) return undefined;
  const done = recordsDone(s);
  const run = job.resumedRun ?? { startedAt: job.startedAt, carried: 0 };
  const perSecond = recordsPerSecond(done - run.carried, (now - Date.parse(run.startedAt)) / 1000);
  return { percent: Math.floor((100 * done) / s.total), perSecond, eta: etaOf(s.total - done, perSecond) ?? 'unknown' };
}
