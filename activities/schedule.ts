import type { Engine } from '../src/engine/engine.js';
import { planRun } from '../src/project/plan-for.js';
import { jobMemo, type JobMemo } from '../src/engine/temporal/job-memo.js';
import { projectIdentity, submissionOf } from '../src/engine/temporal/project-identity.js';
import type { JobPlan } from '../src/plan/job-plan.js';
import { loadCheckedPipeline } from '../src/project/check-source.js';
import type { Project } from '../src/project/load-config.js';
import { formatDiagnostic } from '../src/spec/diagnostics.js';

/** What a scheduled run needs on a worker: a fresh plan of the pipeline as it is now. */
export interface ScheduleActivities {
  planScheduledRun(input: PlanScheduledRunInput): Promise<PlanScheduledRunOutput>;
}

export interface PlanScheduledRunInput {
  /** Absolute pipeline file, as `ferry schedules apply` saw it. */
  pipelineFile: string;
}

export interface PlanScheduledRunOutput {
  plan: JobPlan;
  memo: JobMemo;
}

/**
 * A Temporal Schedule starts the same workflow arguments every time, but every job needs its own
 * id, time and folder: this activity reads the pipeline again (it may have been edited since the
 * schedule was applied, like `ferry serve` does) and plans a new job.
 */
export function createScheduleActivities(project: Project, history: Pick<Engine, 'lastSuccess'>): ScheduleActivities {
  return {
    async planScheduledRun({ pipelineFile }) {
      const loaded = await loadCheckedPipeline(project, project.rootDir, pipelineFile);
      if (!loaded.ok) throw new Error(`the pipeline is invalid now:\n${loaded.diagnostics.map((d) => project.masker.mask(formatDiagnostic(d))).join('\n')}`);
      const planned = await planRun(history, project, loaded.loaded, new Date());
      // The child job may run on another worker of the queue: it checks the project like any job.
      const { key, project: submitter } = await submissionOf(planned, projectIdentity(project));
      const plan = { ...planned, project: submitter };
      return { plan, memo: jobMemo(plan, key) };
    },
  };
}
