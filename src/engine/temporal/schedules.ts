import type { Client, ScheduleOptions, ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { SCHEDULED_WORKFLOW_TYPE } from '../../../workflows/definitions.js';
import type { scheduledPipelineWorkflow } from '../../../workflows/scheduled.js';
import { JobRefused, type AppliedSchedules, type PipelineSchedule } from '../engine.js';
import { describeSchedule, isOwnSchedule, listOwnSchedules } from './own-schedules.js';
import type { TemporalSettings } from './settings.js';

/**
 * A schedule's id: the project's task queue and the pipeline name, which makes applying idempotent
 * and keeps two projects' pipelines of one name apart on one namespace. `:` because queues and
 * pipeline names have `-` in them (`ferry-acme` + `nightly-export`) and a pipeline name set in
 * the file has no `:` (the target lock names its workflows alike, workflows/target-definitions.ts).
 */
export const scheduleId = (taskQueue: string, pipeline: string): string => `${taskQueue}:${pipeline}`;

type Options = ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof scheduledPipelineWorkflow>>;

/**
 * Makes the project's Ferry schedules (own-schedules.ts: those starting on its task queue) match
 * the pipelines: creates missing ones, updates the rest to the current cron and action (running
 * it twice changes nothing), deletes those whose pipeline no longer has a `schedule:`. Another
 * project's schedules are never changed or deleted. A project's
 * schedule of an earlier id (`ferry-<pipeline>`, before ids named the queue) is replaced: the new
 * one first, then the old one deleted. Overlap SKIP: a run due while the previous one still runs
 * is skipped. Catch-up window, explicit: a run missed while the server was down is taken within a
 * day (`catch_up: once`), or only within a minute, i.e. not (`catch_up: skip`).
 */
export async function applySchedules(client: Client, settings: TemporalSettings, schedules: PipelineSchedule[]): Promise<AppliedSchedules> {
  const result: AppliedSchedules = { created: [], updated: [], replaced: [], deleted: [] };
  const own = await listOwnSchedules(client, settings.taskQueue);
  const planned = schedules.map((s) => scheduleOptions(settings, s));
  // All checked before anything changes: an id held by what is not this project's stops the apply.
  const exists = await Promise.all(planned.map((options) => ownedOrFree(client, options.scheduleId, settings.taskQueue)));
  for (const [i, options] of planned.entries()) {
    if (exists[i]) {
      await client.schedule.getHandle(options.scheduleId).update(() => ({ spec: options.spec, action: options.action, policies: options.policies, state: {} }));
      result.updated.push(options.scheduleId);
    } else {
      await client.schedule.create(options);
      result.created.push(options.scheduleId);
    }
    const pipeline = schedules[i]!.pipeline;
    for (const earlier of own.filter((o) => o.pipeline === pipeline && o.id !== options.scheduleId)) {
      await client.schedule.getHandle(earlier.id).delete();
      result.replaced.push({ id: earlier.id, by: options.scheduleId });
    }
  }
  const scheduled = new Set(schedules.map((s) => s.pipeline));
  for (const stale of own.filter((o) => !scheduled.has(o.pipeline))) {
    await client.schedule.getHandle(stale.id).delete();
    result.deleted.push(stale.id);
  }
  return result;
}

/** Whether the id is this project's schedule already (false: free); refused when it is anything else's. */
async function ownedOrFree(client: Client, id: string, taskQueue: string): Promise<boolean> {
  const found = await describeSchedule(client, id);
  if (found === undefined) return false;
  if (isOwnSchedule(found, taskQueue)) return true;
  const whose = found.memo?.['ferry'] === true ? `another project's: its runs start on task queue ${found.action.taskQueue}` : 'not a Ferry schedule';
  throw new JobRefused(
    `schedule ${id} on the Temporal server is ${whose}, this project's queue is ${taskQueue} (ferry.yaml temporal.task_queue); nothing applied`,
  );
}

export function scheduleOptions(settings: TemporalSettings, s: PipelineSchedule): Options {
  const id = scheduleId(settings.taskQueue, s.pipeline);
  return {
    scheduleId: id,
    spec: { cronExpressions: [s.cron], ...(s.timezone ? { timezone: s.timezone } : {}) },
    action: {
      type: 'startWorkflow',
      workflowType: SCHEDULED_WORKFLOW_TYPE,
      args: [{ pipelineFile: s.file }],
      taskQueue: settings.taskQueue,
      // The server adds the run's time: two projects' runs of one pipeline name at one time differ.
      workflowId: id,
    },
    policies: { overlap: 'SKIP', catchupWindow: s.catchUp === 'once' ? '1 day' : '1 minute' },
    memo: { ferry: true, pipeline: s.pipeline, file: s.file, cron: s.cron, timezone: s.timezone ?? null },
  };
}
