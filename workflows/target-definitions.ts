import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobPlan } from '../src/plan/job-plan.js';
import type { TargetQueueState, TargetRequest } from './target-queue.js';

/**
 * One writer per table on Temporal: each table a job writes has a lock workflow
 * (workflows/target-lock.ts) that jobs ask for it and that grants it in turn. What both sides,
 * the worker's activities and the CLI share: names, signals, the query, the activities' shapes.
 */

/** The lock's workflow type. */
export const TARGET_LOCK_WORKFLOW_TYPE = 'targetLockWorkflow';

/**
 * The lock workflow of one table: one per task queue and `connection/table` (the key the embedded
 * engine's journal uses too). The task queue is part of it because the lock runs on the queue of the
 * job that started it: projects on other queues must not wait on a lock whose workers are gone.
 */
export function targetLockId(key: string, taskQueue: string): string {
  return `ferry-target:${taskQueue}:${key}`;
}

/** Job → lock: add me to the queue (or grant me again if I hold it). Sent with signalWithStart, which starts the lock when needed. */
export const requestTargetSignal = defineSignal<[TargetRequest]>('ferryTargetRequest');
/** Job → lock: I ended (or stopped waiting); the next in line may write. */
export const releaseTargetSignal = defineSignal<[{ workflowId: string }]>('ferryTargetRelease');
/** Lock → job: the table is yours. */
export const targetGrantedSignal = defineSignal<[]>('ferryTargetGranted');
/** Lock → job: you wait for this job (sent again when that changes). */
export const targetWaitingSignal = defineSignal<[{ blocker: string }]>('ferryTargetWaiting');
/** The lock's holders and queue (`ferry jobs resume` waits on it; useful to operators). */
export const targetLockQuery = defineQuery<TargetQueueState>('targetLock');

export interface TargetLockInput {
  /** The queue carried over by continue-as-new. */
  state?: TargetQueueState;
}

/** The table a job holds: the lock to release, and its names for messages. Carried across continue-as-new. */
export interface HeldTarget {
  lockId: string;
  connection: string;
  table: string;
}

/** The activities of the lock (workers register them next to the pipeline's). */
export interface TargetLockActivities {
  /**
   * Asks the lock of the table `plan` writes (resolved with ferry.yaml, as the embedded engine
   * does) for the calling job, starting the lock if none runs. Idempotent.
   */
  requestTarget(input: { plan: JobPlan }): Promise<HeldTarget>;
  /** Which of these workflows are still running (the others are closed or unknown). */
  runningWorkflows(input: { workflowIds: string[] }): Promise<{ running: string[] }>;
}

/** Whether a job waits for its table: jobs writing a store do, exports and dry runs do not. */
export function writesTable(plan: JobPlan): boolean {
  return plan.target.type === 'connection' && plan.dryRun !== true;
}
