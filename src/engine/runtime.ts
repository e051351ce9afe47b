import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConnectionPool, createActivities, type ActivityDeps } from '../../activities/index.js';
import type { PipelineActivities } from '../plan/activity-types.js';
import { buildJobPlan, type JobPlan } from '../plan/job-plan.js';
import type { Project } from '../project/load-config.js';
import type { LoadedPipeline } from '../project/load-pipeline.js';
import { Journal } from './journal.js';

/** What a command needs to run jobs in this process: the journal and the activities with their deps. */
export interface Runtime {
  journal: Journal;
  activities: PipelineActivities;
  close(): Promise<void>;
}

export function openRuntime(project: Project): Runtime {
  const pool = new ConnectionPool(project.config.connections, project.rootDir);
  const deps: ActivityDeps = {
    connections: project.config.connections,
    baseDir: project.rootDir,
    masker: project.masker,
    pool,
    ...(project.config.notify?.smtp ? { smtp: project.config.notify.smtp } : {}),
  };
  const journal = new Journal(project.stateDir);
  return {
    journal,
    activities: createActivities(deps),
    async close() {
      await pool.closeAll();
      journal.close();
    },
  };
}

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
