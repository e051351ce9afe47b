import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { effectiveStatus } from '../engine/job-status.js';
import { Journal, type JobRecord } from '../engine/journal.js';
import type { Reject } from '../validation/reject.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED } from './exit-codes.js';
import { jobDetails } from './job-report.js';
import { engineOf, temporalCli } from './engine.js';

/** `ferry jobs list`: newest first, one line each. */
export function listJobsCommand(ctx: CliContext, options: { json?: boolean; limit?: string }): void | Promise<void> {
  if (engineOf(ctx.project()) === 'temporal') return temporalCli().then((t) => t.temporalListJobs(ctx, options));
  const journal = new Journal(ctx.project().stateDir);
  try {
    const jobs = journal.listJobs(Number(options.limit ?? 50));
    if (options.json) {
      for (const job of jobs) ctx.stdout(JSON.stringify(jobDetails(job, ctx.cwd)));
      return;
    }
    if (jobs.length === 0) ctx.stdout('no jobs yet (ferry run <pipeline>)');
    for (const job of jobs) ctx.stdout(listLine(job));
  } finally {
    journal.close();
  }
}

/** `ferry jobs show <id>`. */
export function showJobCommand(ctx: CliContext, id: string, options: { json?: boolean }): void | Promise<void> {
  if (engineOf(ctx.project()) === 'temporal') return temporalCli().then((t) => t.temporalShowJob(ctx, id, options));
  withJob(ctx, id, (job) => {
    const details = jobDetails(job, ctx.cwd);
    if (options.json) return ctx.stdout(JSON.stringify(details));
    const s = details.summary;
    ctx.stdout(`job        ${job.id}`);
    ctx.stdout(`pipeline   ${job.pipeline} (${job.plan.pipelineFile})`);
    ctx.stdout(`status     ${effectiveStatus(job)}${job.error ? ` — ${job.error}` : ''}`);
    ctx.stdout(`started    ${details.started_at}${job.endedAt ? `, ended ${job.endedAt}` : ''}`);
    ctx.stdout(`records    total ${s.total} · inserted ${s.inserted} · updated ${s.updated} · unchanged ${s.unchanged} · rejected ${s.rejected} · exported ${s.exported}`);
    ctx.stdout(`batches    ${details.batches.done}/${details.batches.total}`);
    ctx.stdout(`artifacts  ${details.artifacts.dir}`);
    // A failure's detail already names its notify[i] entry.
    for (const n of job.notifications) ctx.stdout(n.ok ? `notify[${n.index}]  sent: ${n.detail}` : `notify     FAILED: ${n.detail}`);
  });
}

/** `ferry jobs errors <id>`: the reject report, readable, or NDJSON with --json. */
export async function jobErrorsCommand(ctx: CliContext, id: string, options: { json?: boolean }): Promise<void> {
  const job = engineOf(ctx.project()) === 'temporal' ? await (await temporalCli()).temporalJobArtifacts(ctx, id) : withJob(ctx, id, (j) => j);
  const file = job.artifacts?.rejectsFile;
  if (!file || !existsSync(file)) throw new CliExit(EXIT_FAILED, `job ${id} has no reject report${job.status === 'running' ? ' yet (still running)' : ''}`);
  let count = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue;
    count++;
    if (options.json) {
      ctx.stdout(line);
      continue;
    }
    const reject = JSON.parse(line) as Reject;
    for (const e of reject.errors) ctx.stdout(`row ${String(reject.row).padEnd(7)} ${e.code.padEnd(20)} ${(e.path || '-').padEnd(24)} ${e.message}`);
  }
  if (!options.json) ctx.stdout(`${count} rejected record(s)`);
}

function withJob<T>(ctx: CliContext, id: string, fn: (job: JobRecord) => T): T {
  const journal = new Journal(ctx.project().stateDir);
  try {
    const job = journal.getJob(id);
    if (!job) throw new CliExit(EXIT_FAILED, `no job ${id} (ferry jobs list shows the jobs)`);
    return fn(job);
  } finally {
    journal.close();
  }
}

function listLine(job: JobRecord): string {
  const s = job.summary;
  const counts = s ? `${s.total} total, ${s.inserted} inserted, ${s.updated} updated, ${s.rejected} rejected` : '';
  return `${job.id.padEnd(48)} ${effectiveStatus(job).padEnd(11)} ${job.plan.startedAt}  ${counts}`;
}
