import type { JobPlan, JobProject } from '../src/plan/job-plan.js';
import { pipelineDigest, projectTaskQueue, type ProjectIdentity } from '../src/engine/temporal/project-identity.js';

/**
 * A job another project submitted to this worker's task queue. Not retryable: another attempt
 * lands on a worker of the same queue, and no attempt may plan or write anything.
 */
export class ForeignJobError extends Error {
  override readonly name = 'ForeignJobError';
  readonly retryable = false;
}

/**
 * Before a job is planned (nothing read, nothing written): refuses it when its submitter's project
 * is not this worker's — another ferry.yaml (state dir, stores) or another pipeline file. A plan
 * without `project` (the embedded engine; a job started before submitters set it, still in
 * flight) is accepted as before.
 */
export function refuseForeignProject(own: ProjectIdentity | undefined, plan: JobPlan): void {
  const submitted = plan.project;
  if (!own || !submitted) return;
  const reasons: string[] = [];
  if (submitted.config !== own.config)
    reasons.push(`its ferry.yaml has other stores or another state_dir (digest ${short(submitted.config)}, here ${short(own.config)})`);
  if (submitted.pipeline !== undefined && pipelineDigest(plan.pipelineFile) !== submitted.pipeline) {
    reasons.push(`its pipeline ${plan.pipelineFile} is not the same file here`);
  }
  if (reasons.length > 0) throw foreign(plan, submitted, own, reasons);
}

/** After the source scan read the file (and before the plan is saved): refuses a source that is not the one the submitter read. */
export function refuseForeignSource(own: ProjectIdentity | undefined, plan: JobPlan, checksum: string): void {
  const submitted = plan.project;
  if (!own || submitted?.source === undefined || submitted.source === checksum || plan.source.type !== 'file') return;
  throw foreign(plan, submitted, own, [`its source ${plan.source.path} is not the file the submitter read (changed since, or another project's)`]);
}

function foreign(plan: JobPlan, submitted: JobProject, own: ProjectIdentity, reasons: string[]): ForeignJobError {
  return new ForeignJobError(
    `job ${plan.jobId} was submitted by project "${submitted.name}", but this worker serves project "${own.name}": ${reasons.join('; ')}. ` +
      'Nothing was planned or written. Two projects on one Temporal server must not share a task queue: ' +
      `give each its own temporal.task_queue in ferry.yaml (task_queue: ${projectTaskQueue(submitted.name)}), ` +
      'and run its workers from a copy of that project.',
  );
}

function short(digest: string): string {
  return digest.slice(0, 12);
}
