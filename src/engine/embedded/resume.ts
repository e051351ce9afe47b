import { existsSync } from 'node:fs';
import type { PlanJobOutput } from '../../plan/activity-types.js';
import { buildJobPlan } from '../../plan/job-plan.js';
import { diffPlans } from '../../plan/plan-diff.js';
import type { Project } from '../../project/load-config.js';
import { loadPipeline } from '../../project/load-pipeline.js';
import { formatDiagnostic } from '../../spec/diagnostics.js';
import { JobRefused } from '../engine.js';
import { liveness } from './execute.js';
import { effectiveStatus } from './job-status.js';
import { ownerState } from './process-owner.js';
import type { JobRecord, Journal } from './journal.js';
import { hashText } from '../../project/plan-for.js';
import { sha256File } from '../submission.js';

/** A job that cannot continue from its journal, said for the user. */
export class ResumeRefused extends JobRefused {}

/**
 * Checks that a job can continue from its journal and opens its next run: it must be failed,
 * cancelled or interrupted; its pipeline must still give the same plan (else two versions of the
 * job would mix); and its source must be byte-for-byte the one it was planned from.
 */
export async function prepareResume(journal: Journal, id: string, project: Project, cwd: string): Promise<JobRecord> {
  const job = journal.getJob(id);
  if (!job) throw new ResumeRefused(`no job ${id} (ferry jobs list shows the jobs)`, { usage: true });
  const status = effectiveStatus(job);
  if (status === 'succeeded') throw new ResumeRefused(`job ${id} already succeeded; nothing to resume`);
  if (status === 'running' || status === 'pending') throw new ResumeRefused(heldBy(job));
  checkSamePlan(job, project, cwd);
  await checkSameSource(journal, job);
  journal.update(id, { run: job.run + 1 });
  return journal.getJob(id)!;
}

function checkSamePlan(job: JobRecord, project: Project, cwd: string): void {
  const { plan } = job;
  // A rollback's plan comes from the job it undoes, not from the pipeline file: nothing to compare.
  if (plan.kind === 'rollback') return;
  if (!existsSync(plan.pipelineFile)) throw new ResumeRefused(`the pipeline file ${plan.pipelineFile} of job ${job.id} is gone`);
  const loaded = loadPipeline(project, cwd, plan.pipelineFile);
  if (!loaded.ok) {
    throw new ResumeRefused(`the pipeline of job ${job.id} is now invalid:\n${loaded.diagnostics.map(formatDiagnostic).join('\n')}`);
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
  const changes = diffPlans(plan, now);
  if (changes.length > 0) {
    throw new ResumeRefused(
      `the pipeline changed since job ${job.id} started, so resuming would mix two versions of the job:\n` +
        changes.map((c) => `  ${c}`).join('\n') +
        `\nRestore the pipeline, or run it as a new job (ferry run ${plan.pipelineFile}).`,
    );
  }
}

async function checkSameSource(journal: Journal, job: JobRecord): Promise<void> {
  const planned = journal.getStep(job.id, 'planJob') as PlanJobOutput | undefined;
  if (!planned || job.plan.source.type !== 'file') return;
  const path = job.plan.source.path;
  if (!existsSync(path)) throw new ResumeRefused(`the source file ${path} of job ${job.id} is gone`);
  const now = await sha256File(path);
  if (now !== planned.checksum) {
    throw new ResumeRefused(
      `the source file ${path} changed since job ${job.id} was planned (sha256 ${planned.checksum.slice(0, 12)}… → ${now.slice(0, 12)}…); resuming would read different records. Run it as a new job.`,
    );
  }
}

/** Why a live job cannot be resumed: who holds it, for as long as that process exists. */
function heldBy(job: JobRecord): string {
  const pid = job.ownerPid ?? '?';
  const state = job.ownerPid === null ? 'unknown' : ownerState(job.ownerPid, job.ownerStart);
  if (state === 'stopped') {
    return `job ${job.id} is held by process ${pid}, which is stopped (SIGSTOP or Ctrl-Z): continue it (kill -CONT ${pid}) to let it finish, or end it (kill ${pid}), then resume`;
  }
  if (state === 'unknown' && job.heartbeatAt) {
    const left = Math.max(0, Math.ceil((Date.parse(job.heartbeatAt) + liveness().staleMs - Date.now()) / 1000));
    return `job ${job.id} is running (process ${pid}); its lease expires in ${left}s unless renewed — cancel it first (ferry jobs cancel ${job.id}) or wait`;
  }
  return `job ${job.id} is running in process ${pid}, which holds it until it ends — cancel it first (ferry jobs cancel ${job.id}) or wait`;
}
