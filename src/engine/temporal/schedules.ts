import { ScheduleNotFoundError, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { SCHEDULED_WORKFLOW_TYPE } from '../../../workflows/definitions.js';
import type { scheduledPipelineWorkflow } from '../../../workflows/scheduled.js';
import type { AppliedSchedules, PipelineSchedule } from '../engine.js';
import type { TemporalSettings } from './settings.js';

/** Schedule ids are derived from the pipeline name, which is what makes applying idempotent. */
export const scheduleId = (pipeline: string): string => `ferry-${pipeline}`;

type Options = ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof scheduledPipelineWorkflow>>;

/**
 * Makes the namespace's Ferry schedules match the pipelines: creates missing ones, updates the
 * rest to the current cron and action (running it twice changes nothing), deletes Ferry schedules
 * whose pipeline no longer has a `schedule:`. Overlap SKIP: a run due while the previous one still
 * runs is skipped. Catch-up window, explicit: a run missed while the server was down is taken
 * within a day (`catch_up: once`), or only within a minute, i.e. not (`catch_up: skip`).
 */
export async function applySchedules(client: Client, settings: TemporalSettings, schedules: PipelineSchedule[]): Promise<AppliedSchedules> {
  const result: AppliedSchedules = { created: [], updated: [], deleted: [] };
  for (const s of schedules) {
    const options = scheduleOptions(settings, s);
    const handle = client.schedule.getHandle(options.scheduleId);
    const exists = await handle.describe().then(
      () => true,
      (err: unknown) => {
        if (err instanceof ScheduleNotFoundError) return false;
        throw err;
      },
    );
    if (exists) {
      await handle.update(() => ({ spec: options.spec, action: options.action, policies: options.policies, state: {} }));
      result.updated.push(options.scheduleId);
    } else {
      await client.schedule.create(options);
      result.created.push(options.scheduleId);
    }
  }
  const wanted = new Set(schedules.map((s) => scheduleId(s.pipeline)));
  for (const existing of await listFerrySchedules(client)) {
    if (wanted.has(existing.id)) continue;
    await client.schedule.getHandle(existing.id).delete();
    result.deleted.push(existing.id);
  }
  return result;
}

export function scheduleOptions(settings: TemporalSettings, s: PipelineSchedule): Options {
  return {
    scheduleId: scheduleId(s.pipeline),
    spec: { cronExpressions: [s.cron], ...(s.timezone ? { timezone: s.timezone } : {}) },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_WORKFLOW_TYPE,
      args: [{ pipelineFile: s.file }],
      taskQueue: settings.taskQueue,
      workflowId: scheduleId(s.pipeline),
    },
    policies: { overlap: 'SKIP', catchupWindow: s.catchUp === 'once' ? '1 day' : '1 minute' },
    memo: { ferry: true, pipeline: s.pipeline, file: s.file, cron: s.cron, timezone: s.timezone ?? null },
  };
}

export interface FerryScheduleInfo {
  id: string;
  pipeline: string;
  cron: string;
  nextRuns: string[];
  /** When the schedule last started a run, and that run's workflow (it starts the job as its child). */
  lastRun: string | null;
  lastJob: string | null;
  paused: boolean;
}

/** The namespace's Ferry schedules (memo `ferry: true`), with their next run times. */
export async function listFerrySchedules(client: Client): Promise<FerryScheduleInfo[]> {
  const out: FerryScheduleInfo[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.memo?.['ferry'] !== true) continue;
    const last = summary.info?.recentActions.at(-1);
    out.push({
      id: summary.scheduleId,
      pipeline: String(summary.memo['pipeline'] ?? ''),
      cron: `${String(summary.memo['cron'] ?? '?')}${summary.memo['timezone'] ? ` (${String(summary.memo['timezone'])})` : ''}`,
      nextRuns: (summary.info?.nextActionTimes ?? []).map((d) => d.toISOString()),
      lastRun: last?.takenAt.toISOString() ?? null,
      lastJob: last?.action.workflow.workflowId ?? null,
      paused: summary.state?.paused ?? false,
    });
  }
  return out.sort((a, b) => a.pipeline.localeCompare(b.pipeline));
}
