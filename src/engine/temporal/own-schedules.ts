import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';

/**
 * Which Temporal Schedules are this project's. Projects on one namespace each have their own task
 * queue (project-identity.ts `projectTaskQueue`), and a schedule starts its runs on one: a Ferry
 * schedule (memo `ferry: true`) whose action starts on the project's queue is the project's, as a
 * job on that queue is (visibility.ts). The action, not the id: it is what runs where, and it
 * finds the schedules a project made before ids named the queue (`ferry-<pipeline>`).
 */
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

/** The schedule of that id, or undefined when the namespace has none. */
export async function describeSchedule(client: Client, id: string): Promise<ScheduleDescription | undefined> {
  return client.schedule
    .getHandle(id)
    .describe()
    .catch((err: unknown) => {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw err;
    });
}

/** Whether the schedule is a Ferry schedule starting its runs on `taskQueue`. */
export function isOwnSchedule(schedule: ScheduleDescription, taskQueue: string): boolean {
  return schedule.memo?.['ferry'] === true && schedule.action.taskQueue === taskQueue;
}

/**
 * The project's Ferry schedules, by pipeline, with their next run times. Listing leaves out the
 * action's task queue, so each Ferry schedule of the namespace is described (all at once); one
 * deleted in between is left out.
 */
export async function listOwnSchedules(client: Client, taskQueue: string): Promise<FerryScheduleInfo[]> {
  const ferryIds: string[] = [];
  for await (const summary of client.schedule.list()) if (summary.memo?.['ferry'] === true) ferryIds.push(summary.scheduleId);
  const described = await Promise.all(ferryIds.map((id) => describeSchedule(client, id)));
  return described
    .filter((s): s is ScheduleDescription => s !== undefined && isOwnSchedule(s, taskQueue))
    .map(scheduleInfo)
    .sort((a, b) => a.pipeline.localeCompare(b.pipeline) || a.id.localeCompare(b.id));
}

function scheduleInfo(s: ScheduleDescription): FerryScheduleInfo {
  const memo = s.memo ?? {};
  const last = s.info.recentActions.at(-1);
  return {
    id: s.scheduleId,
    pipeline: String(memo['pipeline'] ?? ''),
    cron: `${String(memo['cron'] ?? '?')}${memo['timezone'] ? ` (${String(memo['timezone'])})` : ''}`,
    nextRuns: s.info.nextActionTimes.map((d) => d.toISOString()),
    lastRun: last?.takenAt.toISOString() ?? null,
    lastJob: last?.action.workflow.workflowId ?? null,
    paused: s.state.paused,
  };
}
