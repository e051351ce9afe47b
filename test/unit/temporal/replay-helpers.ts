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

export interface SentSignal {
  workflowId: string;
  signalName: string;
  args: unknown[];
}

/** What a replayed workflow did: activities scheduled, signals sent to other workflows, arguments it continued as new with. */
export interface Recorded {
  activities: ScheduledActivity[];
  signals: SentSignal[];
  continued: unknown[][];
}

/** Replays `history`; returns the activities the workflow scheduled, in order (the SDK checks only their count and order). */
export async function replay(workflowBundle: WorkflowBundleWithSourceMap, history: HistoryBuilder, name: string): Promise<ScheduledActivity[]> {
  return (await replayRecorded(workflowBundle, history, name)).activities;
}

/** Replays `history` as workflow `workflowId`; returns everything the recorder saw. */
export async function replayRecorded(
  workflowBundle: WorkflowBundleWithSourceMap,
  history: HistoryBuilder,
  name: string,
  workflowId = 'job-1',
): Promise<Recorded> {
  const recorded: Recorded = { activities: [], signals: [], continued: [] };
  const sink = <A extends unknown[]>(fn: (...args: A) => void) => ({ fn: (_info: unknown, ...args: A) => fn(...args), callDuringReplay: true });
  const sinks = {
    recorder: {
      activity: sink((type: string, input: unknown) => void recorded.activities.push({ type, input })),
      signal: sink((workflowId: string, signalName: string, args: unknown[]) => void recorded.signals.push({ workflowId, signalName, args })),
      continued: sink((args: unknown[]) => void recorded.continued.push(args)),
    },
  };
  await Worker.runReplayHistory({ workflowBundle, replayName: name, sinks }, history.history(), workflowId);
  return recorded;
}

/** The ActivityTaskScheduled events of a built history: what the workflow must schedule, in order. */
export function scheduledIn(history: HistoryBuilder): ScheduledActivity[] {
  return attributesOf(history, 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', 'activityTaskScheduledEventAttributes').map((attrs) => {
    const a = attrs as { activityType: { name: string }; input: { payloads: { data: string }[] } };
    return { type: a.activityType.name, input: decode(a.input.payloads[0]!.data) };
  });
}

/** The SignalExternalWorkflowExecutionInitiated events of a built history: the signals the workflow must send, in order. */
export function signalsIn(history: HistoryBuilder): SentSignal[] {
  return attributesOf(history, 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', 'signalExternalWorkflowExecutionInitiatedEventAttributes').map(
    (attrs) => {
      const a = attrs as { workflowExecution: { workflowId: string }; signalName: string; input: { payloads: { data: string }[] } };
      return { workflowId: a.workflowExecution.workflowId, signalName: a.signalName, args: a.input.payloads.map((p) => decode(p.data)) };
    },
  );
}

function attributesOf(history: HistoryBuilder, type: string, key: string): unknown[] {
  return history
    .json()
    .events.filter((e) => e['eventType'] === type)
    .map((e) => e[key]);
}

function decode(base64: string): unknown {
  return JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as unknown;
}
