import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buildJobPlan, type JobPlan } from '../plan/job-plan.js';
import type { Project } from './load-config.js';
import type { LoadedPipeline } from './load-pipeline.js';

/** `<pipeline>-<yyyymmddThhmmss>-<4 hex>` (UTC). */
export function newJobId(pipeline: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${pipeline}-${stamp}-${randomBytes(2).toString('hex')}`;
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A fresh plan for a loaded pipeline: a new job id, now, its folder under the state dir; `sample` for `run --sample`. */
export function planFor(project: Project, loaded: LoadedPipeline, at = new Date(), options: { sample?: number | undefined } = {}): JobPlan {
  const jobId = newJobId(loaded.name, at);
  return buildJobPlan(loaded.pipeline, {
    jobId,
    pipeline: loaded.name,
    pipelineFile: loaded.path,
    pipelineHash: hashText(loaded.text),
    startedAt: at.toISOString(),
    jobDir: join(project.stateDir, 'jobs', jobId),
    ...(loaded.sourcePath ? { sourcePath: loaded.sourcePath } : {}),
    ...(loaded.sourceFormat ? { sourceFormat: loaded.sourceFormat } : {}),
    ...(loaded.targetPath ? { targetPath: loaded.targetPath } : {}),
    ...(loaded.targetFormat ? { targetFormat: loaded.targetFormat } : {}),
    ...(options.sample !== undefined ? { sample: options.sample } : {}),
  });
}
