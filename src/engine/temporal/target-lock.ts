import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { requestTargetSignal, TARGET_LOCK_WORKFLOW_TYPE, targetLockId, type TargetLockActivities } from '../../../workflows/target-definitions.js';
import type { targetLockWorkflow } from '../../../workflows/target-lock.js';
import type { TargetRequest } from '../../../workflows/target-queue.js';
import { writeTargetOf, type ConnectionTables } from '../../plan/write-target.js';

export interface TargetLockDeps {
  /** A client of the worker's namespace. */
  client: Client;
  /** ferry.yaml's connections: a target without `table:` writes its connection's table. */
  connections: ConnectionTables;
}

/**
 * The lock's activities as a worker registers them. Errors are left as they are (retryable): an
 * unreachable server is retried until it answers, since a job cannot go on without its answer.
 */
export function createTargetLockActivities(deps: TargetLockDeps): TargetLockActivities {
  return {
    async requestTarget({ plan }) {
      const target = writeTargetOf(plan, deps.connections);
      if (!target) throw ApplicationFailure.nonRetryable(`job ${plan.jobId} writes no table`, 'NoTargetTable');
      const { workflowExecution, taskQueue } = Context.current().info;
      if (!workflowExecution) throw ApplicationFailure.nonRetryable("requestTarget is called by a job's workflow only", 'NoWorkflow');
      const lockId = targetLockId(target.key, taskQueue);
      await requestLock(deps.client, taskQueue, lockId, { workflowId: workflowExecution.workflowId, shared: target.shared });
      return { lockId, connection: target.connection, table: target.table };
    },
    async runningWorkflows({ workflowIds }) {
      const running = await Promise.all(workflowIds.map((id) => isRunning(deps.client, id)));
      return { running: workflowIds.filter((_, i) => running[i]) };
    },
  };
}

/** Adds a request to a table's lock, starting the lock workflow (on `taskQueue`) when none runs. */
export async function requestLock(client: Client, taskQueue: string, lockId: string, request: TargetRequest): Promise<void> {
  await client.workflow.signalWithStart<typeof targetLockWorkflow, [TargetRequest]>(TARGET_LOCK_WORKFLOW_TYPE, {
    workflowId: lockId,
    taskQueue,
    args: [{}],
    signal: requestTargetSignal,
    signalArgs: [request],
  });
}

/** Whether the workflow's latest run is running (a job that continued as new counts as running). */
async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
