import { withClient } from '../engine/temporal/client.js';
import { describeJob } from '../engine/temporal/results.js';
import { temporalSettings } from '../engine/temporal/settings.js';
import { hasPipelineAttribute, listJobs } from '../engine/temporal/visibility.js';
import type { FinalizeJobOutput, JobStatus } from '../plan/activity-types.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_FAILED } from './exit-codes.js';
import { temporalDetails } from './temporal-report.js';

/** `ferry jobs list` on Temporal: from visibility (workflow type, memo; the FerryPipeline attribute when registered). */
export async function temporalListJobs(ctx: CliContext, options: { json?: boolean; limit?: string }): Promise<void> {
  const project = ctx.project();
  await withClient(temporalSettings(project, ctx.env), async (client) => {
    const jobs = await listJobs(client, { limit: Number(options.limit ?? 50), indexed: await hasPipelineAttribute(client) });
    if (options.json) {
      for (const job of jobs) ctx.stdout(JSON.stringify({ job: job.id, pipeline: job.memo.pipeline, engine: 'temporal', status: job.status, started_at: job.memo.startedAt, ended_at: job.endedAt, run_id: job.runId }));
      return;
    }
    if (jobs.length === 0) ctx.stdout('no jobs on Temporal yet (ferry run <pipeline>)');
    for (const job of jobs) ctx.stdout(`${job.id.padEnd(48)} ${job.status.padEnd(11)} ${job.memo.startedAt}${job.endedAt ? `  ended ${job.endedAt}` : ''}`);
  });
}

/** `ferry jobs show <id>` on Temporal: visibility, plus the result (ended) or the `progress` query (running). */
export async function temporalShowJob(ctx: CliContext, id: string, options: { json?: boolean }): Promise<void> {
  const project = ctx.project();
  await withClient(temporalSettings(project, ctx.env), async (client) => {
    const job = await describeJob(client, id);
    if (!job) throw new CliExit(EXIT_FAILED, `no job ${id} on Temporal (ferry jobs list shows the jobs)`);
    const details = temporalDetails(job, ctx.cwd);
    if (options.json) return ctx.stdout(JSON.stringify(details));
    const s = details.summary;
    ctx.stdout(`job        ${job.id} (Temporal run ${job.runId})`);
    ctx.stdout(`pipeline   ${job.memo.pipeline} (${job.memo.pipelineFile})`);
    ctx.stdout(`status     ${details.status}${details.error ? ` — ${project.masker.mask(details.error)}` : ''}`);
    if (job.progress?.waiting) ctx.stdout(`waiting    ${project.masker.mask(job.progress.waiting)}`);
    ctx.stdout(`started    ${details.started_at}${details.ended_at ? `, ended ${details.ended_at}` : ''}`);
    ctx.stdout(`records    total ${s.total} · inserted ${s.inserted} · updated ${s.updated} · unchanged ${s.unchanged} · rejected ${s.rejected} · exported ${s.exported}`);
    ctx.stdout(`batches    ${details.batches.done}/${details.batches.total}${job.status === 'running' && !job.progress ? ' (no worker answered the progress query)' : ''}`);
    ctx.stdout(`artifacts  ${details.artifacts.dir}`);
    for (const n of details.notifications) ctx.stdout(n.ok ? `notify[${n.index}]  sent: ${n.detail}` : `notify     FAILED: ${n.detail}`);
  });
}

/** `ferry jobs errors <id>` on Temporal: the job's status and artifacts (from its result, or its progress query). */
export async function temporalJobArtifacts(ctx: CliContext, id: string): Promise<{ status: JobStatus; artifacts: FinalizeJobOutput | null }> {
  return withClient(temporalSettings(ctx.project(), ctx.env), async (client) => {
    const job = await describeJob(client, id);
    if (!job) throw new CliExit(EXIT_FAILED, `no job ${id} on Temporal (ferry jobs list shows the jobs)`);
    return { status: job.status, artifacts: job.outcome?.artifacts ?? job.progress?.artifacts ?? null };
  });
}
