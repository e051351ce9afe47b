import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { HistoryBuilder } from './history-builder.js';

export const workflowsPath = fileURLToPath(new URL('../../../workflows/index.ts', import.meta.url));
const recorderPath = fileURLToPath(new URL('./fixtures/record-activities.ts', import.meta.url));

const quiet = { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let runtimeInstalled = false;

/** The workflow bundle, as a worker builds it, with the test recorder interceptor (or a changed workflow). */
export async function bundle(path = workflowsPath): Promise<WorkflowBundleWithSourceMap> {
  if (!runtimeInstalled) {
    // Worker state changes are logged at INFO once per replay; keep the test output readable.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeInstalled = true;
  }
  return bundleWorkflowCode({ workflowsPath: path, workflowInterceptorModules: [recorderPath], logger: quiet });
}

export interface ScheduledActivity {
  type: string;
  input: unknown;
}

/** Replays `history`; returns the activities the workflow scheduled, in order (the SDK checks only their count and order). */
export async function replay(workflowBundle: WorkflowBundleWithSourceMap, history: HistoryBuilder, name: string): Promise<ScheduledActivity[]> {
  const calls: ScheduledActivity[] = [];
  const sinks = { recorder: { activity: { fn: (_info: unknown, type: string, input: unknown) => void calls.push({ type, input }), callDuringReplay: true } } };
  await Worker.runReplayHistory({ workflowBundle, replayName: name, sinks }, history.history(), 'job-1');
  return calls;
}

/** The ActivityTaskScheduled events of a built history: what the workflow must schedule, in order. */
export function scheduledIn(history: HistoryBuilder): ScheduledActivity[] {
  return history
    .json()
    .events.filter((e) => e['eventType'] === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')
    .map((e) => {
      const attrs = e['activityTaskScheduledEventAttributes'] as { activityType: { name: string }; input: { payloads: { data: string }[] } };
      return { type: attrs.activityType.name, input: JSON.parse(Buffer.from(attrs.input.payloads[0]!.data, 'base64').toString('utf8')) as unknown };
    });
}
