import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';

/**
 * Builds the event history of a pipelineWorkflow execution, the way the server records it, for
 * Worker.runReplayHistory: there is no server in CI to record histories from. Events use the proto
 * JSON form (payloads base64, enums by name) and go through historyFromJSON like an exported
 * history. Activity ids are the workflow's command sequence numbers ("1", "2", …), as the SDK
 * assigns them.
 */
export class HistoryBuilder {
  private readonly events: Record<string, unknown>[] = [];
  private lastTaskCompleted = 0;
  private activitySeq = 0;
  private timerSeq = 0;
  private readonly timers = new Map<number, string>();
  private readonly signalTargets = new Map<number, string>();
  private time = Date.parse('2026-01-01T00:00:00Z');

  /**
   * `sdkFlags`: the SDK flags each workflow task records as used (WorkflowTaskCompleted
   * `sdkMetadata.langUsedFlags`); replay behaves as the SDK did with them. A worker of this SDK
   * version records 1 (non-cancellable scopes shield their children from cancellation) and 2 (an
   * activation's jobs run as one batch, signals first); without them replay follows SDKs before 1.11.
   */
  constructor(
    readonly taskQueue = 'ferry',
    readonly workflowType = 'pipelineWorkflow',
    readonly sdkFlags: number[] = [],
  ) {}

  /** WorkflowExecutionStarted with the workflow's arguments, then its first workflow task. */
  start(args: unknown[], attrs: Record<string, unknown> = {}): this {
    return this.execution(args, attrs).workflowTask();
  }

  /** WorkflowExecutionStarted alone: signalWithStart records its signal before the first workflow task. */
  execution(args: unknown[], attrs: Record<string, unknown> = {}): this {
    this.add('WORKFLOW_EXECUTION_STARTED', 'workflowExecutionStartedEventAttributes', {
      workflowType: { name: this.workflowType },
      taskQueue: { name: this.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: payloads(args),
      workflowTaskTimeout: '10s',
      originalExecutionRunId: 'run-1',
      firstExecutionRunId: 'run-1',
      attempt: 1,
      identity: 'test',
      ...attrs,
    });
    return this;
  }

  /** Moves the clock on (events are otherwise one second apart): workflow time is the workflow task's start. */
  advance(ms: number): this {
    this.time += ms;
    return this;
  }

  /** A signal received by the workflow (WorkflowExecutionSignaled). */
  signaled(signalName: string, args: unknown[]): this {
    this.add('WORKFLOW_EXECUTION_SIGNALED', 'workflowExecutionSignaledEventAttributes', { signalName, input: payloads(args), identity: 'test' });
    return this;
  }

  /** The marker `patched(patchId)` records, as a command of the last workflow task. */
  patchMarker(patchId: string): this {
    this.add('MARKER_RECORDED', 'markerRecordedEventAttributes', {
      markerName: 'core_patch',
      details: { 'patch-data': payloads([{ id: patchId, deprecated: false }]) },
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
    return this;
  }

  /** A signal sent to another workflow, as a command of the last workflow task; returns the event id. */
  signalExternal(workflowId: string, signalName: string, args: unknown[]): number {
    const id = this.add('SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', 'signalExternalWorkflowExecutionInitiatedEventAttributes', {
      namespace: 'default',
      workflowExecution: { workflowId, runId: '' },
      signalName,
      input: payloads(args),
      childWorkflowOnly: false,
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
    this.signalTargets.set(id, workflowId);
    return id;
  }

  externalSignaled(initiated: number): this {
    this.add('EXTERNAL_WORKFLOW_EXECUTION_SIGNALED', 'externalWorkflowExecutionSignaledEventAttributes', {
      initiatedEventId: String(initiated),
      namespace: 'default',
      workflowExecution: { workflowId: this.signalTargets.get(initiated), runId: '' },
    });
    return this;
  }

  /** The signal's target is closed or unknown. */
  externalSignalFailed(initiated: number): this {
    this.add('SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED', 'signalExternalWorkflowExecutionFailedEventAttributes', {
      cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND',
      initiatedEventId: String(initiated),
      namespace: 'default',
      workflowExecution: { workflowId: this.signalTargets.get(initiated), runId: '' },
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
    return this;
  }

  /** A timer (sleep, or the timeout of a condition) started by the last workflow task; returns the event id. */
  startTimer(ms: number): number {
    const timerId = String(++this.timerSeq);
    const id = this.add('TIMER_STARTED', 'timerStartedEventAttributes', {
      timerId,
      startToFireTimeout: `${ms / 1000}s`,
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
    this.timers.set(id, timerId);
    return id;
  }

  /**
   * A timer the workflow created and cancelled within one task (a condition already true when it
   * was awaited): no event, but it used a timer id.
   */
  unsentTimer(): this {
    this.timerSeq++;
    return this;
  }

  fireTimer(started: number): this {
    this.add('TIMER_FIRED', 'timerFiredEventAttributes', { timerId: this.timers.get(started), startedEventId: String(started) });
    return this;
  }

  /** Cancelled by the last workflow task (a condition that came true before its timeout). */
  cancelTimer(started: number): this {
    this.add('TIMER_CANCELED', 'timerCanceledEventAttributes', {
      timerId: this.timers.get(started),
      startedEventId: String(started),
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
      identity: 'test',
    });
    return this;
  }

  /** WorkflowTaskScheduled/Started/Completed; `suggestContinueAsNew` is what the server sets on a long history. */
  workflowTask(options: { suggestContinueAsNew?: boolean } = {}): this {
    const scheduled = this.add('WORKFLOW_TASK_SCHEDULED', 'workflowTaskScheduledEventAttributes', {
      taskQueue: { name: this.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      startToCloseTimeout: '10s',
      attempt: 1,
    });
    const started = this.add('WORKFLOW_TASK_STARTED', 'workflowTaskStartedEventAttributes', {
      scheduledEventId: String(scheduled),
      identity: 'test',
      requestId: `wft-${scheduled}`,
      historySizeBytes: String(this.events.length * 500),
      suggestContinueAsNew: options.suggestContinueAsNew ?? false,
    });
    this.lastTaskCompleted = this.add('WORKFLOW_TASK_COMPLETED', 'workflowTaskCompletedEventAttributes', {
      scheduledEventId: String(scheduled),
      startedEventId: String(started),
      identity: 'test',
      ...(this.sdkFlags.length > 0 ? { sdkMetadata: { langUsedFlags: this.sdkFlags, sdkName: 'temporal-typescript', sdkVersion: '1.24.0' } } : {}),
    });
    return this;
  }

  /** ActivityTaskScheduled, as the command of the last workflow task; returns the event id. */
  scheduleActivity(name: string, input: unknown): number {
    this.activitySeq++;
    return this.add('ACTIVITY_TASK_SCHEDULED', 'activityTaskScheduledEventAttributes', {
      activityId: String(this.activitySeq),
      activityType: { name },
      taskQueue: { name: this.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: payloads([input]),
      startToCloseTimeout: '3600s',
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
  }

  startActivity(scheduled: number, attempt = 1): number {
    return this.add('ACTIVITY_TASK_STARTED', 'activityTaskStartedEventAttributes', {
      scheduledEventId: String(scheduled),
      identity: 'test',
      requestId: `act-${scheduled}`,
      attempt,
    });
  }

  completeActivity(scheduled: number, started: number, result: unknown): this {
    this.add('ACTIVITY_TASK_COMPLETED', 'activityTaskCompletedEventAttributes', {
      scheduledEventId: String(scheduled),
      startedEventId: String(started),
      result: payloads([result]),
      identity: 'test',
    });
    return this;
  }

  /** The last attempt's failure (the server records only that one, after its retries). */
  failActivity(scheduled: number, started: number, message: string, options: { nonRetryable?: boolean } = {}): this {
    this.add('ACTIVITY_TASK_FAILED', 'activityTaskFailedEventAttributes', {
      scheduledEventId: String(scheduled),
      startedEventId: String(started),
      identity: 'test',
      retryState: options.nonRetryable ? 'RETRY_STATE_NON_RETRYABLE_FAILURE' : 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED',
      failure: { message, source: 'TypeScriptSDK', applicationFailureInfo: { type: 'ConnectionError', nonRetryable: options.nonRetryable ?? false } },
    });
    return this;
  }

  /** Schedule, start and complete one activity in a row (the common case). */
  activity(name: string, input: unknown, result: unknown): this {
    const scheduled = this.scheduleActivity(name, input);
    return this.completeActivity(scheduled, this.startActivity(scheduled), result);
  }

  /** A child workflow started by the last workflow task (StartChildWorkflowExecutionInitiated, then Started); returns the ids. */
  startChild(workflowType: string, workflowId: string, input: unknown[]): { initiated: number; started: number } {
    const initiated = this.add('START_CHILD_WORKFLOW_EXECUTION_INITIATED', 'startChildWorkflowExecutionInitiatedEventAttributes', {
      namespace: 'default',
      workflowId,
      workflowType: { name: workflowType },
      taskQueue: { name: this.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: payloads(input),
      parentClosePolicy: 'PARENT_CLOSE_POLICY_ABANDON',
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
    const started = this.add('CHILD_WORKFLOW_EXECUTION_STARTED', 'childWorkflowExecutionStartedEventAttributes', {
      namespace: 'default',
      initiatedEventId: String(initiated),
      workflowExecution: { workflowId, runId: `${workflowId}-run` },
      workflowType: { name: workflowType },
    });
    return { initiated, started };
  }

  completeChild(child: { initiated: number; started: number }, workflowType: string, workflowId: string, result: unknown): this {
    this.add('CHILD_WORKFLOW_EXECUTION_COMPLETED', 'childWorkflowExecutionCompletedEventAttributes', {
      namespace: 'default',
      initiatedEventId: String(child.initiated),
      startedEventId: String(child.started),
      workflowExecution: { workflowId, runId: `${workflowId}-run` },
      workflowType: { name: workflowType },
      result: payloads([result]),
    });
    return this;
  }

  cancelRequested(): this {
    this.add('WORKFLOW_EXECUTION_CANCEL_REQUESTED', 'workflowExecutionCancelRequestedEventAttributes', { cause: 'ferry jobs cancel', identity: 'test' });
    return this;
  }

  completed(result: unknown): HistoryBuilder {
    this.add('WORKFLOW_EXECUTION_COMPLETED', 'workflowExecutionCompletedEventAttributes', {
      result: payloads([result]),
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
    return this;
  }

  failed(message: string): HistoryBuilder {
    this.add('WORKFLOW_EXECUTION_FAILED', 'workflowExecutionFailedEventAttributes', {
      failure: { message, source: 'TypeScriptSDK', applicationFailureInfo: { type: 'JobFailed', nonRetryable: true } },
      retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET',
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
    });
    return this;
  }

  canceled(): HistoryBuilder {
    this.add('WORKFLOW_EXECUTION_CANCELED', 'workflowExecutionCanceledEventAttributes', { workflowTaskCompletedEventId: String(this.lastTaskCompleted) });
    return this;
  }

  continuedAsNew(args: unknown[]): HistoryBuilder {
    this.add('WORKFLOW_EXECUTION_CONTINUED_AS_NEW', 'workflowExecutionContinuedAsNewEventAttributes', {
      newExecutionRunId: 'run-2',
      workflowType: { name: this.workflowType },
      taskQueue: { name: this.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      input: payloads(args),
      workflowTaskTimeout: '10s',
      workflowTaskCompletedEventId: String(this.lastTaskCompleted),
      initiator: 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
    });
    return this;
  }

  /** The proto JSON (what `temporal workflow show --output json` prints). */
  json(): { events: Record<string, unknown>[] } {
    return { events: this.events };
  }

  history(): ReturnType<typeof historyFromJSON> {
    return historyFromJSON(this.json());
  }

  /** Every payload this history carries, decoded sizes in bytes (for the payload-size checks). */
  payloadSizes(): number[] {
    return [...JSON.stringify(this.events).matchAll(/"data":"([^"]*)"/g)].map((m) => Buffer.from(m[1]!, 'base64').length);
  }

  private add(type: string, key: string, attrs: Record<string, unknown>): number {
    const eventId = this.events.length + 1;
    this.events.push({
      eventId: String(eventId),
      eventTime: new Date(this.time + eventId * 1000).toISOString(),
      eventType: `EVENT_TYPE_${type}`,
      [key]: attrs,
    });
    return eventId;
  }
}

/** Arguments as the default payload converter encodes them (json/plain), in proto JSON. */
export function payloads(values: unknown[]): { payloads: { metadata: Record<string, string>; data: string }[] } {
  return {
    payloads: values.map((value) => {
      const p = defaultPayloadConverter.toPayload(value);
      const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
    }),
  };
}
